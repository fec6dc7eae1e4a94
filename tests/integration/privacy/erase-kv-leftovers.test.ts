import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { users } from "../../../src/db/schema.ts";
import { personKeys } from "../../../src/services/person-keys.ts";
import { createServiceWorld, type ServiceWorld } from "../../helpers/service-world.ts";

describe("/delete leaves nothing of the person in the key-value store", () => {
  let w: ServiceWorld;
  beforeAll(async () => {
    w = await createServiceWorld();
  });
  afterAll(async () => {
    await w.close();
  });

  it("a report draft with its comment, an appeal draft, a custom tip amount, the relay count and the over-limit notice are erased", async () => {
    const [p] = await w.people(1, ["pet-loss", "insomnia"]);
    const [row] = await w.db.select({ tg: users.tgId }).from(users).where(eq(users.id, p!));
    const tg = Number(row!.tg);
    const kv = w.infra.kv;
    const draft = JSON.stringify({
      reason: "abuse",
      sessionId: 1,
      comment: "он писал мне про мою мать",
      evidence: [],
    });
    await kv.set(personKeys.reportDraft(tg), draft, 60_000);
    await kv.set(personKeys.appealDraft(tg), "1", 60_000);
    await kv.set(personKeys.tipCustom(tg), "12", 60_000);
    await kv.batch([{ op: "incr", key: personKeys.relayCount(tg), ttlMs: 60_000 }]);
    await kv.set(personKeys.relayLimited(p!), "1", 60_000);
    const res = await w.services.privacy.erase(p!);
    expect(res.ok).toBe(true);
    for (const key of [
      personKeys.reportDraft(tg),
      personKeys.appealDraft(tg),
      personKeys.tipCustom(tg),
      personKeys.relayCount(tg),
      personKeys.relayLimited(p!),
    ])
      expect(await kv.get(key), key).toBeNull();
  });
});
