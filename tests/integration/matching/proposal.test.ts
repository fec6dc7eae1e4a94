import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { matches, topics } from "../../../src/db/schema.ts";
import { createLogger } from "../../../src/logger.ts";
import { createServices } from "../../../src/services/index.ts";
import {
  MATCH_GROUP,
  MATCH_STREAM,
  type Proposal,
  variantFor,
} from "../../../src/services/matching/index.ts";
import { RECLAIM_IDLE_MS, startMatchWorker } from "../../../src/workers/match-worker.ts";
import { eventually } from "../../helpers/eventually.ts";
import { makePerson } from "../../helpers/fixtures.ts";
import { createServiceWorld, type ServiceWorld } from "../../helpers/service-world.ts";

describe("what a proposal shows", () => {
  let w: ServiceWorld;
  let t: ServiceWorld["t"];
  let infra: ServiceWorld["infra"];
  let services: ServiceWorld["services"];
  let clock: ServiceWorld["clock"];

  beforeAll(async () => {
    w = await createServiceWorld();
    ({ t, infra, services, clock } = w);
  });
  afterAll(async () => {
    await w.close();
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

  it("a proposal that could not be delivered is taken back, and the retry proposes again", async () => {
    await infra.stream.ensureGroup(MATCH_STREAM, MATCH_GROUP);
    const x = await makePerson(services, { topics: ["caregiving", "chronic-illness"] });
    const y = await makePerson(services, { topics: ["caregiving", "chronic-illness"] });
    await services.matching.requestSearch(y);
    await services.matching.requestSearch(x);
    let attempts = 0;
    const delivered: Proposal[] = [];
    const worker = startMatchWorker({
      stream: infra.stream,
      matching: services.matching,
      onProposal: async (p) => {
        attempts++;
        if (attempts === 1) throw new Error("Telegram answered 502 after every retry");
        delivered.push(p);
      },
      logger: createLogger({ level: "silent" }),
      consumer: "undelivered",
      blockMs: 20,
      now: () => clock.now().getTime(),
    });
    try {
      // The first proposal never reached them; the other person's search proposes again at once.
      await eventually(() => expect(delivered).toHaveLength(1));
      expect(attempts).toBe(2);
      expect([delivered[0]!.a.userId, delivered[0]!.b.userId].sort()).toEqual([x, y].sort());
      const mine = (await t.db.select().from(matches)).filter((m) => [m.userA, m.userB].includes(x));
      expect(mine.map((m) => m.status).sort()).toEqual(["expired", "proposed"]);
      // The failed entry is retried later and finds them in the delivered proposal: nothing doubles.
      clock.advance(RECLAIM_IDLE_MS + 6_000);
      await eventually(async () =>
        expect(await infra.stream.pendingCount(MATCH_STREAM, MATCH_GROUP)).toBe(0),
      );
      expect(delivered).toHaveLength(1);
    } finally {
      await worker.stop();
    }
  });

  it("MATCH_MIN_TOPIC_WEIGHT: topics below the operator's weight do not count", async () => {
    // makePerson gives every topic weight 2 («важно»).
    const strictOps = createServices({ db: t.db, infra, clock, minTopicWeight: 3 });
    const x = await makePerson(strictOps, { topics: ["bullying", "war-stress"] });
    const y = await makePerson(strictOps, { topics: ["bullying", "war-stress"] });
    await strictOps.matching.requestSearch(y);
    await strictOps.matching.requestSearch(x);
    expect(await strictOps.matching.processSearch(x)).toBeNull();
    const usual = createServices({ db: t.db, infra, clock, minTopicWeight: 2 });
    const p = await usual.matching.processSearch(x);
    expect([p?.a.userId, p?.b.userId].sort()).toEqual([x, y].sort());
  });
});
