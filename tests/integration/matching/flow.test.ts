import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createManualClock } from "../../../src/clock.ts";
import { engagements, matches, matchQueue, recentContacts } from "../../../src/db/schema.ts";
import { createMemoryInfra } from "../../../src/infra/memory.ts";
import type { Infra } from "../../../src/infra/ports.ts";
import { createLogger } from "../../../src/logger.ts";
import { createServices, type Services } from "../../../src/services/index.ts";
import {
  DECLINE_COOLDOWN_MS,
  MATCH_GROUP,
  MATCH_STREAM,
  PROPOSAL_TTL_MS,
  type Proposal,
} from "../../../src/services/matching/index.ts";
import { RECLAIM_IDLE_MS, startMatchWorker } from "../../../src/workers/match-worker.ts";
import { createTestDatabase, type TestDatabase } from "../../helpers/db.ts";
import { eventually } from "../../helpers/eventually.ts";
import { makePerson } from "../../helpers/fixtures.ts";

const silent = createLogger({ level: "silent" });

describe("matching flow: proposals, consent, cooldowns, expiry, no double booking", () => {
  let t: TestDatabase;
  let infra: Infra;
  let services: Services;
  const clock = createManualClock(new Date("2026-03-02T12:00:00Z"));

  beforeAll(async () => {
    t = await createTestDatabase();
    infra = createMemoryInfra({ now: () => clock.now().getTime() });
    services = createServices({ db: t.db, infra, clock });
  });
  afterAll(async () => {
    await infra.close();
    await t.destroy();
  });
  /** Everyone free again: no open matches, nobody searching, no cooldowns. */
  async function resetMatching() {
    await t.db.delete(engagements);
    await t.db.delete(matchQueue);
    await t.db.delete(recentContacts);
    await t.db.execute(sql`update matches set status = 'completed' where status in ('proposed','active')`);
  }
  beforeEach(resetMatching);

  /** Runs the worker step for everyone who is searching, like a worker draining the stream. */
  async function drain(): Promise<Proposal[]> {
    const out: Proposal[] = [];
    const queued = await t.db.select({ userId: matchQueue.userId }).from(matchQueue);
    for (const q of queued) {
      const p = await services.matching.processSearch(q.userId);
      if (p) out.push(p);
    }
    return out;
  }

  it("decline → a 72 h cooldown both ways; the pair is not proposed again until it ends", async () => {
    const a = await makePerson(services, { topics: ["burnout", "relocation", "anxiety"] });
    const b = await makePerson(services, { topics: ["burnout", "relocation"] });
    await services.matching.requestSearch(a);
    await services.matching.requestSearch(b);
    const [p] = await drain();
    expect(p).toBeDefined();
    const outcome = await services.matching.decide(b, p!.matchId, "decline");
    expect(outcome).toMatchObject({ kind: "declined", declinedBy: b, other: a, otherRequeued: true });
    const cooldown = await t.db.select().from(recentContacts);
    expect(cooldown).toHaveLength(2);
    for (const c of cooldown) expect(c.until.getTime()).toBe(clock.now().getTime() + DECLINE_COOLDOWN_MS);
    expect(await services.matching.isSearching(a)).toBe(true);
    expect(await services.matching.isSearching(b)).toBe(false);

    // A third /find 71 h later: still apart.
    clock.advance(71 * 3600_000);
    await services.matching.requestSearch(b);
    await services.matching.requestSearch(a);
    expect(await drain()).toEqual([]);
    // After 72 h they may meet again.
    clock.advance(2 * 3600_000);
    const again = await drain();
    expect(again).toHaveLength(1);
    expect(new Set([again[0]!.a.userId, again[0]!.b.userId])).toEqual(new Set([a, b]));
  });

  it("both accept → an active chat session; decisions on a finished proposal change nothing", async () => {
    const a = await makePerson(services, { topics: ["divorce", "loneliness"] });
    const b = await makePerson(services, { topics: ["divorce", "loneliness"] });
    const c = await makePerson(services, { topics: ["divorce", "loneliness"] });
    await services.matching.requestSearch(a);
    await services.matching.requestSearch(b);
    const [p] = await drain();
    expect(await services.matching.decide(a, p!.matchId, "accept")).toMatchObject({ kind: "waiting" });
    expect(await services.matching.decide(c, p!.matchId, "accept")).toEqual({ kind: "stale" });
    const started = await services.matching.decide(b, p!.matchId, "accept");
    expect(started).toMatchObject({ kind: "started" });
    expect(await services.matching.decide(b, p!.matchId, "decline")).toEqual({ kind: "stale" });
    expect(await services.chats.activeChat(a)).toMatchObject({ peerId: b });
    expect(await services.matching.requestSearch(a)).toMatchObject({ ok: false, reason: "in_chat" });
    expect(await services.matching.isSearching(a)).toBe(false);
  });

  it("expiry: those who accepted go back to the search at most twice; silent ones leave it", async () => {
    const topics = ["pet-loss", "loss"];
    const eager = await makePerson(services, { topics });
    const silentOnes = [
      await makePerson(services, { topics }),
      await makePerson(services, { topics }),
      await makePerson(services, { topics }),
    ];
    await services.matching.requestSearch(eager);
    for (let round = 0; round < 3; round++) {
      const other = silentOnes[round]!;
      await services.matching.requestSearch(other);
      const [p] = await drain();
      expect(p).toBeDefined();
      await services.matching.decide(eager, p!.matchId, "accept");
      clock.advance(PROPOSAL_TTL_MS + 1000);
      const [expired] = await services.matching.expireProposals();
      expect(expired?.dropped).toContain(other);
      if (round < 2) expect(expired?.requeued).toEqual([eager]);
      else expect(expired?.requeued).toEqual([]);
      expect(await services.matching.isSearching(other)).toBe(false);
    }
    expect(await services.matching.isSearching(eager)).toBe(false);
    const [m] = await t.db.select().from(matches).where(eq(matches.status, "proposed"));
    expect(m).toBeUndefined();
  });

  it("a search ends after 24 h and the person is told", async () => {
    const a = await makePerson(services, { topics: ["insomnia", "panic"] });
    await services.matching.requestSearch(a);
    clock.advance(24 * 3600_000 + 1);
    expect(await services.matching.expireSearches()).toEqual([a]);
    expect(await services.matching.isSearching(a)).toBe(false);
  });

  it("a worker killed mid-batch loses no search: another worker reclaims its entries", async () => {
    await infra.stream.ensureGroup(MATCH_STREAM, MATCH_GROUP);
    // Drop whatever earlier tests left in the stream.
    for (;;) {
      const left = await infra.stream.read(MATCH_STREAM, MATCH_GROUP, "janitor", { count: 100, blockMs: 0 });
      if (left.length === 0) break;
      await infra.stream.ack(
        MATCH_STREAM,
        MATCH_GROUP,
        left.map((e) => e.id),
      );
    }
    const a = await makePerson(services, { topics: ["caregiving", "parenting"] });
    const b = await makePerson(services, { topics: ["caregiving", "parenting"] });
    await services.matching.requestSearch(a);
    await services.matching.requestSearch(b);
    // Worker 1 takes both entries and dies before handling them.
    const taken = await infra.stream.read(MATCH_STREAM, MATCH_GROUP, "worker-1", { count: 10, blockMs: 0 });
    expect(taken).toHaveLength(2);
    clock.advance(RECLAIM_IDLE_MS + 1000);
    const delivered: Proposal[] = [];
    const worker = startMatchWorker({
      stream: infra.stream,
      matching: services.matching,
      onProposal: async (p) => void delivered.push(p),
      logger: silent,
      consumer: "worker-2",
      blockMs: 50,
      now: () => clock.now().getTime(),
    });
    try {
      await eventually(() => expect(delivered).toHaveLength(1));
      await eventually(async () =>
        expect(await infra.stream.pendingCount(MATCH_STREAM, MATCH_GROUP)).toBe(0),
      );
    } finally {
      await worker.stop();
    }
  });

  it("race: 2 workers, 500 simultaneous /find, 20 times — nobody is ever in two proposals or chats", async () => {
    const people: number[] = [];
    const slugs = ["burnout", "relocation", "anxiety", "loneliness", "divorce", "loss"];
    for (let i = 0; i < 500; i++) {
      people.push(
        await makePerson(services, { topics: [slugs[i % 6]!, slugs[(i + 1) % 6]!, slugs[(i + 2) % 6]!] }),
      );
    }
    const failures: string[] = [];
    const raceLog = createLogger({
      level: "warn",
      destination: { write: (line: string) => void failures.push(line) } as never,
    });
    for (let round = 0; round < 20; round++) {
      await resetMatching();
      await Promise.all(people.map((id) => services.matching.requestSearch(id)));
      const delivered: Proposal[] = [];
      const workers = [1, 2].map((n) =>
        startMatchWorker({
          stream: infra.stream,
          matching: services.matching,
          onProposal: async (p) => void delivered.push(p),
          logger: raceLog,
          consumer: `race-${round}-${n}`,
          blockMs: 20,
          now: () => clock.now().getTime(),
        }),
      );
      try {
        await eventually(
          async () => expect(await infra.stream.pendingCount(MATCH_STREAM, MATCH_GROUP)).toBe(0),
          60_000,
        );
        // Every search was looked at: the person is in a proposal, or was told "nobody yet" (retry later).
        await eventually(async () => {
          const unhandled = (await t.db.execute(sql`
            select count(*)::int as n from match_queue q
            where q.score_ready_at <= ${clock.now()}
              and not exists (select 1 from engagements e where e.user_id = q.user_id)`)) as unknown as {
            rows: Array<{ n: number }>;
          };
          const pending = await infra.stream.pendingCount(MATCH_STREAM, MATCH_GROUP);
          expect({ unhandled: unhandled.rows[0]?.n, pending, failures: failures.slice(0, 3) }).toEqual({
            unhandled: 0,
            pending: 0,
            failures: [],
          });
        }, 60_000);
      } finally {
        await Promise.all(workers.map((w) => w.stop()));
      }
      const open = (await t.db.execute(sql`
        select u as user_id, count(*)::int as n from (
          select user_a as u from matches where status in ('proposed','active')
          union all select user_b from matches where status in ('proposed','active')
        ) x group by u having count(*) > 1`)) as unknown as { rows: unknown[] };
      expect(open.rows, `round ${round}`).toEqual([]);
      expect(failures, `worker errors in round ${round}`).toEqual([]);
      const engaged = await t.db.select().from(engagements);
      expect(engaged.length).toBe(delivered.length * 2);
      expect(delivered.length).toBeGreaterThan(200);
    }
  }, 600_000);
});
