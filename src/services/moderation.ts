import { and, desc, eq, gte, inArray, isNotNull, isNull, lt, or, type SQL, sql } from "drizzle-orm";
import type { Clock } from "../clock.ts";
import type { Db } from "../db/client.ts";
import {
  appeals,
  chatSessions,
  engagements,
  matches,
  matchQueue,
  moderationActions,
  reportEvidence,
  reports,
  safetyFlags,
  users,
} from "../db/schema.ts";
import {
  type EndedChat,
  endActiveChatIn,
  expireProposalsIn,
  MET_COOLDOWN_MS,
  type Participant,
  participantsOf,
  setCooldownIn,
} from "./chats.ts";

export const DEFAULT_REPORT_THRESHOLD = 3;
/** A report may name the peer of a chat that ended this recently (people report after leaving). */
export const REPORT_WINDOW_MS = 24 * 3600_000;
export const REPORT_INTERVAL_MS = 60_000;
export const REPORT_COMMENT_MAX = 500;
export const BLOCK_COOLDOWN_MS = 30 * 24 * 3600_000;
/** "Forever" for a reported pair; a real date, because JS dates cannot hold PostgreSQL's 'infinity'. */
export const NEVER_AGAIN = new Date("9999-12-31T00:00:00Z");
export const TOXIC_STRIKES_TO_MUTE = 3;
export const STRIKE_WINDOW_MS = 24 * 3600_000;
export const MUTE_BASE_MS = 3600_000;
export const MUTE_MAX_MS = 24 * 3600_000;
/** Mutes within this window count as repeats and double the next one. */
export const MUTE_ESCALATION_WINDOW_MS = 7 * 24 * 3600_000;
export const DEFAULT_SUSPEND_DAYS = 7;
export const MAX_SUSPEND_DAYS = 365;
export const ACTION_REASON_MAX = 500;
export const APPEAL_TEXT_MAX = 1000;
/** Forwarded evidence lives in the moderators' chat this long after the report closes. */
export const EVIDENCE_RETENTION_MS = 30 * 24 * 3600_000;
export const MAX_EVIDENCE_PER_REPORT = 20;
/** Telegram deletes a bot's message only within 48 h: copies shown to moderators come down at 47 h. */
export const EVIDENCE_SHOWN_MS = 47 * 3600_000;
export type EvidenceOrigin = "conversation" | "self" | "elsewhere";

export type ReportReason = "spam" | "abuse" | "danger" | "other";
export const REPORT_REASONS: readonly ReportReason[] = ["spam", "abuse", "danger", "other"];
export type ReportStatus = "new" | "in_review" | "resolved" | "dismissed";
export const REPORT_STATUSES: readonly ReportStatus[] = ["new", "in_review", "resolved", "dismissed"];
const OPEN_STATUSES: ReportStatus[] = ["new", "in_review"];
export type ModeratorAction = "dismiss" | "warn" | "suspend" | "ban" | "unban" | "unsuspend";
export const MODERATOR_ACTIONS: readonly ModeratorAction[] = [
  "dismiss",
  "warn",
  "suspend",
  "ban",
  "unban",
  "unsuspend",
];
export type UserStatus = "active" | "suspended" | "banned" | "deleted";
export const USER_STATUSES: readonly UserStatus[] = ["active", "suspended", "banned", "deleted"];

export interface WithdrawnProposal {
  matchId: number;
  otherUserId: number;
}

/**
 * Free text people send to moderators: NFC, control and bidi-override characters removed (they can
 * hide or reorder what a moderator reads), line breaks kept, trimmed.
 */
export function cleanText(raw: string): string {
  return raw
    .normalize("NFC")
    .replace(/\r\n?/g, "\n")
    .replace(/\t/g, " ")
    .replace(/(?!\n)\p{Cc}/gu, "")
    .replace(/[\u200E\u200F\u202A-\u202E\u2066-\u2069\u061C]/gu, "")
    .trim();
}

/** A moderator is named by a pseudonym (keyed hash) or "admin", never by a raw Telegram id. */
function isValidActor(actor: string): boolean {
  return /^[A-Za-z0-9_:.-]{1,64}$/.test(actor) && !/^\d+$/.test(actor) && actor !== "system";
}

export async function lockPeopleIn(tx: Db, ids: number[]): Promise<number[]> {
  const rows = await tx
    .select({ id: users.id })
    .from(users)
    .where(inArray(users.id, [...new Set(ids)]))
    .orderBy(users.id)
    .for("no key update");
  return rows.map((r) => r.id);
}

/** Open proposals of a person who may no longer talk to anyone: expired, both sides freed. */
export async function withdrawProposalsIn(tx: Db, userId: number, now: Date): Promise<WithdrawnProposal[]> {
  const open = await tx
    .select({ id: matches.id, userA: matches.userA, userB: matches.userB })
    .from(matches)
    .where(and(eq(matches.status, "proposed"), or(eq(matches.userA, userId), eq(matches.userB, userId))))
    .for("update");
  if (open.length === 0) return [];
  const ids = open.map((m) => m.id);
  await expireProposalsIn(tx, ids, now);
  await tx.delete(matchQueue).where(eq(matchQueue.userId, userId));
  return open.map((m) => ({ matchId: m.id, otherUserId: m.userA === userId ? m.userB : m.userA }));
}

