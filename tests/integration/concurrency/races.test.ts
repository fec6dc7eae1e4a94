import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createManualClock } from "../../../src/clock.ts";
import { chatSessions, engagements, matches, users } from "../../../src/db/schema.ts";
import { createMemoryInfra } from "../../../src/infra/memory.ts";
import { createServices, type Services } from "../../../src/services/index.ts";
import { createTestDatabase, type TestDatabase } from "../../helpers/db.ts";
import { makePerson } from "../../helpers/fixtures.ts";

/**
 * Two people (or a person and the admin API, or a person and the scheduler) acting on the same chat
 * or proposal at the same moment. On PostgreSQL each scenario runs 16 races, 8 at a time; every call
 * must finish without an error: no deadlock (40P01), no other failure. The risk is FOR UPDATE on
 * users against the KEY SHARE locks of foreign-key checks: taken in the wrong order, most of these
 * races deadlock. On PGlite (one connection) they run too, and check the outcomes.
 */
const ROUNDS = 2;
const PARALLEL = 8;

function codeOf(err: unknown): string | undefined {
  let e: unknown = err;
  for (let i = 0; i < 5 && e; i++) {
    const code = (e as { code?: string }).code;
    if (code) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

describe("concurrent actions on one chat or proposal never deadlock or fail", () => {
  let t: TestDatabase;
  let s: Services;
  const clock = createManualClock(new Date("2026-05-01T10:00:00Z"));
  const infra = createMemoryInfra({ now: () => clock.now().getTime() });
  let tg = 7_000_000;

  beforeAll(async () => {
    t = await createTestDatabase({ poolSize: 24 });
    s = createServices({ db: t.db, infra, clock });
  });
  afterAll(async () => {
    await infra.close();
    await t.destroy();
  });

  const person = async () => (await s.profiles.acceptRules(tg++)).id;

  async function pair(status: "active" | "proposed", acceptedBy?: "a" | "b") {
    const a = await person();
    const b = await person();
    const now = clock.now();
    const [m] = await t.db
      .insert(matches)
      .values({
        userA: a,
        userB: b,
        status,
        decisionA: status === "active" || acceptedBy === "a" ? "accept" : null,
        decisionB: status === "active" || acceptedBy === "b" ? "accept" : null,
        expiresAt: new Date(now.getTime() + 300_000),
        createdAt: now,
      })
      .returning({ id: matches.id });
    const matchId = m?.id ?? 0;
    await t.db.insert(engagements).values([
      { userId: a, matchId },
      { userId: b, matchId },
    ]);
    let sessionId = 0;
    if (status === "active") {
      const [cs] = await t.db
        .insert(chatSessions)
        .values({ matchId, startedAt: now })
        .returning({ id: chatSessions.id });
      sessionId = cs?.id ?? 0;
    }
    return { a, b, matchId, sessionId };
  }
  type Pair = Awaited<ReturnType<typeof pair>>;

  const activeChat = () => pair("active");
  const endedChat = async () => {
    const c = await pair("active");
    if (!(await s.chats.endChat(c.a, "ended"))) throw new Error("not ended");
    return c;
  };
  const proposal = () => pair("proposed");
  const acceptedByA = () => pair("proposed", "a");
  const expiredAcceptedByA = async () => {
    const c = await pair("proposed", "a");
    await t.db
      .update(matches)
      .set({ expiresAt: new Date(clock.now().getTime() - 1) })
      .where(eq(matches.id, c.matchId));
    return c;
  };

  const scenarios: Array<[string, () => Promise<Pair>, (c: Pair) => Array<() => Promise<unknown>>]> = [
    [
      "both report each other in a chat",
      activeChat,
      (c) => [
        () => s.moderation.report({ reporterId: c.a, reason: "abuse" }),
        () => s.moderation.report({ reporterId: c.b, reason: "abuse" }),
      ],
    ],
    [
      "both report each other after the end",
      endedChat,
      (c) => [
        () => s.moderation.report({ reporterId: c.a, reason: "abuse" }),
        () => s.moderation.report({ reporterId: c.b, reason: "abuse" }),
      ],
    ],
    [
      "a report while the peer presses /end",
      activeChat,
      (c) => [
        () => s.moderation.report({ reporterId: c.a, reason: "abuse" }),
        () => s.chats.endChat(c.b, "ended"),
      ],
    ],
    [
      "a report while the peer blocks",
      activeChat,
      (c) => [() => s.moderation.report({ reporterId: c.a, reason: "abuse" }), () => s.moderation.block(c.b)],
    ],
    [
      "both block each other in a chat",
      activeChat,
      (c) => [() => s.moderation.block(c.a), () => s.moderation.block(c.b)],
    ],
    [
      "both block each other after the end",
      endedChat,
      (c) => [() => s.moderation.block(c.a), () => s.moderation.block(c.b)],
    ],
    [
      "a ban while the peer presses /end",
      activeChat,
      (c) => [
        () => s.moderation.act({ actor: "admin", targetUserId: c.a, action: "ban" }),
        () => s.chats.endChat(c.b, "ended"),
      ],
    ],
    [
      "a ban while the person presses /end",
      activeChat,
      (c) => [
        () => s.moderation.act({ actor: "admin", targetUserId: c.a, action: "ban" }),
        () => s.chats.endChat(c.a, "ended"),
      ],
    ],
    [
      "a ban while the peer reports",
      activeChat,
      (c) => [
        () => s.moderation.act({ actor: "admin", targetUserId: c.a, action: "ban" }),
        () => s.moderation.report({ reporterId: c.b, reason: "abuse" }),
      ],
    ],
    [
      "a ban while the person erases their data",
      activeChat,
      (c) => [
        () => s.moderation.act({ actor: "admin", targetUserId: c.a, action: "ban" }),
        () => s.privacy.erase(c.a),
      ],
    ],
    [
      "a ban while the peer erases their data",
      activeChat,
      (c) => [
        () => s.moderation.act({ actor: "admin", targetUserId: c.a, action: "ban" }),
        () => s.privacy.erase(c.b),
      ],
    ],
    [
      "an erase while the peer presses /end",
      activeChat,
      (c) => [() => s.privacy.erase(c.a), () => s.chats.endChat(c.b, "ended")],
    ],
    [
      "an erase while the peer reports",
      activeChat,
      (c) => [() => s.privacy.erase(c.a), () => s.moderation.report({ reporterId: c.b, reason: "abuse" })],
    ],
    [
      "an erase while the peer blocks",
      activeChat,
      (c) => [() => s.privacy.erase(c.a), () => s.moderation.block(c.b)],
    ],
    [
      "an erase while the peer declines the proposal",
      proposal,
      (c) => [() => s.privacy.erase(c.a), () => s.matching.decide(c.b, c.matchId, "decline")],
    ],
    [
      "a ban while the peer declines the proposal",
      proposal,
      (c) => [
        () => s.moderation.act({ actor: "admin", targetUserId: c.a, action: "ban" }),
        () => s.matching.decide(c.b, c.matchId, "decline"),
      ],
    ],
    [
      "a ban while the peer accepts",
      acceptedByA,
      (c) => [
        () => s.moderation.act({ actor: "admin", targetUserId: c.a, action: "ban" }),
        () => s.matching.decide(c.b, c.matchId, "accept"),
      ],
    ],
    [
      "an erase while the peer accepts",
      acceptedByA,
      (c) => [() => s.privacy.erase(c.a), () => s.matching.decide(c.b, c.matchId, "accept")],
    ],
    [
      "both accept",
      proposal,
      (c) => [
        () => s.matching.decide(c.a, c.matchId, "accept"),
        () => s.matching.decide(c.b, c.matchId, "accept"),
      ],
    ],
    [
      "one accepts while the other declines",
      proposal,
      (c) => [
        () => s.matching.decide(c.a, c.matchId, "accept"),
        () => s.matching.decide(c.b, c.matchId, "decline"),
      ],
    ],
    [
      "a rating while the peer reports",
      endedChat,
      (c) => [
        () => s.chats.rate(c.b, c.sessionId, 4),
        () => s.moderation.report({ reporterId: c.a, reason: "abuse" }),
      ],
    ],
    [
      "both rate",
      endedChat,
      (c) => [() => s.chats.rate(c.a, c.sessionId, 4), () => s.chats.rate(c.b, c.sessionId, 5)],
    ],
    [
      "a tip while its recipient reports",
      endedChat,
      (c) => [
        () => s.tips.createTip(c.b, c.sessionId, 10),
        () => s.moderation.report({ reporterId: c.a, reason: "abuse" }),
      ],
    ],
    [
      "a tip while the chat ends",
      activeChat,
      (c) => [() => s.tips.createTip(c.a, c.sessionId, 10), () => s.chats.endChat(c.b, "ended")],
    ],
    [
      "a toxic strike while the peer reports",
      activeChat,
      (c) => [
        () => s.moderation.recordToxicStrike(c.b, { sessionId: c.sessionId, labels: ["x"], severity: 2 }),
        () => s.moderation.report({ reporterId: c.a, reason: "abuse" }),
      ],
    ],
    [
      "a toxic strike while the peer is banned",
      activeChat,
      (c) => [
        () => s.moderation.recordToxicStrike(c.b, { sessionId: c.sessionId, labels: ["x"], severity: 2 }),
        () => s.moderation.act({ actor: "admin", targetUserId: c.a, action: "ban" }),
      ],
    ],
    [
      "the scheduler expires a proposal while the peer accepts",
      expiredAcceptedByA,
      (c) => [() => s.matching.expireProposals(), () => s.matching.decide(c.b, c.matchId, "accept")],
    ],
  ];

  it.each(scenarios)("%s", { timeout: 120_000 }, async (_name, setup, calls) => {
    const failures: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const cases: Pair[] = [];
      for (let i = 0; i < PARALLEL; i++) cases.push(await setup());
      const results = await Promise.allSettled(
        cases.flatMap((c) =>
          calls(c).map(async (call, i) => {
            // The second call starts a moment later in half the races, so both orders occur.
            if (i > 0 && Math.random() < 0.5) await new Promise((r) => setTimeout(r, Math.random() * 4));
            return call();
          }),
        ),
      );
      for (const r of results) {
        if (r.status === "rejected")
          failures.push(`${codeOf(r.reason) ?? "?"}: ${(r.reason as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("a person banned while a proposal to them is being made never ends up in that proposal", {
    timeout: 120_000,
  }, async () => {
    const topicPairs = [
      ["divorce", "loneliness"],
      ["loss", "pet-loss"],
      ["relocation", "burnout"],
    ];
    let proposedToBanned = 0;
    for (let round = 0; round < 12; round++) {
      const topics = topicPairs[round % topicPairs.length] ?? [];
      const a = await makePerson(s, { topics });
      const b = await makePerson(s, { topics });
      await s.matching.requestSearch(a);
      await s.matching.requestSearch(b);
      await Promise.all([
        s.matching.processSearch(b),
        s.moderation.act({ actor: "admin", targetUserId: a, action: "ban" }),
      ]);
      const [banned] = await t.db.select({ status: users.status }).from(users).where(eq(users.id, a));
      expect(banned?.status).toBe("banned");
      const open = await t.db.select().from(engagements).where(eq(engagements.userId, a));
      if (open.length > 0) proposedToBanned++;
      await s.matching.cancelSearch(b);
    }
    expect(proposedToBanned).toBe(0);
  });
});
