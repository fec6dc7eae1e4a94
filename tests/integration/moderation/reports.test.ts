import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  chatSessions,
  engagements,
  matches,
  moderationActions,
  recentContacts,
  reports,
  users,
} from "../../../src/db/schema.ts";
import { NEVER_AGAIN } from "../../../src/services/moderation/index.ts";
import { startChat } from "../../helpers/fixtures.ts";
import { createServiceWorld, DAY, MINUTE, type ServiceWorld } from "../../helpers/service-world.ts";

describe("reports and blocks", () => {
  let w: ServiceWorld;

  beforeAll(async () => {
    w = await createServiceWorld();
  });
  afterAll(async () => {
    await w.close();
  });

  const cooldownRows = (a: number, b: number) =>
    w.db
      .select()
      .from(recentContacts)
      .where(and(eq(recentContacts.userId, a), eq(recentContacts.otherId, b)))
      .then(async (ab) => [
        ...ab,
        ...(await w.db
          .select()
          .from(recentContacts)
          .where(and(eq(recentContacts.userId, b), eq(recentContacts.otherId, a)))),
      ]);

  it("a report ends the running chat for both, and the pair is never proposed again", async () => {
    const [a, b] = (await w.people(2, ["burnout", "job-loss"])) as [number, number];
    const { sessionId } = await startChat(w.services, { between: [a, b] });

    const res = await w.moderation.report({
      reporterId: a,
      reason: "abuse",
      comment: "  Оскорблял\u202E меня\u0007 весь вечер \n  ",
    });
    expect(res).toMatchObject({ ok: true, sessionId, reportedUserId: b, endedChat: true, suspended: false });
    if (!res.ok) throw new Error("unreachable");
    const tgIds = await w.db.select({ id: users.id, tgId: users.tgId }).from(users);
    const tgOf = (id: number) => tgIds.find((u) => u.id === id)?.tgId;
    expect(res.participants).toEqual(
      expect.arrayContaining([
        { userId: a, tgId: tgOf(a) },
        { userId: b, tgId: tgOf(b) },
      ]),
    );

    // Stored once, cleaned of control and bidi characters.
    const [stored] = await w.db.select().from(reports).where(eq(reports.id, res.reportId));
    expect(stored).toMatchObject({ fromUser: a, toUser: b, reason: "abuse", status: "new" });
    expect(stored?.comment).toBe("Оскорблял меня весь вечер");

    // The chat ended exactly as /end would have ended it, with its own reason.
    expect(await w.services.chats.activeChat(a)).toBeNull();
    expect(await w.services.chats.activeChat(b)).toBeNull();
    const [session] = await w.db.select().from(chatSessions).where(eq(chatSessions.id, sessionId));
    expect(session).toMatchObject({ endedBy: a, endReason: "reported" });
    expect(session?.endedAt).toEqual(w.clock.now());
    const [match] = await w.db.select().from(matches).where(eq(matches.id, session!.matchId));
    expect(match?.status).toBe("completed");
    expect(await w.db.select().from(engagements).where(eq(engagements.matchId, session!.matchId))).toEqual(
      [],
    );

    const rows = await cooldownRows(a, b);
    expect(rows).toHaveLength(2);
    for (const r of rows) expect(r).toMatchObject({ reason: "reported", until: NEVER_AGAIN });

    // Long after the 30-day "met" cooldown, they are still never proposed to each other.
    w.clock.advance(45 * DAY);
    expect(await w.wouldBeProposed(a, b)).toBe(false);
    expect(await w.wouldBeProposed(b, a)).toBe(false);

    // Control: a pair whose chat simply ended is proposed again after the same time.
    const [c, d] = (await w.people(2, ["burnout", "job-loss"])) as [number, number];
    await startChat(w.services, { between: [c, d] });
    await w.services.chats.endChat(c, "ended");
    w.clock.advance(45 * DAY);
    expect(await w.wouldBeProposed(c, d)).toBe(true);
  });

  it("one report per session per reporter; the other side may still report", async () => {
    const [a, b] = (await w.people(2, ["career-change", "money-worries"])) as [number, number];
    const { sessionId } = await startChat(w.services, { between: [a, b] });
    const first = await w.moderation.report({ reporterId: a, reason: "spam" });
    expect(first.ok).toBe(true);
    w.clock.advance(2 * MINUTE);
    expect(await w.moderation.report({ reporterId: a, reason: "abuse" })).toEqual({
      ok: false,
      reason: "already_reported",
    });
    // Reporting right after the chat ended (the session is the peer's most recent one within 24 h).
    const back = await w.moderation.report({ reporterId: b, reason: "other" });
    expect(back).toMatchObject({ ok: true, sessionId, reportedUserId: a, endedChat: false });
    const rows = await w.db.select().from(reports).where(eq(reports.chatSessionId, sessionId));
    expect(rows.map((r) => r.fromUser).sort()).toEqual([a, b].sort());
  });

  it("the database refuses a second report of the same session even when two arrive at once", async () => {
    const [a, b] = (await w.people(2, ["emigration", "adaptation"])) as [number, number];
    const { sessionId } = await startChat(w.services, { between: [a, b] });
    const results = await Promise.all([
      w.moderation.report({ reporterId: a, reason: "spam" }),
      w.moderation.report({ reporterId: a, reason: "spam" }),
      w.moderation.report({ reporterId: a, reason: "spam" }),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    for (const r of results.filter((r) => !r.ok)) {
      expect(r).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/^(already_reported|rate_limited)$/),
      });
    }
    const rows = await w.db.select().from(reports).where(eq(reports.chatSessionId, sessionId));
    expect(rows).toHaveLength(1);
  });

  it("at most one report per minute per reporter", async () => {
    const [a, b, c] = (await w.people(3, ["divorce", "breakup"])) as [number, number, number];
    await startChat(w.services, { between: [a, b] });
    expect((await w.moderation.report({ reporterId: a, reason: "spam" })).ok).toBe(true);
    w.clock.advance(10_000);
    await startChat(w.services, { between: [a, c] });
    expect(await w.moderation.report({ reporterId: a, reason: "spam" })).toEqual({
      ok: false,
      reason: "rate_limited",
      retryAfterMs: 50_000,
    });
    // The refused report changed nothing: the chat is still running.
    expect(await w.services.chats.activeChat(c)).not.toBeNull();
    w.clock.advance(50_000);
    expect(await w.moderation.report({ reporterId: a, reason: "spam" })).toMatchObject({
      ok: true,
      reportedUserId: c,
      endedChat: true,
    });
  });

  it("refuses bad input and reports with nobody to report", async () => {
    const [a, b] = (await w.people(2, ["relationships", "family-conflict"])) as [number, number];
    expect(await w.moderation.report({ reporterId: a, reason: "spam" })).toEqual({
      ok: false,
      reason: "no_peer",
    });
    await startChat(w.services, { between: [a, b] });
    expect(await w.moderation.report({ reporterId: a, reason: "nuke" })).toEqual({
      ok: false,
      reason: "bad_reason",
    });
    expect(await w.moderation.report({ reporterId: a, reason: "spam", comment: "я".repeat(501) })).toEqual({
      ok: false,
      reason: "comment_too_long",
    });
    // 500 characters plus whitespace and control characters that are stripped is fine.
    const ok = await w.moderation.report({
      reporterId: a,
      reason: "spam",
      comment: `  ${"я".repeat(500)}\u0000\u200F  `,
    });
    expect(ok.ok).toBe(true);
    // A chat that ended more than 24 h ago can no longer be reported.
    const [c, d] = (await w.people(2, ["relationships", "family-conflict"])) as [number, number];
    await startChat(w.services, { between: [c, d] });
    await w.services.chats.endChat(d, "ended");
    w.clock.advance(DAY + MINUTE);
    expect(await w.moderation.report({ reporterId: c, reason: "abuse" })).toEqual({
      ok: false,
      reason: "no_peer",
    });
  });

  it("open reports from three different people suspend the reported person until a moderator decides", async () => {
    const [target, r1, r2, r3] = (await w.people(4, ["caregiving", "parenting"])) as number[] as [
      number,
      number,
      number,
      number,
    ];
    const results = [];
    for (const r of [r1, r2, r3]) {
      w.clock.advance(2 * MINUTE);
      await startChat(w.services, { between: [r, target] });
      results.push(await w.moderation.report({ reporterId: r, reason: "abuse" }));
    }
    expect(results.map((r) => r.ok && r.suspended)).toEqual([false, false, true]);
    const [user] = await w.db.select().from(users).where(eq(users.id, target));
    expect(user).toMatchObject({ status: "suspended", suspendedUntil: null });
    const actions = await w.db
      .select()
      .from(moderationActions)
      .where(eq(moderationActions.targetUser, target));
    expect(actions).toMatchObject([{ actor: "system", action: "suspend", until: null }]);
    expect(await w.services.matching.requestSearch(target)).toMatchObject({ ok: false, reason: "suspended" });
  });

  it("several reports from the same person count once towards the threshold", async () => {
    const [target, r1, r2] = (await w.people(3, ["loss", "pet-loss"])) as [number, number, number];
    w.clock.advance(2 * MINUTE);
    await startChat(w.services, { between: [r1, target] });
    expect((await w.moderation.report({ reporterId: r1, reason: "abuse" })).ok).toBe(true);
    // More open reports by r1 without a session (e.g. older data): four reports, still two people.
    await w.db.insert(reports).values([
      { fromUser: r1, toUser: target, reason: "abuse", createdAt: w.clock.now() },
      { fromUser: r1, toUser: target, reason: "spam", createdAt: w.clock.now() },
    ]);
    w.clock.advance(2 * MINUTE);
    await startChat(w.services, { between: [r2, target] });
    expect(await w.moderation.report({ reporterId: r2, reason: "abuse" })).toMatchObject({
      ok: true,
      suspended: false,
    });
    const [user] = await w.db.select().from(users).where(eq(users.id, target));
    expect(user?.status).toBe("active");
    expect((await w.moderation.getUser(target))?.reportsAgainst).toEqual({
      total: 4,
      open: 4,
      openFromDistinctPeople: 2,
    });
  });

  it("a block ends the chat and keeps the two apart for 30 days, not longer", async () => {
    const [a, b] = (await w.people(2, ["anxiety", "panic"])) as [number, number];
    const { sessionId } = await startChat(w.services, { between: [a, b] });
    const res = await w.moderation.block(a);
    expect(res).toMatchObject({ ok: true, sessionId, blockedUserId: b, endedChat: true });
    if (!res.ok) throw new Error("unreachable");
    expect(res.until).toEqual(new Date(w.clock.now().getTime() + 30 * DAY));
    expect(res.participants.map((p) => p.userId).sort()).toEqual([a, b].sort());
    const [session] = await w.db.select().from(chatSessions).where(eq(chatSessions.id, sessionId));
    expect(session).toMatchObject({ endReason: "blocked", endedBy: a });
    expect(await w.services.chats.activeChat(b)).toBeNull();
    const rows = await cooldownRows(a, b);
    expect(rows.map((r) => r.reason)).toEqual(["blocked", "blocked"]);

    w.clock.advance(29 * DAY);
    expect(await w.wouldBeProposed(a, b)).toBe(false);
    expect(await w.wouldBeProposed(b, a)).toBe(false);
    w.clock.advance(1 * DAY + MINUTE);
    expect(await w.wouldBeProposed(b, a)).toBe(true);
  });

  it("a block after a report never shortens the report's forever", async () => {
    const [a, b] = (await w.people(2, ["low-mood", "insomnia"])) as [number, number];
    await startChat(w.services, { between: [a, b] });
    expect((await w.moderation.report({ reporterId: a, reason: "danger" })).ok).toBe(true);
    // No active chat any more: the block names the peer of the chat that just ended.
    expect(await w.moderation.block(a)).toMatchObject({ ok: true, blockedUserId: b, endedChat: false });
    for (const r of await cooldownRows(a, b))
      expect(r).toMatchObject({ reason: "reported", until: NEVER_AGAIN });
    const [c] = (await w.people(1, ["low-mood", "insomnia"])) as [number];
    expect(await w.moderation.block(c)).toEqual({ ok: false, reason: "no_peer" });
  });
});