/** The person's current chat, or the most recent one that ended within `windowMs`. */
async function currentOrRecentSession(db: Db, userId: number, now: Date, windowMs: number) {
  const [active] = await db
    .select({ sessionId: chatSessions.id, userA: matches.userA, userB: matches.userB })
    .from(engagements)
    .innerJoin(matches, eq(matches.id, engagements.matchId))
    .innerJoin(chatSessions, eq(chatSessions.matchId, matches.id))
    .where(and(eq(engagements.userId, userId), eq(matches.status, "active"), isNull(chatSessions.endedAt)));
  if (active) {
    return { ...active, peerId: active.userA === userId ? active.userB : active.userA, active: true };
  }
  const [recent] = await db
    .select({ sessionId: chatSessions.id, userA: matches.userA, userB: matches.userB })
    .from(chatSessions)
    .innerJoin(matches, eq(matches.id, chatSessions.matchId))
    .where(
      and(
        or(eq(matches.userA, userId), eq(matches.userB, userId)),
        gte(chatSessions.endedAt, new Date(now.getTime() - windowMs)),
      ),
    )
    .orderBy(desc(chatSessions.endedAt), desc(chatSessions.id))
    .limit(1);
  if (!recent) return null;
  return { ...recent, peerId: recent.userA === userId ? recent.userB : recent.userA, active: false };
}

async function openReportersCount(tx: Db, userId: number): Promise<number> {
  const [row] = await tx
    .select({ n: sql<number>`count(distinct ${reports.fromUser})::int` })
    .from(reports)
    .where(and(eq(reports.toUser, userId), inArray(reports.status, OPEN_STATUSES)));
  return row?.n ?? 0;
}

/** The latest ban or suspension of a person: what an appeal is about. */
async function latestSanctionIn(tx: Db, userId: number) {
  const [row] = await tx
    .select()
    .from(moderationActions)
    .where(
      and(eq(moderationActions.targetUser, userId), inArray(moderationActions.action, ["ban", "suspend"])),
    )
    .orderBy(desc(moderationActions.createdAt), desc(moderationActions.id))
    .limit(1);
  return row ?? null;
}

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

export type BlockResult =
  | {
      ok: true;
      sessionId: number;
      blockedUserId: number;
      endedChat: boolean;
      participants: Participant[];
      until: Date;
    }
  | { ok: false; reason: "no_peer" };

export interface StrikeInput {
  sessionId: number | null;
  labels: readonly string[];
  severity: number;
}

export interface StrikeResult {
  flagId: number;
  /** Toxicity strikes of this person in the last 24 h, this one included. */
  recentStrikes: number;
  muted: boolean;
  until: Date | null;
  /** True exactly when this strike started a mute: moderators get one alert per mute. */
  alertModerators: boolean;
}

export type ActRejection =
  | "bad_actor"
  | "bad_action"
  | "bad_days"
  | "reason_too_long"
  | "not_found"
  | "report_not_found"
  | "report_mismatch"
  | "report_closed"
  | "report_required"
  | "user_deleted"
  | "already_banned"
  | "not_banned"
  | "not_suspended";

export type ActResult =
  | {
      ok: true;
      actionId: number;
      action: ModeratorAction;
      targetUserId: number;
      /** To notify the person (bot only; never in admin API responses). */
      targetTgId: number | null;
      until: Date | null;
      reportId: number | null;
      reportStatus: ReportStatus | null;
      reporterId: number | null;
      /** A dismissal brought a system suspension below the threshold and lifted it. */
      liftedSuspension: boolean;
      endedChat: EndedChat | null;
      withdrawnProposals: WithdrawnProposal[];
    }
  | { ok: false; reason: ActRejection };

export type AppealResult =
  | { ok: true; appealId: number; moderationActionId: number }
  | {
      ok: false;
      reason: "not_found" | "not_sanctioned" | "empty_text" | "text_too_long" | "already_appealed";
    };

export type DecideAppealResult =
  | {
      ok: true;
      appealId: number;
      userId: number;
      tgId: number | null;
      granted: boolean;
      /** What the grant lifted; null when rejected or when the sanction had already ended or changed. */
      lifted: "unban" | "unsuspend" | null;
    }
  | { ok: false; reason: "not_found" | "already_decided" | "bad_actor" };

export interface ReportView {
  id: number;
  sessionId: number | null;
  fromUser: number;
  toUser: number;
  reason: string;
  status: string;
  comment: string | null;
  createdAt: Date;
  closedAt: Date | null;
  evidenceCount: number;
}

export interface UserView {
  id: number;
  nickname: string | null;
  status: string;
  suspendedUntil: Date | null;
  mutedUntil: Date | null;
  toxicityStrikes: number;
  createdAt: Date;
  lastSeenAt: Date | null;
  deletedAt: Date | null;
  reportsAgainst: { total: number; open: number; openFromDistinctPeople: number };
  reportsBy: number;
  sessions: number;
  safetyFlags: { toxicity: number; crisis: number };
  actions: Array<{
    id: number;
    action: string;
    actor: string;
    reason: string | null;
    until: Date | null;
    createdAt: Date;
  }>;
}

