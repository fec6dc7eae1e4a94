import { and, eq, inArray, isNotNull, or } from "drizzle-orm";
import type { Clock } from "../../clock.ts";
import type { Db } from "../../db/client.ts";
import {
  aiHints,
  appeals,
  chatSessions,
  checkIns,
  digestRuns,
  engagements,
  experimentAssignments,
  flowStates,
  keptApartIdentities,
  matches,
  matchQueue,
  preferences,
  recentContacts,
  reportEvidence,
  reports,
  safetyFlags,
  sanctionedIdentities,
  searches,
  struckIdentities,
  users,
  userTopics,
  userWishlistTopics,
} from "../../db/schema.ts";
import type { KeyValue } from "../../infra/ports.ts";
import { type EndedChat, endActiveChatIn } from "../chats.ts";
import type { IdentityHash } from "../identity.ts";
import { isSanctionedAt, NEVER_AGAIN, OPEN_STATUSES, withdrawProposalsIn } from "../moderation/index.ts";
import { erasableKeys } from "../person-keys.ts";

export type EraseResult =
  | {
      ok: true;
      /** The person had already erased their data: nothing was left to remove. */
      alreadyErased: boolean;
      /** The chat this ended: tell the peer it ended (participants carry the Telegram ids as they were). */
      endedChat: EndedChat | null;
      /** Other side of proposals that were withdrawn (their proposal card is now stale). */
      withdrawnProposals: Array<{ matchId: number; otherUserId: number }>;
      /** Copies of their report evidence shown in the moderators' chat: the caller takes them down. */
      evidenceCopies: Array<{ modChatMessageId: number }>;
      /** Key-value keys removed. */
      kvKeysDeleted: number;
    }
  | { ok: false; reason: "not_found" };

type UserRow = typeof users.$inferSelect;

/** «Forever» for a report's keep-apart, as the report cooldown stores it. */
const FOREVER = NEVER_AGAIN;

/**
 * A suspension's end as kept for an erased person: the next UTC midnight (never earlier than the
 * real end), so it cannot be matched to the exact instant in their scrubbed history.
 */
export function nextUtcMidnight(until: Date | null): Date | null {
  if (until === null) return null;
  const day = new Date(Date.UTC(until.getUTCFullYear(), until.getUTCMonth(), until.getUTCDate()));
  return until.getTime() === day.getTime() ? day : new Date(day.getTime() + 24 * 3600_000);
}

/**
 * Before an erase: the people this person was kept apart from (a block or report either way), an open
 * report one of them filed, and toxicity strikes, stored under the keyed hash of the Telegram id only.
 */
async function keepProtections(tx: Db, userId: number, tgHash: string, strikes: number): Promise<void> {
  const pairs = await tx
    .select()
    .from(recentContacts)
    .where(
      and(
        or(eq(recentContacts.userId, userId), eq(recentContacts.otherId, userId)),
        inArray(recentContacts.reason, ["blocked", "reported"]),
      ),
    );
  const byOther = new Map<
    number,
    { reason: "blocked" | "reported"; until: Date; openReport: string | null }
  >();
  for (const p of pairs) {
    const other = p.userId === userId ? p.otherId : p.userId;
    const seen = byOther.get(other);
    const reason = p.reason === "reported" || seen?.reason === "reported" ? "reported" : "blocked";
    const until = seen && seen.until > p.until ? seen.until : p.until;
    byOther.set(other, { reason, until, openReport: seen?.openReport ?? null });
  }
  const open = await tx
    .select({ from: reports.fromUser, reason: reports.reason })
    .from(reports)
    .where(and(eq(reports.toUser, userId), inArray(reports.status, OPEN_STATUSES)));
  for (const r of open) {
    const seen = byOther.get(r.from);
    byOther.set(r.from, { reason: "reported", until: seen?.until ?? FOREVER, openReport: r.reason });
  }
  for (const [otherId, p] of byOther) {
    const until = p.until >= FOREVER ? FOREVER : (nextUtcMidnight(p.until) ?? FOREVER);
    const row = { tgHash, otherId, reason: p.reason, until, openReport: p.openReport };
    await tx
      .insert(keptApartIdentities)
      .values(row)
      .onConflictDoUpdate({
        target: [keptApartIdentities.tgHash, keptApartIdentities.otherId],
        set: { reason: row.reason, until: row.until, openReport: row.openReport },
      });
  }
  if (strikes > 0) {
    await tx
      .insert(struckIdentities)
      .values({ tgHash, toxicityStrikes: strikes })
      .onConflictDoUpdate({ target: struckIdentities.tgHash, set: { toxicityStrikes: strikes } });
  }
}

/** The profile and everything derived from it. */
async function deleteProfileIn(tx: Db, userId: number): Promise<void> {
  await tx.delete(userTopics).where(eq(userTopics.userId, userId));
  await tx.delete(userWishlistTopics).where(eq(userWishlistTopics.userId, userId));
  await tx.delete(preferences).where(eq(preferences.userId, userId));
  await tx.delete(flowStates).where(eq(flowStates.userId, userId));
  await tx.delete(matchQueue).where(eq(matchQueue.userId, userId));
  await tx.delete(engagements).where(eq(engagements.userId, userId));
  await tx.delete(experimentAssignments).where(eq(experimentAssignments.userId, userId));
  await tx.delete(aiHints).where(eq(aiHints.userId, userId));
  await tx.delete(safetyFlags).where(eq(safetyFlags.userId, userId));
  await tx.delete(checkIns).where(eq(checkIns.userId, userId));
  await tx.delete(digestRuns).where(eq(digestRuns.userId, userId));
  await tx.delete(searches).where(eq(searches.userId, userId));
}

