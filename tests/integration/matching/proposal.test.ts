import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createManualClock } from "../../../src/clock.ts";
import { topics } from "../../../src/db/schema.ts";
import { createMemoryInfra } from "../../../src/infra/memory.ts";
import type { Infra } from "../../../src/infra/ports.ts";
import { createServices, type Services } from "../../../src/services/index.ts";
import { variantFor } from "../../../src/services/matching.ts";
import { createTestDatabase, type TestDatabase } from "../../helpers/db.ts";
import { makePerson } from "../../helpers/fixtures.ts";

describe("what a proposal shows", () => {
  let t: TestDatabase;
  let infra: Infra;
  let services: Services;
  const clock = createManualClock(new Date("2026-06-01T10:00:00Z"));

  beforeAll(async () => {
    t = await createTestDatabase();
    infra = createMemoryInfra({ now: () => clock.now().getTime() });
    services = createServices({ db: t.db, infra, clock });
  });
  afterAll(async () => {
    await infra.close();
    await t.destroy();
  });

  it("a soft match with no topic in common shows each side the other's related topics, said so", async () => {
    // A seeker in the soft variant (deterministic per person): people are made until one is.
    let seeker = 0;
    for (let i = 0; i < 20 && seeker === 0; i++) {
      const id = await makePerson(services, { topics: ["burnout", "relocation"] });
      if (variantFor(id) === "soft") seeker = id;
    }
    expect(seeker).toBeGreaterThan(0);
    const other = await makePerson(services, { topics: ["job-loss", "loneliness"] });
    await services.matching.requestSearch(other);
    await services.matching.requestSearch(seeker);
    const p = await services.matching.processSearch(seeker);
    expect(p).not.toBeNull();
    const slugOf = async (ids: number[]) =>
      Promise.all(
        ids.map(async (id) => (await t.db.select().from(topics).where(eq(topics.id, id)))[0]?.slug),
      );
    const seen = p!.a.userId === seeker ? p!.a : p!.b;
    const theirs = p!.a.userId === seeker ? p!.b : p!.a;
    expect(seen.peer.userId).toBe(other);
    expect(seen.peer.topicsRelated).toBe(true);
    expect((await slugOf(seen.peer.sharedTopicIds)).sort()).toEqual(["job-loss", "loneliness"]);
    expect(theirs.peer.topicsRelated).toBe(true);
    expect((await slugOf(theirs.peer.sharedTopicIds)).sort()).toEqual(["burnout", "relocation"]);
  });
});