export interface UserListItem {
  id: number;
  nickname: string | null;
  status: string;
  suspendedUntil: Date | null;
  mutedUntil: Date | null;
  toxicityStrikes: number;
  openReportsAgainst: number;
  createdAt: Date;
}

export interface AppealView {
  id: number;
  userId: number;
  nickname: string | null;
  userStatus: string;
  text: string | null;
  createdAt: Date;
  action: { id: number; action: string; reason: string | null; until: Date | null; createdAt: Date };
}

/**
 * Reports, blocks, toxicity strikes and mutes, crisis flags, moderator actions and appeals.
 * Only ids, counters and what people wrote to moderators are stored: never chat messages.
 */
export function createModerationService(deps: { db: Db; clock: Clock; reportThreshold?: number }) {
  const { db, clock } = deps;
  const threshold = deps.reportThreshold ?? DEFAULT_REPORT_THRESHOLD;

  async function crisisFlagWhere(...conditions: SQL[]): Promise<boolean> {
    const [row] = await db
      .select({ id: safetyFlags.id })
      .from(safetyFlags)
      .where(and(eq(safetyFlags.source, "crisis"), ...conditions))
      .limit(1);
    return row !== undefined;
  }

  const service = {
    reportThreshold: threshold,

    /**
     * Reports the peer of the person's current chat (or of the chat that ended within 24 h): ends a
     * running chat for both, keeps the two apart forever, and suspends the reported person until a
     * moderator decides once `reportThreshold` different people have open reports against them.
     */
    /**
     * The conversation /report would be about: the running chat, or the one that ended within 24 h
     * however it ended (a peer who blocked or reported first cannot escape a report that way).
     */
    async reportable(userId: number): Promise<{ sessionId: number; peerId: number } | null> {
      const target = await currentOrRecentSession(db, userId, clock.now(), REPORT_WINDOW_MS);
      return target ? { sessionId: target.sessionId, peerId: target.peerId } : null;
    },

    async report(input: {
      reporterId: number;
      reason: string;
      comment?: string | null;
      /** The conversation the reporter chose (from the /report buttons); another one is refused. */
      sessionId?: number;
    }): Promise<ReportResult> {
      if (!REPORT_REASONS.includes(input.reason as ReportReason)) return { ok: false, reason: "bad_reason" };
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

        const [existing] = await tx
          .select({ id: reports.id })
          .from(reports)
          .where(and(eq(reports.chatSessionId, target.sessionId), eq(reports.fromUser, reporterId)));
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

        let suspended = false;
        const [reported] = await tx
          .select({ status: users.status })
          .from(users)
          .where(eq(users.id, target.peerId));
        if (reported?.status === "active" && (await openReportersCount(tx, target.peerId)) >= threshold) {
          await tx
            .update(users)
            .set({ status: "suspended", suspendedUntil: null, updatedAt: now })
            .where(eq(users.id, target.peerId));
          await tx.insert(moderationActions).values({
            targetUser: target.peerId,
            actor: "system",
            action: "suspend",
            reason: `open reports from ${threshold}+ different people`,
            reportId: inserted.id,
            until: null,
            createdAt: now,
          });
          await withdrawProposalsIn(tx, target.peerId, now);
          suspended = true;
        }

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

    /** A copy the bot made in the moderators' chat, attached by the reporter while the report is open. */
    async attachEvidence(
      reportId: number,
      reporterId: number,
      modChatMessageId: number,
      source: { sourceMessageId?: number; origin?: EvidenceOrigin } = {},
    ): Promise<
      | { ok: true; evidenceId: number }
      | { ok: false; reason: "not_found" | "report_closed" | "bad_message_id" | "too_many" }
    > {
      if (!Number.isSafeInteger(modChatMessageId) || modChatMessageId <= 0) {
        return { ok: false, reason: "bad_message_id" };
      }
      return db.transaction(async (tx) => {
        const [report] = await tx.select().from(reports).where(eq(reports.id, reportId)).for("update");
        // Someone else's report looks the same as none: no probing of report ids.
        if (!report || report.fromUser !== reporterId) return { ok: false, reason: "not_found" };
        if (!OPEN_STATUSES.includes(report.status as ReportStatus))
          return { ok: false, reason: "report_closed" };
        const [count] = await tx
          .select({ n: sql<number>`count(*)::int` })
          .from(reportEvidence)
          .where(eq(reportEvidence.reportId, reportId));
        if ((count?.n ?? 0) >= MAX_EVIDENCE_PER_REPORT) return { ok: false, reason: "too_many" };
        const [row] = await tx
          .insert(reportEvidence)
          .values({
            reportId,
            modChatMessageId,
            shownAt: clock.now(),
            sourceMessageId: source.sourceMessageId ?? null,
            origin: source.origin ?? "conversation",
            createdAt: clock.now(),
          })
          .returning({ id: reportEvidence.id });
        if (!row) throw new Error("evidence not stored");
        return { ok: true, evidenceId: row.id };
      });
    },

    /** Copies shown to moderators 47 h ago or more: the bot deletes them while Telegram still allows it. */
    async evidenceToTakeDown(limit = 500): Promise<Array<{ id: number; modChatMessageId: number }>> {
      const cutoff = new Date(clock.now().getTime() - EVIDENCE_SHOWN_MS);
      const rows = await db
        .select({ id: reportEvidence.id, modChatMessageId: reportEvidence.modChatMessageId })
        .from(reportEvidence)
        .where(and(isNotNull(reportEvidence.modChatMessageId), lt(reportEvidence.shownAt, cutoff)))
        .orderBy(reportEvidence.id)
        .limit(limit);
      return rows.flatMap((r) =>
        r.modChatMessageId === null ? [] : [{ id: r.id, modChatMessageId: r.modChatMessageId }],
      );
    },

    /** The copies are gone from the moderators' chat; the evidence stays with its report, to be shown again. */
    async markEvidenceTakenDown(ids: number[]): Promise<void> {
      if (ids.length === 0) return;
      await db
        .update(reportEvidence)
        .set({ modChatMessageId: null, shownAt: null })
        .where(inArray(reportEvidence.id, ids));
    },

    /**
     * A report's evidence to show again: where each piece is in the reporter's chat. Empty when the
     * report is gone, has none, or its reporter erased their data (their chat is out of reach).
     */
    async evidenceSources(reportId: number): Promise<{
      reporterTgId: number | null;
      items: Array<{ id: number; sourceMessageId: number; origin: EvidenceOrigin; shown: boolean }>;
    }> {
      const [report] = await db
        .select({ tgId: users.tgId })
        .from(reports)
        .innerJoin(users, eq(users.id, reports.fromUser))
        .where(eq(reports.id, reportId));
      const rows = await db
        .select()
        .from(reportEvidence)
        .where(eq(reportEvidence.reportId, reportId))
        .orderBy(reportEvidence.id);
      return {
        reporterTgId: report?.tgId ?? null,
        items: rows.flatMap((r) =>
          r.sourceMessageId === null
            ? []
            : [
                {
                  id: r.id,
                  sourceMessageId: r.sourceMessageId,
                  origin: r.origin as EvidenceOrigin,
                  shown: r.modChatMessageId !== null,
                },
              ],
        ),
      };
    },

    async markEvidenceShown(id: number, modChatMessageId: number): Promise<void> {
      await db
        .update(reportEvidence)
        .set({ modChatMessageId, shownAt: clock.now() })
        .where(eq(reportEvidence.id, id));
    },

    /** Evidence of reports closed more than 30 days ago: the bot deletes copies still shown, then calls deleteEvidence. */
    async evidenceToDelete(
      limit = 500,
    ): Promise<Array<{ id: number; reportId: number; modChatMessageId: number | null }>> {
      const cutoff = new Date(clock.now().getTime() - EVIDENCE_RETENTION_MS);
      return db
        .select({
          id: reportEvidence.id,
          reportId: reportEvidence.reportId,
          modChatMessageId: reportEvidence.modChatMessageId,
        })
        .from(reportEvidence)
        .innerJoin(reports, eq(reports.id, reportEvidence.reportId))
        .where(and(inArray(reports.status, ["resolved", "dismissed"]), lt(reports.closedAt, cutoff)))
        .orderBy(reportEvidence.id)
        .limit(limit);
    },

    async deleteEvidence(ids: number[]): Promise<number> {
      if (ids.length === 0) return 0;
      const gone = await db
        .delete(reportEvidence)
        .where(inArray(reportEvidence.id, ids))
        .returning({ id: reportEvidence.id });
      return gone.length;
    },

    /**
     * Ends the active chat for both and keeps the two apart for 30 days. Without an active chat, the
     * peer of the chat that ended within 24 h is blocked. The blocked person is told only that the chat ended.
     */
    async block(blockerId: number): Promise<BlockResult> {
      const now = clock.now();
      return db.transaction(async (tx): Promise<BlockResult> => {
        const target = await currentOrRecentSession(tx, blockerId, now, REPORT_WINDOW_MS);
        if (!target) return { ok: false, reason: "no_peer" };
        const ended = target.active ? await endActiveChatIn(tx, blockerId, "blocked", now, blockerId) : null;
        const until = new Date(now.getTime() + BLOCK_COOLDOWN_MS);
        await setCooldownIn(tx, blockerId, target.peerId, until, "blocked");
        return {
          ok: true,
          sessionId: target.sessionId,
          blockedUserId: target.peerId,
          endedChat: ended !== null,
          participants: ended?.participants ?? (await participantsOf(tx, [blockerId, target.peerId])),
          until,
        };
      });
    },

    /**
     * A withheld toxic message. Three strikes within 24 h mute the sender for 1 h, doubling for each
     * further mute within 7 days (at most 24 h); the strike that starts a mute alerts moderators.
     */
    async recordToxicStrike(userId: number, input: StrikeInput): Promise<StrikeResult> {
      const severity = checkSeverity(input.severity);
      const now = clock.now();
      return db.transaction(async (tx) => {
        const [user] = await tx
          .select({ mutedUntil: users.mutedUntil })
          .from(users)
          .where(eq(users.id, userId))
          .for("no key update");
        if (!user) throw new Error(`no user ${userId}`);
        await tx
          .update(users)
          .set({ toxicityStrikes: sql`${users.toxicityStrikes} + 1`, updatedAt: now })
          .where(eq(users.id, userId));
        const [flag] = await tx
          .insert(safetyFlags)
          .values({
            chatSessionId: input.sessionId,
            userId,
            label: flagLabel(input.labels, "toxicity"),
            severity,
            source: "toxicity",
            createdAt: now,
          })
          .returning({ id: safetyFlags.id });
        if (!flag) throw new Error("flag not stored");
        const [count] = await tx
          .select({ n: sql<number>`count(*)::int` })
          .from(safetyFlags)
          .where(
            and(
              eq(safetyFlags.userId, userId),
              eq(safetyFlags.source, "toxicity"),
              gte(safetyFlags.createdAt, new Date(now.getTime() - STRIKE_WINDOW_MS)),
            ),
          );
        const recentStrikes = count?.n ?? 0;
        if (user.mutedUntil && user.mutedUntil > now) {
          return {
            flagId: flag.id,
            recentStrikes,
            muted: true,
            until: user.mutedUntil,
            alertModerators: false,
          };
        }
        if (recentStrikes < TOXIC_STRIKES_TO_MUTE) {
          return { flagId: flag.id, recentStrikes, muted: false, until: null, alertModerators: false };
        }
        const [mutes] = await tx
          .select({ n: sql<number>`count(*)::int` })
          .from(moderationActions)
          .where(
            and(
              eq(moderationActions.targetUser, userId),
              eq(moderationActions.action, "mute"),
              gte(moderationActions.createdAt, new Date(now.getTime() - MUTE_ESCALATION_WINDOW_MS)),
            ),
          );
        const ms = Math.min(MUTE_BASE_MS * 2 ** Math.min(mutes?.n ?? 0, 10), MUTE_MAX_MS);
        const until = new Date(now.getTime() + ms);
        await tx.update(users).set({ mutedUntil: until }).where(eq(users.id, userId));
        await tx.insert(moderationActions).values({
          targetUser: userId,
          actor: "system",
          action: "mute",
          reason: `${recentStrikes} toxicity strikes within 24 h`,
          until,
          createdAt: now,
        });
        return { flagId: flag.id, recentStrikes, muted: true, until, alertModerators: true };
      });
    },

    async isMuted(userId: number): Promise<boolean> {
      const [row] = await db.select({ mutedUntil: users.mutedUntil }).from(users).where(eq(users.id, userId));
      return row?.mutedUntil != null && row.mutedUntil > clock.now();
    },

    /** Signs of crisis in a person's message: a flag (never the text); severity 3 alerts moderators. */
    async recordCrisisFlag(
      userId: number,
      input: StrikeInput,
    ): Promise<{ flagId: number; alertModerators: boolean }> {
      const severity = checkSeverity(input.severity);
      const [flag] = await db
        .insert(safetyFlags)
        .values({
          chatSessionId: input.sessionId,
          userId,
          label: flagLabel(input.labels, "crisis"),
          severity,
          source: "crisis",
          createdAt: clock.now(),
        })
        .returning({ id: safetyFlags.id });
      if (!flag) throw new Error("flag not stored");
      return { flagId: flag.id, alertModerators: severity >= 3 };
    },

    /**
     * What a person wrote to the moderators, read on a moderator's request: the moderators' chat holds
     * only ids and categories, so the text goes with the report or appeal (and with /delete).
     */
    async writtenText(kind: "report" | "appeal", id: number): Promise<string | null> {
      if (kind === "report") {
        const [row] = await db.select({ text: reports.comment }).from(reports).where(eq(reports.id, id));
        return row?.text ?? null;
      }
      const [row] = await db.select({ text: appeals.text }).from(appeals).where(eq(appeals.id, id));
      return row?.text ?? null;
    },

    /** Whether this person showed signs of crisis in this conversation (their /end looks different). */
    crisisInSession(sessionId: number, userId: number): Promise<boolean> {
      return crisisFlagWhere(eq(safetyFlags.chatSessionId, sessionId), eq(safetyFlags.userId, userId));
    },

    /** For the AI coach: whether anyone in this chat showed signs of crisis recently. */
    hasRecentCrisisFlag(sessionId: number, withinMs: number): Promise<boolean> {
      return crisisFlagWhere(
        eq(safetyFlags.chatSessionId, sessionId),
        gte(safetyFlags.createdAt, new Date(clock.now().getTime() - withinMs)),
      );
    },

    /**
     * A moderator's decision. suspend/ban/warn resolve the given report, dismiss closes it (and lifts a
     * system suspension that no longer has enough open reports behind it). suspend and ban also end
     * the person's running chat (reason 'banned') and withdraw their open proposals.
     */
    async act(input: {
      actor: string;
      targetUserId: number;
      action: string;
      reportId?: number | null;
      reason?: string | null;
      days?: number | null;
    }): Promise<ActResult> {
      if (!isValidActor(input.actor)) return { ok: false, reason: "bad_actor" };
      if (!MODERATOR_ACTIONS.includes(input.action as ModeratorAction))
        return { ok: false, reason: "bad_action" };
      const action = input.action as ModeratorAction;
      const days = input.days ?? DEFAULT_SUSPEND_DAYS;
      if (!Number.isInteger(days) || days < 1 || days > MAX_SUSPEND_DAYS)
        return { ok: false, reason: "bad_days" };
      const reason = input.reason == null ? "" : cleanText(input.reason);
      if ([...reason].length > ACTION_REASON_MAX) return { ok: false, reason: "reason_too_long" };
      const reportId = input.reportId ?? null;
      if (action === "dismiss" && reportId === null) return { ok: false, reason: "report_required" };
      const now = clock.now();

      return db.transaction(async (tx): Promise<ActResult> => {
        const [user] = await tx
          .select()
          .from(users)
          .where(eq(users.id, input.targetUserId))
          .for("no key update");
        if (!user) return { ok: false, reason: "not_found" };
        let report: typeof reports.$inferSelect | null = null;
        if (reportId !== null) {
          const [r] = await tx.select().from(reports).where(eq(reports.id, reportId)).for("update");
          if (!r) return { ok: false, reason: "report_not_found" };
          if (r.toUser !== user.id) return { ok: false, reason: "report_mismatch" };
          report = r;
        }
        const closesReport =
          action === "dismiss" || action === "warn" || action === "suspend" || action === "ban";
        if (report && closesReport && !OPEN_STATUSES.includes(report.status as ReportStatus)) {
          return { ok: false, reason: "report_closed" };
        }
        if (user.status === "deleted" && action !== "dismiss") return { ok: false, reason: "user_deleted" };
        if (action === "suspend" && user.status === "banned") return { ok: false, reason: "already_banned" };
        if (action === "ban" && user.status === "banned") return { ok: false, reason: "already_banned" };
        if (action === "unban" && user.status !== "banned") return { ok: false, reason: "not_banned" };
        if (action === "unsuspend" && user.status !== "suspended")
          return { ok: false, reason: "not_suspended" };

        let until: Date | null = null;
        let endedChat: EndedChat | null = null;
        let withdrawn: WithdrawnProposal[] = [];
        if (action === "suspend" || action === "ban") {
          until = action === "suspend" ? new Date(now.getTime() + days * 24 * 3600_000) : null;
          await tx
            .update(users)
            .set({ status: action === "ban" ? "banned" : "suspended", suspendedUntil: until, updatedAt: now })
            .where(eq(users.id, user.id));
          const ended = await endActiveChatIn(tx, user.id, "banned", now, null);
          if (ended) {
            await setCooldownIn(
              tx,
              ended.userA,
              ended.userB,
              new Date(now.getTime() + MET_COOLDOWN_MS),
              "met",
            );
            endedChat = {
              sessionId: ended.sessionId,
              reason: ended.reason,
              endedBy: null,
              participants: ended.participants,
            };
          }
          withdrawn = await withdrawProposalsIn(tx, user.id, now);
        } else if (action === "unban" || action === "unsuspend") {
          await tx
            .update(users)
            .set({ status: "active", suspendedUntil: null, updatedAt: now })
            .where(eq(users.id, user.id));
        }

        const [row] = await tx
          .insert(moderationActions)
          .values({
            targetUser: user.id,
            actor: input.actor,
            action,
            reason: reason === "" ? null : reason,
            reportId,
            until,
            createdAt: now,
          })
          .returning({ id: moderationActions.id });
        if (!row) throw new Error("action not stored");

        let reportStatus: ReportStatus | null = report ? (report.status as ReportStatus) : null;
        if (report && closesReport) {
          reportStatus = action === "dismiss" ? "dismissed" : "resolved";
          await tx
            .update(reports)
            .set({ status: reportStatus, closedAt: now })
            .where(eq(reports.id, report.id));
        }

        let liftedSuspension = false;
        if (action === "dismiss" && user.status === "suspended" && user.suspendedUntil === null) {
          const sanction = await latestSanctionIn(tx, user.id);
          if (sanction?.actor === "system" && (await openReportersCount(tx, user.id)) < threshold) {
            await tx
              .update(users)
              .set({ status: "active", suspendedUntil: null, updatedAt: now })
              .where(eq(users.id, user.id));
            await tx.insert(moderationActions).values({
              targetUser: user.id,
              actor: "system",
              action: "unsuspend",
              reason: "open reports fell below the threshold",
              createdAt: now,
            });
            liftedSuspension = true;
          }
        }

        return {
          ok: true,
          actionId: row.id,
          action,
          targetUserId: user.id,
          targetTgId: user.tgId,
          until,
          reportId,
          reportStatus,
          reporterId: report?.fromUser ?? null,
          liftedSuspension,
          endedChat,
          withdrawnProposals: withdrawn,
        };
      });
    },

    /** Timed suspensions that ran out: people become active again (the bot may tell them). */
    async liftExpiredSuspensions(): Promise<Participant[]> {
      const now = clock.now();
      return db.transaction(async (tx) => {
        const lifted = await tx
          .update(users)
          .set({ status: "active", suspendedUntil: null, updatedAt: now })
          .where(and(eq(users.status, "suspended"), lt(users.suspendedUntil, now)))
          .returning({ userId: users.id, tgId: users.tgId });
        if (lifted.length > 0) {
          await tx.insert(moderationActions).values(
            lifted.map((l) => ({
              targetUser: l.userId,
              actor: "system",
              action: "unsuspend",
              reason: "suspension ended",
              createdAt: now,
            })),
          );
        }
        return lifted;
      });
    },

    /** One appeal per ban or suspension, by the person it is about, while it lasts. */
    async appeal(userId: number, rawText: string): Promise<AppealResult> {
      const text = cleanText(rawText);
      if (text === "") return { ok: false, reason: "empty_text" };
      if ([...text].length > APPEAL_TEXT_MAX) return { ok: false, reason: "text_too_long" };
      const now = clock.now();
      return db.transaction(async (tx): Promise<AppealResult> => {
        const [user] = await tx.select().from(users).where(eq(users.id, userId)).for("no key update");
        if (!user) return { ok: false, reason: "not_found" };
        const sanctioned =
          user.status === "banned" ||
          (user.status === "suspended" && (user.suspendedUntil === null || user.suspendedUntil > now));
        if (!sanctioned) return { ok: false, reason: "not_sanctioned" };
        const sanction = await latestSanctionIn(tx, userId);
        if (!sanction) return { ok: false, reason: "not_sanctioned" };
        const [row] = await tx
          .insert(appeals)
          .values({ userId, moderationActionId: sanction.id, text, createdAt: now })
          .onConflictDoNothing({ target: appeals.moderationActionId })
          .returning({ id: appeals.id });
        if (!row) return { ok: false, reason: "already_appealed" };
        return { ok: true, appealId: row.id, moderationActionId: sanction.id };
      });
    },

    async decideAppeal(
      appealId: number,
      input: { actor: string; grant: boolean },
    ): Promise<DecideAppealResult> {
      if (!isValidActor(input.actor)) return { ok: false, reason: "bad_actor" };
      const now = clock.now();
      return db.transaction(async (tx): Promise<DecideAppealResult> => {
        const [appeal] = await tx.select().from(appeals).where(eq(appeals.id, appealId)).for("update");
        if (!appeal) return { ok: false, reason: "not_found" };
        if (appeal.status !== "open") return { ok: false, reason: "already_decided" };
        const [user] = await tx.select().from(users).where(eq(users.id, appeal.userId)).for("no key update");
        if (!user) return { ok: false, reason: "not_found" };
        await tx
          .update(appeals)
          .set({ status: input.grant ? "granted" : "rejected", decidedAt: now })
          .where(eq(appeals.id, appealId));
        let lifted: "unban" | "unsuspend" | null = null;
        if (input.grant) {
          // Only the sanction appealed against is lifted: not a newer one imposed since.
          const latest = await latestSanctionIn(tx, user.id);
          const current =
            latest?.id === appeal.moderationActionId &&
            ((latest.action === "ban" && user.status === "banned") ||
              (latest.action === "suspend" && user.status === "suspended"));
          if (current && latest) {
            lifted = latest.action === "ban" ? "unban" : "unsuspend";
            await tx
              .update(users)
              .set({ status: "active", suspendedUntil: null, updatedAt: now })
              .where(eq(users.id, user.id));
            await tx.insert(moderationActions).values({
              targetUser: user.id,
              actor: input.actor,
              action: lifted,
              reason: `appeal ${appealId} granted`,
              createdAt: now,
            });
          }
        }
        return { ok: true, appealId, userId: user.id, tgId: user.tgId, granted: input.grant, lifted };
      });
    },

    async openAppeals(limit = 100): Promise<AppealView[]> {
      const rows = await db
        .select({
          appeal: appeals,
          action: moderationActions,
          nickname: users.nickname,
          userStatus: users.status,
        })
        .from(appeals)
        .innerJoin(moderationActions, eq(moderationActions.id, appeals.moderationActionId))
        .innerJoin(users, eq(users.id, appeals.userId))
        .where(eq(appeals.status, "open"))
        .orderBy(appeals.createdAt, appeals.id)
        .limit(limit);
      return rows.map((r) => ({
        id: r.appeal.id,
        userId: r.appeal.userId,
        nickname: r.nickname,
        userStatus: r.userStatus,
        text: r.appeal.text,
        createdAt: r.appeal.createdAt,
        action: {
          id: r.action.id,
          action: r.action.action,
          reason: r.action.reason,
          until: r.action.until,
          createdAt: r.action.createdAt,
        },
      }));
    },

    async getReport(reportId: number): Promise<ReportView | null> {
      const { items } = await listReportsWhere(eq(reports.id, reportId), 1, 0);
      return items[0] ?? null;
    },

    /** Newest first. status "open" = new or in_review. */
    async listReports(opts: { status?: ReportStatus | "open"; limit: number; offset: number }) {
      const where =
        opts.status === undefined
          ? undefined
          : opts.status === "open"
            ? inArray(reports.status, OPEN_STATUSES)
            : eq(reports.status, opts.status);
      return listReportsWhere(where, opts.limit, opts.offset);
    },

    /** What moderators see about a person: no Telegram id, no message content. */
    async getUser(userId: number): Promise<UserView | null> {
      const [user] = await db.select().from(users).where(eq(users.id, userId));
      if (!user) return null;
      const [against] = await db
        .select({
          total: sql<number>`count(*)::int`,
          open: sql<number>`count(*) filter (where ${reports.status} in ('new','in_review'))::int`,
          openDistinct: sql<number>`count(distinct ${reports.fromUser}) filter (where ${reports.status} in ('new','in_review'))::int`,
        })
        .from(reports)
        .where(eq(reports.toUser, userId));
      const [by] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(reports)
        .where(eq(reports.fromUser, userId));
      const [sessions] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(chatSessions)
        .innerJoin(matches, eq(matches.id, chatSessions.matchId))
        .where(or(eq(matches.userA, userId), eq(matches.userB, userId)));
      const [flags] = await db
        .select({
          toxicity: sql<number>`count(*) filter (where ${safetyFlags.source} = 'toxicity')::int`,
          crisis: sql<number>`count(*) filter (where ${safetyFlags.source} = 'crisis')::int`,
        })
        .from(safetyFlags)
        .where(eq(safetyFlags.userId, userId));
      const actions = await db
        .select({
          id: moderationActions.id,
          action: moderationActions.action,
          actor: moderationActions.actor,
          reason: moderationActions.reason,
          until: moderationActions.until,
          createdAt: moderationActions.createdAt,
        })
        .from(moderationActions)
        .where(eq(moderationActions.targetUser, userId))
        .orderBy(desc(moderationActions.createdAt), desc(moderationActions.id))
        .limit(50);
      return {
        id: user.id,
        nickname: user.nickname,
        status: user.status,
        suspendedUntil: user.suspendedUntil,
        mutedUntil: user.mutedUntil,
        toxicityStrikes: user.toxicityStrikes,
        createdAt: user.createdAt,
        lastSeenAt: user.lastSeenAt,
        deletedAt: user.deletedAt,
        reportsAgainst: {
          total: against?.total ?? 0,
          open: against?.open ?? 0,
          openFromDistinctPeople: against?.openDistinct ?? 0,
        },
        reportsBy: by?.n ?? 0,
        sessions: sessions?.n ?? 0,
        safetyFlags: { toxicity: flags?.toxicity ?? 0, crisis: flags?.crisis ?? 0 },
        actions,
      };
    },

    /** Most open reports first, then newest. */
    async listUsers(opts: { status?: UserStatus; limit: number; offset: number }) {
      const where = opts.status ? eq(users.status, opts.status) : undefined;
      // Correlated subqueries name the outer table explicitly: drizzle renders a lone column unqualified.
      const openAgainst = sql<number>`(select count(*) from reports r where r.to_user = "users"."id" and r.status in ('new','in_review'))::int`;
      const items: UserListItem[] = await db
        .select({
          id: users.id,
          nickname: users.nickname,
          status: users.status,
          suspendedUntil: users.suspendedUntil,
          mutedUntil: users.mutedUntil,
          toxicityStrikes: users.toxicityStrikes,
          openReportsAgainst: openAgainst,
          createdAt: users.createdAt,
        })
        .from(users)
        .where(where)
        .orderBy(desc(openAgainst), desc(users.id))
        .limit(opts.limit)
        .offset(opts.offset);
      const [total] = await db.select({ n: sql<number>`count(*)::int` }).from(users).where(where);
      return { items, total: total?.n ?? 0 };
    },
  };

  async function listReportsWhere(where: SQL | undefined, limit: number, offset: number) {
    const items: ReportView[] = await db
      .select({
        id: reports.id,
        sessionId: reports.chatSessionId,
        fromUser: reports.fromUser,
        toUser: reports.toUser,
        reason: reports.reason,
        status: reports.status,
        comment: reports.comment,
        createdAt: reports.createdAt,
        closedAt: reports.closedAt,
        evidenceCount: sql<number>`(select count(*) from report_evidence e where e.report_id = "reports"."id")::int`,
      })
      .from(reports)
      .where(where)
      .orderBy(desc(reports.createdAt), desc(reports.id))
      .limit(limit)
      .offset(offset);
    const [total] = await db.select({ n: sql<number>`count(*)::int` }).from(reports).where(where);
    return { items, total: total?.n ?? 0 };
  }

  return service;
}

function checkSeverity(severity: number): number {
  if (!Number.isInteger(severity) || severity < 0 || severity > 3) {
    throw new RangeError(`severity must be an integer 0..3, got ${severity}`);
  }
  return severity;
}

function flagLabel(labels: readonly string[], fallback: string): string {
  const first = labels[0]?.trim();
  return (first && first.length > 0 ? first : fallback).slice(0, 32);
}

export type ModerationService = ReturnType<typeof createModerationService>;
