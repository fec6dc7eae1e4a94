import { and, asc, eq, inArray, or, sql } from "drizzle-orm";
import type { Clock } from "../clock.ts";
import type { Db } from "../db/client.ts";
import {
  aiHints,
  appeals,
  chatSessions,
  checkIns,
  engagements,
  experimentAssignments,
  flowStates,
  keptApartIdentities,
  matches,
  matchQueue,
  moderationActions,
  preferences,
  recentContacts,
  reportEvidence,
  reports,
  safetyFlags,
  sanctionedIdentities,
  struckIdentities,
  tips,
  topics,
  users,
  userTopics,
  userWishlistTopics,
} from "../db/schema.ts";
import type { KeyValue } from "../infra/ports.ts";
import { type EndedChat, endActiveChatIn } from "./chats.ts";
import type { IdentityHash } from "./identity.ts";
import { NEVER_AGAIN, withdrawProposalsIn } from "./moderation/index.ts";
import { erasableKeys } from "./person-keys.ts";

export type EraseResult =
  | {
      ok: true;
      /** The person had already erased their data: nothing was left to remove. */
      alreadyErased: boolean;
      /** The chat this ended: tell the peer it ended (participants carry the Telegram ids as they were). */
      endedChat: EndedChat | null;
      /** Other side of proposals that were withdrawn (their proposal card is now stale). */
      withdrawnProposals: Array<{ matchId: number; otherUserId: number }>;
      /** Key-value keys removed. */
      kvKeysDeleted: number;
    }
  | { ok: false; reason: "not_found" };

const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

/**
 * The right to be forgotten and the right of access. Erasure keeps matches, sessions, tips and
 * reports (counts, money, moderation history) under the same numeric id, but nothing left in the
 * database ties that id to a Telegram account or to what the person wrote about themselves.
 */
/**
 * A suspension's end as kept for an erased person: the next UTC midnight (never earlier than the
 * real end), so it cannot be matched to the exact instant in their scrubbed history.
 */
