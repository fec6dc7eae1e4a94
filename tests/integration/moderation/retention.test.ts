import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keptApartIdentities, recentContacts, sanctionedIdentities } from "../../../src/db/schema.ts";
import { startChat } from "../../helpers/fixtures.ts";
import { createServiceWorld, DAY, MINUTE, type ServiceWorld } from "../../helpers/service-world.ts";

describe("protections are kept while they protect", () => {
  let w: ServiceWorld;
  beforeAll(async () => {
    w = await createServiceWorld();
  });
  afterAll(async () => {
    await w.close();
  });

  it("ended cooldowns, keep-aparts and hashed suspensions are deleted; reports and bans stay", async () => {
    // A pair that met (a cooldown that ends) and a reported pair (never again).
    const { a, b } = await startChat(w.services, { topics: ["job-loss", "career-change"] });
    await w.services.chats.endChat(a, "ended");
    w.clock.advance(2 * MINUTE);
    const { a: reporter, b: reported } = await startChat(w.services, {
      topics: ["money-worries", "burnout"],
    });
    expect((await w.moderation.report({ reporterId: reporter, reason: "abuse" })).ok).toBe(true);
    // Someone suspended for 3 days and someone banned erase their data: both kept as keyed hashes.
    const [suspended, banned] = (await w.people(2, ["panic", "anxiety"])) as [number, number];
    for (const [id, action, days] of [
      [suspended, "suspend", 3],
      [banned, "ban", null],
    ] as const) {
      const res = await w.moderation.act({ actor: "admin", targetUserId: id, action, reason: null, days });
      expect(res.ok).toBe(true);
      expect((await w.services.privacy.erase(id)).ok).toBe(true);
    }
    const contactsBefore = await w.db.select().from(recentContacts);
    expect(contactsBefore.some((r) => r.userId === a && r.otherId === b)).toBe(true);
    expect(await w.db.select().from(sanctionedIdentities)).toHaveLength(2);

    // Nothing has ended yet: nothing goes.
    expect(await w.moderation.purgeExpiredProtections()).toEqual({
      contacts: 0,
      keptApart: 0,
      suspensions: 0,
    });
    w.clock.advance(40 * DAY);
    const purged = await w.moderation.purgeExpiredProtections();
    expect(purged.contacts).toBeGreaterThan(0);
    expect(purged.suspensions).toBe(1);
    const left = await w.db.select().from(recentContacts);
    expect(left.some((r) => r.userId === a && r.otherId === b)).toBe(false);
    expect(left.some((r) => r.reason === "reported" && [reporter, reported].includes(r.userId))).toBe(true);
    expect((await w.db.select().from(sanctionedIdentities)).map((r) => r.status)).toEqual(["banned"]);
    for (const r of await w.db.select().from(keptApartIdentities)) expect(r.until > w.clock.now()).toBe(true);
  });
});
