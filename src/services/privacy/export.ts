import { asc, eq, inArray, or, sql } from "drizzle-orm";
import type { Clock } from "../../clock.ts";
import type { Db } from "../../db/client.ts";
import {
  aiHints,
  appeals,
  chatSessions,
  digestRuns,
  experimentAssignments,
  flowStates,
  matches,
  matchQueue,
  moderationActions,
  preferences,
  recentContacts,
  reportEvidence,
  reports,
  safetyFlags,
  searches,
  tips,
  topics,
  users,
  userTopics,
  userWishlistTopics,
} from "../../db/schema.ts";

const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

/** Below this many ratings the average is not exported: one rating would be one person's verdict. */
export const MIN_RATINGS_SHOWN = 3;

/** How a conversation's end looked from this side. */
export function visibleEndReason(reason: string | null, endedByMe: boolean): string | null {
  if (reason === null || endedByMe) return reason;
  return ["ended", "expired", "peer_gone"].includes(reason) ? reason : "ended_by_peer";
}

function profileOf(user: typeof users.$inferSelect) {
  return {
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
    receiveProposalsSince: iso(user.receiveProposalsSince),
    weeklyDigest: { enabled: user.digestEnabled, nextAt: iso(user.digestNextAt) },
    unreachableSince: iso(user.unreachableSince),
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
  };
}

/** Chosen and wished topics, preferences, an unfinished flow, the running search and past ones. */
async function setupOf(db: Db, userId: number) {
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
  const queued = await db.select().from(matchQueue).where(eq(matchQueue.userId, userId));
  const history = await db
    .select()
    .from(searches)
    .where(eq(searches.userId, userId))
    .orderBy(asc(searches.startedAt), asc(searches.id));
  const [flow] = await db.select().from(flowStates).where(eq(flowStates.userId, userId));
  return {
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
    flow: flow ? { flow: flow.flow, step: flow.step, data: flow.data, updatedAt: iso(flow.updatedAt) } : null,
    searches: queued.map((q) => ({
      enqueuedAt: iso(q.enqueuedAt),
      expiresAt: iso(q.expiresAt),
      variant: q.variant,
      requeueCount: q.requeueCount,
    })),
    // Every search started, kept for the statistics of how many find someone within 24 h.
    searchHistory: history.map((h) => ({
      startedAt: iso(h.startedAt),
      variant: h.variant,
      firstProposalAt: iso(h.proposedAt),
    })),
  };
}

/** Proposals and chats, the other person named only by the pseudonym this person saw. */
async function conversationsOf(db: Db, userId: number) {
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
  return matchRows.map(({ match: m, session: s }) => {
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
}

/** Reports both ways (never who reported this person), moderators' actions, appeals, safety flags. */
async function moderationOf(db: Db, userId: number) {
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
  const evidence = await db
    .select({ reportId: reportEvidence.reportId, createdAt: reportEvidence.createdAt })
    .from(reportEvidence)
    .innerJoin(reports, eq(reports.id, reportEvidence.reportId))
    .where(eq(reports.fromUser, userId));
  return {
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
    reportsAboutMe: against.map((r) => ({ reason: r.reason, status: r.status, createdAt: iso(r.createdAt) })),
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
  };
}

export function createExport(deps: { db: Db; clock: Clock; beforeExport?: () => Promise<void> }) {
  const { db, clock } = deps;
  return {
    /**
     * Everything stored about the person, JSON-ready (dates as ISO strings). Other people appear only
     * by the pseudonym the person saw: never their Telegram id, internal id or profile.
     */
    async export(userId: number) {
      // Message counts batched in this process are written first, so the export includes them.
      await deps.beforeExport?.();
      const [user] = await db.select().from(users).where(eq(users.id, userId));
      if (!user) return null;
      const setup = await setupOf(db, userId);
      const conversations = await conversationsOf(db, userId);
      const tipRows = await db
        .select()
        .from(tips)
        .where(or(eq(tips.fromUser, userId), eq(tips.toUser, userId)))
        .orderBy(asc(tips.createdAt), asc(tips.id));
      const moderation = await moderationOf(db, userId);
      const hints = await db
        .select()
        .from(aiHints)
        .where(eq(aiHints.userId, userId))
        .orderBy(asc(aiHints.createdAt));
      const experiments = await db
        .select()
        .from(experimentAssignments)
        .where(eq(experimentAssignments.userId, userId));
      const digests = await db
        .select()
        .from(digestRuns)
        .where(eq(digestRuns.userId, userId))
        .orderBy(asc(digestRuns.at));
      const apart = await db
        .select({ reason: recentContacts.reason, until: recentContacts.until, other: users.nickname })
        .from(recentContacts)
        .leftJoin(users, eq(users.id, recentContacts.otherId))
        .where(eq(recentContacts.userId, userId))
        .orderBy(asc(recentContacts.until));

      return {
        exportedAt: clock.now().toISOString(),
        profile: profileOf(user),
        ...setup,
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
        ...moderation,
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
        weeklyDigests: digests.map((d) => ({
          at: iso(d.at),
          arm: d.arm,
          outcome: d.outcome,
          counted: d.candidates,
          searchedAt: iso(d.searchedAt),
          stoppedAt: iso(d.stoppedAt),
        })),
        experiments: experiments.map((e) => ({
          experiment: e.experiment,
          variant: e.variant,
          assignedAt: iso(e.assignedAt),
        })),
      };
    },
  };
}
