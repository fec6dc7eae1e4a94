import { and, desc, eq } from "drizzle-orm";
import type { Clock } from "../../clock.ts";
import type { Db } from "../../db/client.ts";
import { moderationActions, reports, users } from "../../db/schema.ts";
import { isReportReason } from "../../domain/report-reasons.ts";
import { endActiveChatIn, type Participant, participantsOf, setCooldownIn } from "../chats.ts";
import {
  cleanText,
  currentOrRecentSession,
  lockPeopleIn,
  openReportersCount,
  withdrawProposalsIn,
} from "./people.ts";
import { NEVER_AGAIN, REPORT_COMMENT_MAX, REPORT_INTERVAL_MS, REPORT_WINDOW_MS } from "./rules.ts";

export type ReportResult =
  | {
      ok: true;
      reportId: number;
      sessionId: number;
      reportedUserId: number;
      /** True when the report ended a running chat: tell both that the chat ended (nothing more). */
      endedChat: boolean;
      participants: Participant[];
      /** True when this report made the reported person reach the threshold and be suspended. */
      suspended: boolean;
    }
  | { ok: false; reason: "bad_reason" | "comment_too_long" | "no_peer" | "already_reported" | "other_chat" }
  | { ok: false; reason: "rate_limited"; retryAfterMs: number };

type Refusal = Extract<ReportResult, { ok: false }>;

/** Once per conversation, and at most one report a minute from the same person. */
async function refusalIn(tx: Db, reporterId: number, sessionId: number, now: Date): Promise<Refusal | null> {
  const [existing] = await tx
    .select({ id: reports.id })
    .from(reports)
    .where(and(eq(reports.chatSessionId, sessionId), eq(reports.fromUser, reporterId)));
  if (existing) return { ok: false, reason: "already_reported" };
  const [last] = await tx
    .select({ createdAt: reports.createdAt })
    .from(reports)
    .where(eq(reports.fromUser, reporterId))
    .orderBy(desc(reports.createdAt))
    .limit(1);
  if (last) {
    const elapsed = now.getTime() - last.createdAt.getTime();
    if (elapsed < REPORT_INTERVAL_MS) {
      return { ok: false, reason: "rate_limited", retryAfterMs: REPORT_INTERVAL_MS - elapsed };
    }
  }
  return null;
}

/** Open reports from `threshold` different people suspend an active person until a moderator decides. */
async function suspendAtThresholdIn(
  tx: Db,
  userId: number,
  reportId: number,
  threshold: number,
  now: Date,
): Promise<boolean> {
  const [reported] = await tx.select({ status: users.status }).from(users).where(eq(users.id, userId));
  if (reported?.status !== "active" || (await openReportersCount(tx, userId)) < threshold) return false;
  await tx
    .update(users)
    .set({ status: "suspended", suspendedUntil: null, updatedAt: now })
    .where(eq(users.id, userId));
  await tx.insert(moderationActions).values({
    targetUser: userId,
    actor: "system",
    action: "suspend",
    reason: `open reports from ${threshold}+ different people`,
    reportId,
    until: null,
    createdAt: now,
  });
  await withdrawProposalsIn(tx, userId, now);
  return true;
}

/** Reports from people about the person they talked to. */
export function createReports(deps: { db: Db; clock: Clock; threshold: number }) {
  const { db, clock, threshold } = deps;
  return {
    /**
     * The conversation /report would be about: the running chat, or the one that ended within 24 h
     * however it ended (a peer who blocked or reported first cannot escape a report that way).
     */
    async reportable(userId: number): Promise<{ sessionId: number; peerId: number } | null> {
      const target = await currentOrRecentSession(db, userId, clock.now(), REPORT_WINDOW_MS);
      return target ? { sessionId: target.sessionId, peerId: target.peerId } : null;
    },

    /**
     * Reports the peer of the person's current chat (or of the chat that ended within 24 h): ends a
     * running chat for both, keeps the two apart forever, and suspends the reported person until a
     * moderator decides once `reportThreshold` different people have open reports against them.
     */
    async report(input: {
      reporterId: number;
      reason: string;
      comment?: string | null;
      /** The conversation the reporter chose (from the /report buttons); another one is refused. */
      sessionId?: number;
    }): Promise<ReportResult> {
      if (!isReportReason(input.reason)) return { ok: false, reason: "bad_reason" };
      const comment = input.comment == null ? "" : cleanText(input.comment);
      if ([...comment].length > REPORT_COMMENT_MAX) return { ok: false, reason: "comment_too_long" };
      const now = clock.now();
      const reporterId = input.reporterId;

      return db.transaction(async (tx): Promise<ReportResult> => {
        const target = await currentOrRecentSession(tx, reporterId, now, REPORT_WINDOW_MS);
        if (!target) return { ok: false, reason: "no_peer" };
        if (input.sessionId !== undefined && input.sessionId !== target.sessionId)
          return { ok: false, reason: "other_chat" };
        // Both people, in id order, before anything else; NO KEY UPDATE leaves FK checks alone.
        const locked = await lockPeopleIn(tx, [reporterId, target.peerId]);
        if (!locked.includes(reporterId)) return { ok: false, reason: "no_peer" };
        const refusal = await refusalIn(tx, reporterId, target.sessionId, now);
        if (refusal) return refusal;

        // The partial unique index is the last word: a concurrent duplicate inserts nothing.
        const [inserted] = await tx
          .insert(reports)
          .values({
            chatSessionId: target.sessionId,
            fromUser: reporterId,
            toUser: target.peerId,
            reason: input.reason,
            comment: comment === "" ? null : comment,
            createdAt: now,
          })
          .onConflictDoNothing()
          .returning({ id: reports.id });
        if (!inserted) return { ok: false, reason: "already_reported" };

        const ended = target.active
          ? await endActiveChatIn(tx, reporterId, "reported", now, reporterId)
          : null;
        await setCooldownIn(tx, reporterId, target.peerId, NEVER_AGAIN, "reported");
        const suspended = await suspendAtThresholdIn(tx, target.peerId, inserted.id, threshold, now);

        return {
          ok: true,
          reportId: inserted.id,
          sessionId: target.sessionId,
          reportedUserId: target.peerId,
          endedChat: ended !== null,
          participants: ended?.participants ?? (await participantsOf(tx, [reporterId, target.peerId])),
          suspended,
        };
      });
    },
  };
}