/** A sanction outlives the erase, as a keyed hash only: /start again brings it back. */
async function keepSanctionIn(tx: Db, user: UserRow, tgHash: string, now: Date): Promise<void> {
  if (!isSanctionedAt(user, now)) return;
  const sanction = {
    status: user.status as "banned" | "suspended",
    until: user.status === "banned" ? null : nextUtcMidnight(user.suspendedUntil),
  };
  await tx
    .insert(sanctionedIdentities)
    .values({ tgHash, ...sanction })
    .onConflictDoUpdate({ target: sanctionedIdentities.tgHash, set: sanction });
}

/** Nothing left in the row ties the id to a Telegram account or to what the person wrote about themselves. */
async function scrubUserIn(tx: Db, user: UserRow, now: Date): Promise<void> {
  await tx
    .update(users)
    .set({
      tgId: null,
      nickname: null,
      bioShort: null,
      tz: null,
      status: "deleted",
      deletedAt: user.deletedAt ?? now,
      startPayload: null,
      safetyAck: false,
      safetyAckAt: null,
      rulesVersion: null,
      suspendedUntil: null,
      mutedUntil: null,
      receiveProposals: false,
      receiveProposalsSince: null,
      digestEnabled: false,
      digestAnchorAt: null,
      digestNextAt: null,
      unreachableSince: null,
      lastSeenAt: null,
      updatedAt: now,
    })
    .where(eq(users.id, user.id));
}

export function createErase(deps: { db: Db; clock: Clock; kv: KeyValue; identityHash: IdentityHash }) {
  const { db, clock, kv } = deps;
  return {
    /**
     * Ends any active chat (reason 'deleted'), withdraws proposals, deletes the profile and everything
     * derived from it, and scrubs the users row. Idempotent: a second call finds nothing to do.
     *
     * KV: deletes the person's entries (`person-keys.ts`: report and appeal drafts, a custom tip amount,
     * nudges, their message-id pairs of each conversation, the start payload). `held:*` keys contain
     * Telegram message ids, which the port cannot enumerate; they hold only whether a held message
     * showed crisis (no text, no Telegram user id) and expire by TTL.
     */
    async erase(userId: number): Promise<EraseResult> {
      const now = clock.now();
      const outcome = await db.transaction(async (tx) => {
        const [user] = await tx.select().from(users).where(eq(users.id, userId)).for("no key update");
        if (!user) return null;
        const alreadyErased = user.status === "deleted";
        const sessionRows = await tx
          .select({ id: chatSessions.id })
          .from(chatSessions)
          .innerJoin(matches, eq(matches.id, chatSessions.matchId))
          .where(or(eq(matches.userA, userId), eq(matches.userB, userId)));

        const endedChat = await endActiveChatIn(tx, userId, "deleted", now, userId);
        const withdrawnProposals = await withdrawProposalsIn(tx, userId, now);
        await deleteProfileIn(tx, userId);
        // What protects others outlives the erase as keyed hashes: /start again brings it back.
        const tgHash = user.tgId === null ? null : deps.identityHash(user.tgId);
        if (tgHash !== null) await keepProtections(tx, userId, tgHash, user.toxicityStrikes);
        await tx
          .delete(recentContacts)
          .where(or(eq(recentContacts.userId, userId), eq(recentContacts.otherId, userId)));
        const made = tx.select({ id: reports.id }).from(reports).where(eq(reports.fromUser, userId));
        // Copies of their evidence still shown in the moderators' chat come down with the rows.
        const shownCopies = await tx
          .select({ modChatMessageId: reportEvidence.modChatMessageId })
          .from(reportEvidence)
          .where(and(inArray(reportEvidence.reportId, made), isNotNull(reportEvidence.modChatMessageId)));
        await tx.delete(reportEvidence).where(inArray(reportEvidence.reportId, made));
        // What they wrote to moderators goes too (it may name them); the reports still count.
        await tx.update(reports).set({ comment: null }).where(eq(reports.fromUser, userId));
        await tx.update(appeals).set({ text: null }).where(eq(appeals.userId, userId));
        if (tgHash !== null) await keepSanctionIn(tx, user, tgHash, now);
        if (!alreadyErased) await scrubUserIn(tx, user, now);
        return {
          alreadyErased,
          tgId: user.tgId,
          sessionIds: sessionRows.map((s) => s.id),
          endedChat: endedChat
            ? {
                sessionId: endedChat.sessionId,
                reason: endedChat.reason,
                endedBy: endedChat.endedBy,
                // Read before the scrub, so the bot can still tell both people.
                participants: endedChat.participants,
              }
            : null,
          withdrawnProposals,
          evidenceCopies: shownCopies.map((c) => ({ modChatMessageId: c.modChatMessageId! })),
        };
      });
      if (!outcome) return { ok: false, reason: "not_found" };

      const keys = erasableKeys(
        userId,
        outcome.sessionIds,
        outcome.tgId === null ? null : Number(outcome.tgId),
      );
      const kvKeysDeleted = await kv.delete(...keys);
      return {
        ok: true,
        alreadyErased: outcome.alreadyErased,
        endedChat: outcome.endedChat,
        withdrawnProposals: outcome.withdrawnProposals,
        evidenceCopies: outcome.evidenceCopies,
        kvKeysDeleted,
      };
    },
  };
}
