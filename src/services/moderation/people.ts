import { and, desc, eq, gte, inArray, isNull, or, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import {
  chatSessions,
  engagements,
  matches,
  matchQueue,
  moderationActions,
  reports,
  users,
} from "../../db/schema.ts";
import { expireProposalsIn } from "../chats.ts";
import { OPEN_STATUSES } from "./rules.ts";

/**
 * What every moderation seam does to a person inside its transaction: lock them, withdraw their
 * proposals, restore them, read their latest sanction and the reports against them.
 */

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
export function isValidActor(actor: string): boolean {
  return /^[A-Za-z0-9_:.-]{1,64}$/.test(actor) && !/^\d+$/.test(actor) && actor !== "system";
}

/** The people's rows, FOR NO KEY UPDATE in id order (so two transactions never lock them crosswise). */
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

export interface RestoreAction {
  actor: string;
  action: "unban" | "unsuspend";
  reason: string | null;
  reportId?: number | null;
}

/**
 * Restores the people `where` selects (status active, no suspension) and records the action for each,
 * in one place for a moderator's unban/unsuspend, a granted appeal, a lifted system suspension and
 * suspensions that ran out.
 */
export async function restorePeopleIn(
  tx: Db,
  where: SQL,
  action: RestoreAction,
  now: Date,
): Promise<Array<{ userId: number; tgId: number | null; actionId: number }>> {
  const restored = await tx
    .update(users)
    .set({ status: "active", suspendedUntil: null, updatedAt: now })
    .where(where)
    .returning({ userId: users.id, tgId: users.tgId });
  if (restored.length === 0) return [];
  const recorded = await tx
    .insert(moderationActions)
    .values(
      restored.map((r) => ({
        targetUser: r.userId,
        actor: action.actor,
        action: action.action,
        reason: action.reason,
        reportId: action.reportId ?? null,
        createdAt: now,
      })),
    )
    .returning({ id: moderationActions.id });
  return restored.map((r, i) => ({ ...r, actionId: recorded[i]?.id ?? 0 }));
}

/** The person's current chat, or the most recent one that ended within `windowMs`. */
export async function currentOrRecentSession(db: Db, userId: number, now: Date, windowMs: number) {
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

export async function openReportersCount(tx: Db, userId: number): Promise<number> {
  const [row] = await tx
    .select({ n: sql<number>`count(distinct ${reports.fromUser})::int` })
    .from(reports)
    .where(and(eq(reports.toUser, userId), inArray(reports.status, OPEN_STATUSES)));
  return row?.n ?? 0;
}

/** The latest ban or suspension of a person: what an appeal is about. */
export async function latestSanctionIn(tx: Db, userId: number) {
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
