import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  appeals,
  chatSessions,
  engagements,
  matches,
  moderationActions,
  reports,
  safetyFlags,
  users,
} from "../../../src/db/schema.ts";
import { startChat } from "../../helpers/fixtures.ts";
import { createServiceWorld, DAY, HOUR, MINUTE, type ServiceWorld } from "../../helpers/service-world.ts";

describe("strikes, mutes, crisis flags, moderator actions, appeals, evidence", () => {
  let w: ServiceWorld;

  beforeAll(async () => {
    w = await createServiceWorld();
  });
  afterAll(async () => {
    await w.close();
  });

  const userRow = async (id: number) => (await w.db.select().from(users).where(eq(users.id, id)))[0]!;
  const actionsOf = (id: number) =>
    w.db
      .select()
      .from(moderationActions)
      .where(eq(moderationActions.targetUser, id))
      .orderBy(moderationActions.id);

  /** A report by a fresh person against `target` after a chat between them. */
  async function reportAgainst(target: number, topics: string[]): Promise<number> {
    const [reporter] = (await w.people(1, topics)) as [number];
    w.clock.advance(2 * MINUTE);
    await startChat(w.services, { between: [reporter, target] });
    const res = await w.moderation.report({ reporterId: reporter, reason: "abuse" });
    if (!res.ok) throw new Error(`report refused: ${res.reason}`);
    return res.reportId;
  }

  it("three toxic strikes within 24 h mute for an hour and alert moderators once", async () => {
    const [a, b] = (await w.people(2, ["burnout", "job-loss"])) as [number, number];
    const { sessionId } = await startChat(w.services, { between: [a, b] });
    const strike = () =>
      w.moderation.recordToxicStrike(a, { sessionId, labels: ["insult", "threat"], severity: 2 });

    expect(await strike()).toMatchObject({ recentStrikes: 1, muted: false, alertModerators: false });
    w.clock.advance(10 * MINUTE);
    expect(await strike()).toMatchObject({ recentStrikes: 2, muted: false, alertModerators: false });
    expect(await w.moderation.isMuted(a)).toBe(false);
    w.clock.advance(10 * MINUTE);
    const third = await strike();
    expect(third).toMatchObject({ recentStrikes: 3, muted: true, alertModerators: true });
    expect(third.until).toEqual(new Date(w.clock.now().getTime() + HOUR));
    expect(await w.moderation.isMuted(a)).toBe(true);
    expect(await w.moderation.isMuted(b)).toBe(false);

    // A strike while muted does not alert again nor extend the mute.
    const during = await strike();
    expect(during).toMatchObject({ muted: true, alertModerators: false, until: third.until });

    const user = await userRow(a);
    expect(user.toxicityStrikes).toBe(4);
    expect(user.mutedUntil).toEqual(third.until);
    const flags = await w.db.select().from(safetyFlags).where(eq(safetyFlags.userId, a));
    expect(flags).toHaveLength(4);
    for (const f of flags)
      expect(f).toMatchObject({ label: "insult", severity: 2, source: "toxicity", chatSessionId: sessionId });
    expect((await actionsOf(a)).map((x) => [x.actor, x.action])).toEqual([["system", "mute"]]);

    w.clock.advance(HOUR);
    expect(await w.moderation.isMuted(a)).toBe(false);
  });

  it("strikes spread over more than 24 h do not mute", async () => {
    const [a] = (await w.people(1, ["burnout", "job-loss"])) as [number];
    for (let i = 0; i < 5; i++) {
      const res = await w.moderation.recordToxicStrike(a, { sessionId: null, labels: [], severity: 1 });
      expect(res).toMatchObject({ muted: false, alertModerators: false });
      expect(res.recentStrikes).toBeLessThanOrEqual(2);
      w.clock.advance(13 * HOUR);
    }
    const flags = await w.db.select().from(safetyFlags).where(eq(safetyFlags.userId, a));
    expect(flags.map((f) => f.label)).toEqual(Array(5).fill("toxicity"));
  });

  it("each further mute within 7 days doubles, up to 24 h; after a quiet week it starts at 1 h again", async () => {
    const [a] = (await w.people(1, ["burnout", "job-loss"])) as [number];
    const durations: number[] = [];
    for (let round = 0; round < 7; round++) {
      let res = await w.moderation.recordToxicStrike(a, { sessionId: null, labels: ["insult"], severity: 2 });
      while (!res.muted) {
        w.clock.advance(MINUTE);
        res = await w.moderation.recordToxicStrike(a, { sessionId: null, labels: ["insult"], severity: 2 });
      }
      expect(res.alertModerators).toBe(true);
      durations.push((res.until!.getTime() - w.clock.now().getTime()) / HOUR);
      w.clock.set(new Date(res.until!.getTime() + MINUTE));
    }
    expect(durations).toEqual([1, 2, 4, 8, 16, 24, 24]);
    w.clock.advance(8 * DAY);
    let res = await w.moderation.recordToxicStrike(a, { sessionId: null, labels: ["insult"], severity: 2 });
    while (!res.muted)
      res = await w.moderation.recordToxicStrike(a, { sessionId: null, labels: ["insult"], severity: 2 });
    expect(res.until!.getTime() - w.clock.now().getTime()).toBe(HOUR);
  });

  it("crisis flags: severity 3 alerts moderators, and the coach sees a recent flag in the session", async () => {
    const [a, b] = (await w.people(2, ["anxiety", "panic"])) as [number, number];
    const { sessionId } = await startChat(w.services, { between: [a, b] });
    expect(await w.moderation.hasRecentCrisisFlag(sessionId, HOUR)).toBe(false);
    expect(
      await w.moderation.recordCrisisFlag(a, { sessionId, labels: ["self_harm"], severity: 2 }),
    ).toMatchObject({ alertModerators: false });
    expect(
      await w.moderation.recordCrisisFlag(b, { sessionId, labels: ["suicide_intent"], severity: 3 }),
    ).toMatchObject({
      alertModerators: true,
    });
    const flags = await w.db.select().from(safetyFlags).where(eq(safetyFlags.chatSessionId, sessionId));
    expect(flags.map((f) => [f.userId, f.label, f.source]).sort()).toEqual(
      [
        [a, "self_harm", "crisis"],
        [b, "suicide_intent", "crisis"],
      ].sort(),
    );
    expect(await w.moderation.hasRecentCrisisFlag(sessionId, HOUR)).toBe(true);
    // Toxicity flags are not crisis flags.
    const [c, d] = (await w.people(2, ["anxiety", "panic"])) as [number, number];
    const { sessionId: other } = await startChat(w.services, { between: [c, d] });
    await w.moderation.recordToxicStrike(c, { sessionId: other, labels: ["insult"], severity: 3 });
    expect(await w.moderation.hasRecentCrisisFlag(other, HOUR)).toBe(false);
    w.clock.advance(2 * HOUR);
    expect(await w.moderation.hasRecentCrisisFlag(sessionId, HOUR)).toBe(false);
    expect(await w.moderation.hasRecentCrisisFlag(sessionId, 3 * HOUR)).toBe(true);
    await expect(w.moderation.recordCrisisFlag(a, { sessionId, labels: [], severity: 4 })).rejects.toThrow(
      RangeError,
    );
  });

  it("warn resolves the report and leaves the person active; a closed report cannot be acted on again", async () => {
    const [target] = (await w.people(1, ["divorce", "breakup"])) as [number];
    const reportId = await reportAgainst(target, ["divorce", "breakup"]);
    const res = await w.moderation.act({
      actor: "u_0123456789abcdef",
      targetUserId: target,
      action: "warn",
      reportId,
      reason: "грубость",
    });
    expect(res).toMatchObject({
      ok: true,
      action: "warn",
      targetUserId: target,
      reportStatus: "resolved",
      until: null,
    });
    if (!res.ok) throw new Error("unreachable");
    expect(res.targetTgId).toBe((await userRow(target)).tgId);
    const [report] = await w.db.select().from(reports).where(eq(reports.id, reportId));
    expect(report).toMatchObject({ status: "resolved", closedAt: w.clock.now() });
    expect((await userRow(target)).status).toBe("active");
    expect(
      await w.moderation.act({ actor: "admin", targetUserId: target, action: "dismiss", reportId }),
    ).toEqual({
      ok: false,
      reason: "report_closed",
    });
    expect((await actionsOf(target)).map((a) => [a.actor, a.action, a.reason, a.reportId])).toEqual([
      ["u_0123456789abcdef", "warn", "грубость", reportId],
    ]);
  });

  it("refuses malformed moderator actions", async () => {
    const [target, other] = (await w.people(2, ["divorce", "breakup"])) as [number, number];
    const reportId = await reportAgainst(target, ["divorce", "breakup"]);
    const base = { actor: "admin", targetUserId: target };
    expect(await w.moderation.act({ ...base, action: "dismiss" })).toEqual({
      ok: false,
      reason: "report_required",
    });
    expect(await w.moderation.act({ ...base, action: "obliterate" })).toEqual({
      ok: false,
      reason: "bad_action",
    });
    expect(await w.moderation.act({ ...base, action: "suspend", days: 0 })).toEqual({
      ok: false,
      reason: "bad_days",
    });
    expect(await w.moderation.act({ ...base, action: "suspend", days: 1.5 })).toEqual({
      ok: false,
      reason: "bad_days",
    });
    expect(await w.moderation.act({ ...base, action: "warn", reason: "x".repeat(501) })).toEqual({
      ok: false,
      reason: "reason_too_long",
    });
    // A raw Telegram id (digits) or "system" is not a moderator pseudonym.
    expect(await w.moderation.act({ ...base, actor: "123456789", action: "warn" })).toEqual({
      ok: false,
      reason: "bad_actor",
    });
    expect(await w.moderation.act({ ...base, actor: "system", action: "warn" })).toEqual({
      ok: false,
      reason: "bad_actor",
    });
    expect(await w.moderation.act({ ...base, targetUserId: 99_999_999, action: "warn" })).toEqual({
      ok: false,
      reason: "not_found",
    });
    expect(await w.moderation.act({ ...base, targetUserId: other, action: "warn", reportId })).toEqual({
      ok: false,
      reason: "report_mismatch",
    });
    expect(await w.moderation.act({ ...base, action: "warn", reportId: 99_999_999 })).toEqual({
      ok: false,
      reason: "report_not_found",
    });
    expect(await w.moderation.act({ ...base, action: "unban" })).toEqual({ ok: false, reason: "not_banned" });
    expect(await w.moderation.act({ ...base, action: "unsuspend" })).toEqual({
      ok: false,
      reason: "not_suspended",
    });
    expect(await actionsOf(target)).toEqual([]);
  });

  it("suspend: for N days, ends the person's chat, refuses searches, and lapses by itself", async () => {
    const [target, peer] = (await w.people(2, ["relationships", "family-conflict"])) as [number, number];
    const { sessionId } = await startChat(w.services, { between: [target, peer] });
    const res = await w.moderation.act({ actor: "admin", targetUserId: target, action: "suspend", days: 3 });
    expect(res).toMatchObject({
      ok: true,
      action: "suspend",
      until: new Date(w.clock.now().getTime() + 3 * DAY),
    });
    if (!res.ok) throw new Error("unreachable");
    expect(res.endedChat?.sessionId).toBe(sessionId);
    expect(res.endedChat?.participants.map((p) => p.userId).sort()).toEqual([target, peer].sort());
    expect(await w.services.chats.activeChat(peer)).toBeNull();
    const [session] = await w.db.select().from(chatSessions).where(eq(chatSessions.id, sessionId));
    expect(session?.endReason).toBe("banned");
    expect(await userRow(target)).toMatchObject({ status: "suspended", suspendedUntil: res.until });
    expect(await w.services.matching.requestSearch(target)).toMatchObject({ ok: false, reason: "suspended" });

    w.clock.advance(2 * DAY);
    expect(await w.moderation.liftExpiredSuspensions()).toEqual([]);
    w.clock.advance(DAY + MINUTE);
    const lifted = await w.moderation.liftExpiredSuspensions();
    expect(lifted.map((l) => l.userId)).toContain(target);
    expect(await userRow(target)).toMatchObject({ status: "active", suspendedUntil: null });
    expect((await actionsOf(target)).map((a) => [a.actor, a.action])).toEqual([
      ["admin", "suspend"],
      ["system", "unsuspend"],
    ]);
  });

  it("ban: ends the chat with reason 'banned', withdraws open proposals; unban restores", async () => {
    const [target, peer, proposed] = (await w.people(3, ["loneliness", "adaptation"])) as [
      number,
      number,
      number,
    ];
    const { sessionId } = await startChat(w.services, { between: [target, peer] });
    // Another pair's proposal involving the target, made directly (a person in a chat is not proposed).
    const res = await w.moderation.act({
      actor: "admin",
      targetUserId: target,
      action: "ban",
      reason: "угрозы",
    });
    expect(res).toMatchObject({ ok: true, action: "ban", until: null });
    if (!res.ok) throw new Error("unreachable");
    expect(res.endedChat).toMatchObject({ sessionId, reason: "banned", endedBy: null });
    const [session] = await w.db.select().from(chatSessions).where(eq(chatSessions.id, sessionId));
    expect(session?.endReason).toBe("banned");
    expect(await userRow(target)).toMatchObject({ status: "banned" });
    expect(await w.services.matching.requestSearch(target)).toMatchObject({ ok: false, reason: "banned" });
    expect(await w.moderation.act({ actor: "admin", targetUserId: target, action: "ban" })).toEqual({
      ok: false,
      reason: "already_banned",
    });
    expect(await w.moderation.act({ actor: "admin", targetUserId: target, action: "suspend" })).toEqual({
      ok: false,
      reason: "already_banned",
    });

    const unban = await w.moderation.act({ actor: "admin", targetUserId: target, action: "unban" });
    expect(unban).toMatchObject({ ok: true, action: "unban" });
    expect(await userRow(target)).toMatchObject({ status: "active" });

    // An open proposal of someone banned is withdrawn and the other person is free again.
    const [m] = await w.db
      .insert(matches)
      .values({
        userA: target,
        userB: proposed,
        status: "proposed",
        expiresAt: new Date(w.clock.now().getTime() + 5 * MINUTE),
      })
      .returning();
    await w.db.insert(engagements).values([
      { userId: target, matchId: m!.id },
      { userId: proposed, matchId: m!.id },
    ]);
    const again = await w.moderation.act({ actor: "admin", targetUserId: target, action: "ban" });
    expect(again).toMatchObject({
      ok: true,
      withdrawnProposals: [{ matchId: m!.id, otherUserId: proposed }],
    });
    const [after] = await w.db.select().from(matches).where(eq(matches.id, m!.id));
    expect(after?.status).toBe("expired");
    expect(await w.db.select().from(engagements).where(eq(engagements.matchId, m!.id))).toEqual([]);
  });

  it("dismissing reports lifts a system suspension once fewer than 3 people's reports are open", async () => {
    const topics = ["chronic-illness", "addiction-recovery"];
    const [target] = (await w.people(1, topics)) as [number];
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await reportAgainst(target, topics));
    expect(await userRow(target)).toMatchObject({ status: "suspended", suspendedUntil: null });
    const [first, second] = ids as [number, number, number];
    const res = await w.moderation.act({
      actor: "admin",
      targetUserId: target,
      action: "dismiss",
      reportId: first,
    });
    expect(res).toMatchObject({ ok: true, reportStatus: "dismissed", liftedSuspension: true });
    expect(await userRow(target)).toMatchObject({ status: "active" });
    const [dismissed] = await w.db.select().from(reports).where(eq(reports.id, first));
    expect(dismissed).toMatchObject({ status: "dismissed", closedAt: w.clock.now() });

    // A moderator's own suspension is not lifted by dismissing another report.
    await reportAgainst(target, topics);
    expect(await userRow(target)).toMatchObject({ status: "suspended" });
    await w.moderation.act({ actor: "admin", targetUserId: target, action: "suspend", days: 10 });
    const next = await w.moderation.act({
      actor: "admin",
      targetUserId: target,
      action: "dismiss",
      reportId: second,
    });
    expect(next).toMatchObject({ ok: true, liftedSuspension: false });
    expect(await userRow(target)).toMatchObject({ status: "suspended" });
  });

  it("appeals: only while banned or suspended, once per sanction; granting lifts it", async () => {
    const [p] = (await w.people(1, ["war-stress", "violence-survivor"])) as [number];
    expect(await w.moderation.appeal(p, "Я ничего не сделал")).toEqual({
      ok: false,
      reason: "not_sanctioned",
    });
    const ban = await w.moderation.act({ actor: "admin", targetUserId: p, action: "ban" });
    if (!ban.ok) throw new Error("ban refused");
    expect(await w.moderation.appeal(p, "  \u0000 ")).toEqual({ ok: false, reason: "empty_text" });
    expect(await w.moderation.appeal(p, "а".repeat(1001))).toEqual({ ok: false, reason: "text_too_long" });
    const first = await w.moderation.appeal(p, "Прошу пересмотреть: это была шутка\u202E");
    expect(first).toMatchObject({ ok: true, moderationActionId: ban.actionId });
    expect(await w.moderation.appeal(p, "Ещё раз прошу")).toEqual({ ok: false, reason: "already_appealed" });
    const open = await w.moderation.openAppeals();
    const mine = open.find((a) => a.userId === p);
    expect(mine).toMatchObject({
      text: "Прошу пересмотреть: это была шутка",
      userStatus: "banned",
      action: { action: "ban" },
    });

    if (!first.ok) throw new Error("unreachable");
    const rejected = await w.moderation.decideAppeal(first.appealId, { actor: "admin", grant: false });
    expect(rejected).toMatchObject({ ok: true, granted: false, lifted: null });
    expect(await userRow(p)).toMatchObject({ status: "banned" });
    expect(await w.moderation.decideAppeal(first.appealId, { actor: "admin", grant: true })).toEqual({
      ok: false,
      reason: "already_decided",
    });
    expect(await w.moderation.appeal(p, "Можно ещё раз?")).toEqual({ ok: false, reason: "already_appealed" });

    // A new sanction may be appealed once more; granting lifts it.
    await w.moderation.act({ actor: "admin", targetUserId: p, action: "unban" });
    await w.moderation.act({ actor: "admin", targetUserId: p, action: "suspend", days: 5 });
    const second = await w.moderation.appeal(p, "Теперь прошу снять ограничение");
    if (!second.ok) throw new Error(`appeal refused: ${second.reason}`);
    const granted = await w.moderation.decideAppeal(second.appealId, { actor: "u_moderator01", grant: true });
    expect(granted).toMatchObject({ ok: true, granted: true, lifted: "unsuspend", userId: p });
    expect(await userRow(p)).toMatchObject({ status: "active", suspendedUntil: null });
    expect((await actionsOf(p)).map((a) => [a.actor, a.action])).toEqual([
      ["admin", "ban"],
      ["admin", "unban"],
      ["admin", "suspend"],
      ["u_moderator01", "unsuspend"],
    ]);
    expect(await w.moderation.decideAppeal(99_999_999, { actor: "admin", grant: true })).toEqual({
      ok: false,
      reason: "not_found",
    });
    const rows = await w.db.select().from(appeals).where(eq(appeals.userId, p));
    expect(rows.map((r) => r.status)).toEqual(["rejected", "granted"]);
  });

  it("granting an appeal against an old suspension does not lift a newer ban", async () => {
    const [p] = (await w.people(1, ["war-stress", "violence-survivor"])) as [number];
    await w.moderation.act({ actor: "admin", targetUserId: p, action: "suspend", days: 5 });
    const appeal = await w.moderation.appeal(p, "Прошу снять");
    if (!appeal.ok) throw new Error("appeal refused");
    await w.moderation.act({ actor: "admin", targetUserId: p, action: "ban" });
    const res = await w.moderation.decideAppeal(appeal.appealId, { actor: "admin", grant: true });
    expect(res).toMatchObject({ ok: true, granted: true, lifted: null });
    expect(await userRow(p)).toMatchObject({ status: "banned" });
  });

  it("evidence: only the reporter, only while open; deleted 30 days after the report closes", async () => {
    const topics = ["pregnancy-loss", "loss"];
    const [target] = (await w.people(1, topics)) as [number];
    const reportId = await reportAgainst(target, topics);
    const [report] = await w.db.select().from(reports).where(eq(reports.id, reportId));
    const reporter = report!.fromUser;
    expect(await w.moderation.attachEvidence(reportId, reporter, 501)).toMatchObject({ ok: true });
    expect(await w.moderation.attachEvidence(reportId, reporter, 502)).toMatchObject({ ok: true });
    expect(await w.moderation.attachEvidence(reportId, target, 503)).toEqual({
      ok: false,
      reason: "not_found",
    });
    expect(await w.moderation.attachEvidence(reportId, reporter, -1)).toEqual({
      ok: false,
      reason: "bad_message_id",
    });
    expect(await w.moderation.attachEvidence(99_999_999, reporter, 504)).toEqual({
      ok: false,
      reason: "not_found",
    });
    expect((await w.moderation.getReport(reportId))?.evidenceCount).toBe(2);

    await w.moderation.act({ actor: "admin", targetUserId: target, action: "warn", reportId });
    expect(await w.moderation.attachEvidence(reportId, reporter, 505)).toEqual({
      ok: false,
      reason: "report_closed",
    });
    w.clock.advance(29 * DAY);
    expect((await w.moderation.evidenceToDelete()).filter((e) => e.reportId === reportId)).toEqual([]);
    w.clock.advance(DAY + MINUTE);
    const due = (await w.moderation.evidenceToDelete()).filter((e) => e.reportId === reportId);
    expect(due.map((e) => e.modChatMessageId).sort()).toEqual([501, 502]);
    expect(await w.moderation.deleteEvidence(due.map((e) => e.id))).toBe(2);
    expect((await w.moderation.evidenceToDelete()).filter((e) => e.reportId === reportId)).toEqual([]);
    expect(await w.moderation.deleteEvidence([])).toBe(0);
  });

  it("evidence copies come down after 47 h (Telegram's delete window) and can be shown again from the reporter's chat", async () => {
    const topics = ["insomnia", "panic"];
    const [target] = (await w.people(1, topics)) as [number];
    const reportId = await reportAgainst(target, topics);
    const [report] = await w.db.select().from(reports).where(eq(reports.id, reportId));
    const reporter = report!.fromUser;
    await w.moderation.attachEvidence(reportId, reporter, 601, {
      sourceMessageId: 41,
      origin: "conversation",
    });
    await w.moderation.attachEvidence(reportId, reporter, 602, { sourceMessageId: 42, origin: "self" });
    const mine = async () =>
      (await w.moderation.evidenceToTakeDown()).filter((e) => [601, 602].includes(e.modChatMessageId));
    w.clock.advance(46 * HOUR);
    expect(await mine()).toEqual([]);
    w.clock.advance(HOUR + MINUTE);
    const due = await mine();
    expect(due.map((e) => e.modChatMessageId).sort()).toEqual([601, 602]);
    await w.moderation.markEvidenceTakenDown(due.map((e) => e.id));
    expect(await mine()).toEqual([]);

    const sources = await w.moderation.evidenceSources(reportId);
    const [reporterRow] = await w.db.select().from(users).where(eq(users.id, reporter));
    expect(sources.reporterTgId).toBe(reporterRow!.tgId);
    expect(sources.items.map((e) => [e.sourceMessageId, e.origin, e.shown])).toEqual([
      [41, "conversation", false],
      [42, "self", false],
    ]);
    await w.moderation.markEvidenceShown(sources.items[0]!.id, 701);
    expect((await w.moderation.evidenceSources(reportId)).items.map((e) => e.shown)).toEqual([true, false]);
    // Shown again, it comes down again 47 h later.
    w.clock.advance(47 * HOUR + MINUTE);
    expect((await w.moderation.evidenceToTakeDown()).map((e) => e.modChatMessageId)).toContain(701);
    // A reporter who erased their data cannot be reached for the source: nothing to show.
    await w.services.privacy.erase(reporter);
    expect((await w.moderation.evidenceSources(reportId)).reporterTgId).toBeNull();
  });

  it("admin queries: reports by status, people by status, a person without Telegram id", async () => {
    const topics = ["bullying", "war-stress"];
    const [target] = (await w.people(1, topics)) as [number];
    const reportId = await reportAgainst(target, topics);
    const open = await w.moderation.listReports({ status: "open", limit: 100, offset: 0 });
    expect(open.items.map((r) => r.id)).toContain(reportId);
    expect(open.items.every((r) => r.status === "new" || r.status === "in_review")).toBe(true);
    const resolved = await w.moderation.listReports({ status: "resolved", limit: 100, offset: 0 });
    expect(resolved.items.every((r) => r.status === "resolved")).toBe(true);
    expect(resolved.items.map((r) => r.id)).not.toContain(reportId);
    const paged = await w.moderation.listReports({ limit: 1, offset: 0 });
    expect(paged.items).toHaveLength(1);
    expect(paged.total).toBeGreaterThan(1);

    const banned = await w.moderation.listUsers({ status: "banned", limit: 100, offset: 0 });
    expect(banned.items.length).toBeGreaterThan(0);
    expect(banned.items.every((u) => u.status === "banned")).toBe(true);

    const active = await w.moderation.listUsers({ status: "active", limit: 100, offset: 0 });
    expect(active.items.find((u) => u.id === target)?.openReportsAgainst).toBe(1);
    const counts = active.items.map((u) => u.openReportsAgainst);
    expect(counts).toEqual([...counts].sort((x, y) => y - x));

    const view = await w.moderation.getUser(target);
    const tgId = (await userRow(target)).tgId;
    expect(view).toMatchObject({
      id: target,
      status: "active",
      reportsAgainst: { total: 1, open: 1 },
      sessions: 1,
    });
    expect(Object.keys(view!)).not.toContain("tgId");
    expect(JSON.stringify(view)).not.toContain(String(tgId));
    expect(await w.moderation.getUser(99_999_999)).toBeNull();
  });
});