/** Open reports: not yet decided by a moderator. */
const OPEN_REPORT = ["new", "in_review"];

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
    .where(and(eq(reports.toUser, userId), inArray(reports.status, OPEN_REPORT)));
  for (const r of open) {
    const seen = byOther.get(r.from);
    byOther.set(r.from, {
      reason: "reported",
      until: seen?.until ?? FOREVER,
      openReport: r.reason,
    });
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

/** «Forever» for a report's keep-apart, as the report cooldown stores it. */
const FOREVER = NEVER_AGAIN;

/** Below this many ratings the average is not exported: one rating would be one person's verdict. */
export const MIN_RATINGS_SHOWN = 3;

/** How a conversation's end looked from this side. */
export function visibleEndReason(reason: string | null, endedByMe: boolean): string | null {
  if (reason === null || endedByMe) return reason;
  return ["ended", "expired", "peer_gone"].includes(reason) ? reason : "ended_by_peer";
}

export function nextUtcMidnight(until: Date | null): Date | null {
  if (until === null) return null;
  const day = new Date(Date.UTC(until.getUTCFullYear(), until.getUTCMonth(), until.getUTCDate()));
  return until.getTime() === day.getTime() ? day : new Date(day.getTime() + 24 * 3600_000);
}

export function createPrivacyService(deps: {
  db: Db;
  clock: Clock;
  kv: KeyValue;
  identityHash: IdentityHash;
}) {
  const { db, clock, kv } = deps;

  return {
    /**
     * Ends any active chat (reason 'deleted'), withdraws proposals, deletes the profile and everything
     * derived from it, and scrubs the users row. Idempotent: a second call finds nothing to do.
     *
     * KV: deletes the person's entries (`person-keys.ts`: report and appeal drafts, a custom tip amount, nudges, the start payload).
     * `held:*` and `relay:*` keys contain Telegram message ids, which the port cannot enumerate; they
     * hold only message-id pairs (no text, no Telegram user id) and expire by TTL (≤ 7 days).
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
        // What protects others outlives the erase as keyed hashes: /start again brings it back.
        if (user.tgId !== null)
          await keepProtections(tx, userId, deps.identityHash(user.tgId), user.toxicityStrikes);
        await tx
          .delete(recentContacts)
          .where(or(eq(recentContacts.userId, userId), eq(recentContacts.otherId, userId)));
        const made = tx.select({ id: reports.id }).from(reports).where(eq(reports.fromUser, userId));
        await tx.delete(reportEvidence).where(inArray(reportEvidence.reportId, made));
        // What they wrote to moderators goes too (it may name them); the reports still count.
        await tx.update(reports).set({ comment: null }).where(eq(reports.fromUser, userId));
        await tx.update(appeals).set({ text: null }).where(eq(appeals.userId, userId));
        // A sanction outlives the erase, as a keyed hash only: /start again brings it back.
        const sanctioned =
          user.tgId !== null &&
          (user.status === "banned" ||
            (user.status === "suspended" && (user.suspendedUntil === null || user.suspendedUntil > now)));
        if (sanctioned && user.tgId !== null) {
          const sanction = {
            status: user.status as "banned" | "suspended",
            until: user.status === "banned" ? null : nextUtcMidnight(user.suspendedUntil),
          };
          await tx
            .insert(sanctionedIdentities)
            .values({ tgHash: deps.identityHash(user.tgId), ...sanction })
            .onConflictDoUpdate({ target: sanctionedIdentities.tgHash, set: sanction });
        }
        if (!alreadyErased) {
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
              lastSeenAt: null,
              updatedAt: now,
            })
            .where(eq(users.id, userId));
        }
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
        kvKeysDeleted,
      };
    },

    /**
     * Everything stored about the person, JSON-ready (dates as ISO strings). Other people appear only
     * by the pseudonym the person saw: never their Telegram id, internal id or profile.
     */
    async export(userId: number) {
      const [user] = await db.select().from(users).where(eq(users.id, userId));
      if (!user) return null;
      const [prefs] = await db.select().from(preferences).where(eq(preferences.userId, userId));
      const chosen = await db
        .select({ slug: topics.slug, title: topics.title, weight: userTopics.weight })
        .from(userTopics)
        .innerJoin(topics, eq(topics.id, userTopics.topicId))
        .where(eq(userTopics.userId, userId))
        .orderBy(sql`${userTopics.weight} desc`, asc(topics.slug));
      const wished = await db
        .select({ slug: topics.slug, title: topics.title })
        .from(userWishlistTopics)
        .innerJoin(topics, eq(topics.id, userWishlistTopics.topicId))
        .where(eq(userWishlistTopics.userId, userId))
        .orderBy(asc(topics.slug));
      const searches = await db.select().from(matchQueue).where(eq(matchQueue.userId, userId));
      const [flow] = await db.select().from(flowStates).where(eq(flowStates.userId, userId));

      const matchRows = await db
        .select({ match: matches, session: chatSessions })
        .from(matches)
        .leftJoin(chatSessions, eq(chatSessions.matchId, matches.id))
        .where(or(eq(matches.userA, userId), eq(matches.userB, userId)))
        .orderBy(asc(matches.createdAt), asc(matches.id));
      const peerIds = [
        ...new Set(matchRows.map((r) => (r.match.userA === userId ? r.match.userB : r.match.userA))),
      ];
      const peerNames = new Map<number, string | null>();
      if (peerIds.length > 0) {
        const peers = await db
          .select({ id: users.id, nickname: users.nickname })
          .from(users)
          .where(inArray(users.id, peerIds));
        for (const p of peers) peerNames.set(p.id, p.nickname);
      }
      const conversations = matchRows.map(({ match: m, session: s }) => {
        const mine = m.userA === userId ? "a" : "b";
        const peerId = mine === "a" ? m.userB : m.userA;
        return {
          matchId: m.id,
          peer: peerNames.get(peerId) ?? null,
          status: m.status,
          proposedAt: iso(m.createdAt),
          myDecision: mine === "a" ? m.decisionA : m.decisionB,
          peerDecision: mine === "a" ? m.decisionB : m.decisionA,
          variant: m.variant,
          session: s
            ? {
                sessionId: s.id,
                startedAt: iso(s.startedAt),
                endedAt: iso(s.endedAt),
                // Only what the person could see: a report, block, ban or erase by the other side was
                // announced to them as «Разговор завершён», and the peer's own rating never.
                endReason: visibleEndReason(s.endReason, s.endedBy === userId),
                endedByMe: s.endedBy === userId,
                myMessages: mine === "a" ? s.msgCountA : s.msgCountB,
                peerMessages: mine === "a" ? s.msgCountB : s.msgCountA,
                ratingIGave: mine === "a" ? s.ratingA : s.ratingB,
              }
            : null,
        };
      });

      const tipRows = await db
        .select()
        .from(tips)
        .where(or(eq(tips.fromUser, userId), eq(tips.toUser, userId)))
        .orderBy(asc(tips.createdAt), asc(tips.id));
      const made = await db
        .select({ report: reports, peer: users.nickname })
        .from(reports)
        .innerJoin(users, eq(users.id, reports.toUser))
        .where(eq(reports.fromUser, userId))
        .orderBy(asc(reports.createdAt));
      const against = await db
        .select({ reason: reports.reason, status: reports.status, createdAt: reports.createdAt })
        .from(reports)
        .where(eq(reports.toUser, userId))
        .orderBy(asc(reports.createdAt));
      const actions = await db
        .select()
        .from(moderationActions)
        .where(eq(moderationActions.targetUser, userId))
        .orderBy(asc(moderationActions.createdAt), asc(moderationActions.id));
      const appealRows = await db
        .select()
        .from(appeals)
        .where(eq(appeals.userId, userId))
        .orderBy(asc(appeals.id));
      const flags = await db
        .select()
        .from(safetyFlags)
        .where(eq(safetyFlags.userId, userId))
        .orderBy(asc(safetyFlags.createdAt));
      const hints = await db
        .select()
        .from(aiHints)
        .where(eq(aiHints.userId, userId))
        .orderBy(asc(aiHints.createdAt));
      const experiments = await db
        .select()
        .from(experimentAssignments)
        .where(eq(experimentAssignments.userId, userId));
      const apart = await db
        .select({ reason: recentContacts.reason, until: recentContacts.until, other: users.nickname })
        .from(recentContacts)
        .leftJoin(users, eq(users.id, recentContacts.otherId))
        .where(eq(recentContacts.userId, userId))
        .orderBy(asc(recentContacts.until));
      const evidence = await db
        .select({ reportId: reportEvidence.reportId, createdAt: reportEvidence.createdAt })
        .from(reportEvidence)
        .innerJoin(reports, eq(reports.id, reportEvidence.reportId))
        .where(eq(reports.fromUser, userId));

      return {
        exportedAt: now(),
        profile: {
          userId: user.id,
          telegramId: user.tgId,
          nickname: user.nickname,
          timeZone: user.tz,
          bio: user.bioShort,
          status: user.status,
          suspendedUntil: iso(user.suspendedUntil),
          mutedUntil: iso(user.mutedUntil),
          toxicityStrikes: user.toxicityStrikes,
          rulesAccepted: user.safetyAck,
          rulesAcceptedAt: iso(user.safetyAckAt),
          rulesVersion: user.rulesVersion,
          receiveProposals: user.receiveProposals,
          coachEnabled: user.coachEnabled,
          // The average of others' ratings only once it cannot point at one conversation.
          helpfulness: {
            ratingCount: user.ratingCount,
            averageRating:
              user.ratingCount >= MIN_RATINGS_SHOWN
                ? Math.round((user.ratingSum / user.ratingCount) * 10) / 10
                : null,
          },
          startPayload: user.startPayload,
          createdAt: iso(user.createdAt),
          updatedAt: iso(user.updatedAt),
          lastSeenAt: iso(user.lastSeenAt),
          deletedAt: iso(user.deletedAt),
        },
        topics: chosen,
        wishlist: wished,
        preferences: prefs
          ? {
              purpose: prefs.purpose,
              format: prefs.format,
              sensitivity: prefs.sensitivityLevel,
              availabilityLocal: prefs.availLocal,
              updatedAt: iso(prefs.updatedAt),
            }
          : null,
        flow: flow
          ? { flow: flow.flow, step: flow.step, data: flow.data, updatedAt: iso(flow.updatedAt) }
          : null,
        searches: searches.map((q) => ({
          enqueuedAt: iso(q.enqueuedAt),
          expiresAt: iso(q.expiresAt),
          variant: q.variant,
          requeueCount: q.requeueCount,
        })),
        conversations,
        tips: tipRows.map((t) => ({
          tipId: t.id,
          direction: t.fromUser === userId ? "given" : "received",
          sessionId: t.chatSessionId,
          amount: t.amount,
          currency: t.currency,
          provider: t.provider,
          status: t.status,
          ...(t.toUser === userId ? { recipientShare: t.recipientShare } : {}),
          createdAt: iso(t.createdAt),
          paidAt: iso(t.paidAt),
          refundedAt: iso(t.refundedAt),
        })),
        reportsMade: made.map(({ report: r, peer }) => ({
          reportId: r.id,
          sessionId: r.chatSessionId,
          about: peer,
          reason: r.reason,
          comment: r.comment,
          status: r.status,
          createdAt: iso(r.createdAt),
          closedAt: iso(r.closedAt),
          evidenceAttached: evidence.filter((e) => e.reportId === r.id).length,
        })),
        // Who reported is not disclosed (their safety); that a report exists and its outcome is.
        reportsAboutMe: against.map((r) => ({
          reason: r.reason,
          status: r.status,
          createdAt: iso(r.createdAt),
        })),
        moderationActions: actions.map((a) => ({
          action: a.action,
          by: a.actor === "system" ? "system" : "moderator",
          reason: a.reason,
          until: iso(a.until),
          createdAt: iso(a.createdAt),
        })),
        appeals: appealRows.map((a) => ({
          appealId: a.id,
          text: a.text,
          status: a.status,
          createdAt: iso(a.createdAt),
          decidedAt: iso(a.decidedAt),
        })),
        safetyFlags: flags.map((f) => ({
          sessionId: f.chatSessionId,
          label: f.label,
          severity: f.severity,
          source: f.source,
          createdAt: iso(f.createdAt),
        })),
        aiHints: hints.map((h) => ({
          sessionId: h.chatSessionId,
          hintType: h.hintType,
          source: h.source,
          promptVersion: h.promptVersion,
          copied: h.copied,
          sent: h.sent,
          createdAt: iso(h.createdAt),
        })),
        // Pairs kept apart from matching. A block or a report may be the other person's doing: then who
        // it is and why stay hidden, as they are in the bot; only that such a rule exists is shown.
        keptApart: apart.map((r) =>
          r.reason === "declined" || r.reason === "met"
            ? { with: r.other, reason: r.reason, until: iso(r.until) }
            : { with: null, reason: "safety", until: iso(r.until) },
        ),
        experiments: experiments.map((e) => ({
          experiment: e.experiment,
          variant: e.variant,
          assignedAt: iso(e.assignedAt),
        })),
      };
    },
  };

  function now(): string {
    return clock.now().toISOString();
  }
}

export type PrivacyService = ReturnType<typeof createPrivacyService>;
export type PersonalDataExport = NonNullable<Awaited<ReturnType<PrivacyService["export"]>>>;
