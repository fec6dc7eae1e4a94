import { createHash } from "node:crypto";
import { and, eq, gte, inArray, lt, or, sql } from "drizzle-orm";
import type { Clock } from "../clock.ts";
import type { Db } from "../db/client.ts";
import {
  chatSessions,
  engagements,
  experimentAssignments,
  matches,
  matchQueue,
  recentContacts,
  users,
} from "../db/schema.ts";
import type { MatchVariant } from "../domain/matching/topics.ts";
import type { Stream } from "../infra/ports.ts";
import { expireProposalsIn } from "./chats.ts";
import type { CandidateFinder } from "./matching/candidates.ts";
import type { ProfileService } from "./profile.ts";

export const MATCH_STREAM = "match.find";
export const MATCH_GROUP = "matchers";
export const MATCH_DEAD_STREAM = "match.dead";
export const SEARCH_TTL_MS = 24 * 60 * 60 * 1000;
export const PROPOSAL_TTL_MS = 5 * 60 * 1000;
export const DECLINE_COOLDOWN_MS = 72 * 60 * 60 * 1000;
export const MAX_REQUEUES = 2;
/** A search that found nobody is looked at again after this long (new people, new hours). */
export const RETRY_AFTER_MS = 30 * 1000;
const EXPERIMENT = "match_variant";

export type SearchRefusal =
  | "not_registered"
  | "banned"
  | "suspended"
  | "in_chat"
  | "has_proposal"
  | "profile_incomplete";

export interface ProposalSide {
  userId: number;
  tgId: number | null;
  /** What this side is shown about the other. */
  peer: {
    userId: number;
    nickname: string;
    bio: string | null;
    /** Up to 3 topics both chose; when they share none (the soft variant), the peer's related ones. */
    sharedTopicIds: number[];
    /** The topics are the peer's in the same groups as this side's, not the same topics. */
    topicsRelated: boolean;
  };
}

export interface Proposal {
  matchId: number;
  variant: MatchVariant;
  score: number;
  a: ProposalSide;
  b: ProposalSide;
}

export type DecisionOutcome =
  | { kind: "waiting"; matchId: number }
  | { kind: "started"; matchId: number; sessionId: number; userIds: [number, number] }
  | { kind: "declined"; matchId: number; declinedBy: number; other: number; otherRequeued: boolean }
  | { kind: "stale" };

export interface ExpiredProposal {
  matchId: number;
  requeued: number[];
  dropped: number[];
}

/** Deterministic A/B assignment: the same person always gets the same variant. */
export function variantFor(userId: number): MatchVariant {
  const byte = createHash("sha256").update(`${EXPERIMENT}:${userId}`).digest()[0] ?? 0;
  return byte % 2 === 0 ? "strict" : "soft";
}

export interface MatchingMetrics {
  proposalsSent(variant: string): void;
  accepted(variant: string): void;
  declined(variant: string): void;
  expired(variant: string): void;
  selectMs(variant: string, ms: number): void;
  timeToProposalMs(variant: string, ms: number): void;
}

const noMetrics: MatchingMetrics = {
  proposalsSent() {},
  accepted() {},
  declined() {},
  expired() {},
  selectMs() {},
  timeToProposalMs() {},
};

/**
 * 1-on-1 matching: the search (match_queue is the source of truth, the stream only wakes workers),
 * proposals, mutual consent and the start of a chat. No double booking: a proposal inserts an
 * `engagements` row per person in the same transaction, and the primary key refuses a second one.
 */
export function createMatchingService(deps: {
  db: Db;
  clock: Clock;
  stream: Stream;
  finder: CandidateFinder;
  profiles: ProfileService;
  metrics?: MatchingMetrics;
  /** Topics count only with at least this weight (1–3), on both sides; default 1. */
  minTopicWeight?: number;
  /**
   * Brings a cached candidate index up to date. Called when a search finds nobody, so that someone who
   * started searching a moment ago (after the last refresh) is not missed for a whole retry period.
   */
  refreshCandidates?: () => Promise<void>;
}) {
  const { db, clock, stream, finder, profiles } = deps;
  const metrics = deps.metrics ?? noMetrics;

  async function assignVariant(userId: number): Promise<MatchVariant> {
    const variant = variantFor(userId);
    await db
      .insert(experimentAssignments)
      .values({ userId, experiment: EXPERIMENT, variant })
      .onConflictDoNothing();
    const [row] = await db
      .select({ variant: experimentAssignments.variant })
      .from(experimentAssignments)
      .where(and(eq(experimentAssignments.userId, userId), eq(experimentAssignments.experiment, EXPERIMENT)));
    return (row?.variant ?? variant) as MatchVariant;
  }

  async function engagementOf(userId: number) {
    const [row] = await db
      .select({ matchId: engagements.matchId, status: matches.status })
      .from(engagements)
      .innerJoin(matches, eq(matches.id, engagements.matchId))
      .where(eq(engagements.userId, userId));
    return row ?? null;
  }

  async function wake(userId: number): Promise<void> {
    await stream.add(MATCH_STREAM, { user_id: String(userId), requested_at: String(clock.now().getTime()) });
  }

  /** Puts a person back into the search (after a decline by the other, or an expiry they accepted). */
  async function requeue(userId: number, requeueCount: number): Promise<void> {
    const now = clock.now();
    await db
      .insert(matchQueue)
      .values({
        userId,
        enqueuedAt: now,
        expiresAt: new Date(now.getTime() + SEARCH_TTL_MS),
        scoreReadyAt: now,
        requeueCount,
        variant: await assignVariant(userId),
      })
      .onConflictDoUpdate({ target: matchQueue.userId, set: { scoreReadyAt: now, requeueCount } });
    await wake(userId);
  }

  const service = {
    /** /find: checks everything, records the search, wakes a worker. */
    async requestSearch(
      userId: number,
    ): Promise<
      | { ok: true; alreadySearching: boolean }
      | { ok: false; reason: SearchRefusal; missing?: string[]; until?: Date | null }
    > {
      const user = await profiles.findById(userId);
      if (!user || user.status === "deleted") return { ok: false, reason: "not_registered" };
      const now = clock.now();
      if (user.status === "banned") return { ok: false, reason: "banned" };
      if (user.status === "suspended" && (!user.suspendedUntil || user.suspendedUntil > now)) {
        return { ok: false, reason: "suspended", until: user.suspendedUntil };
      }
      const missing = profiles.missingForSearch(await profiles.getProfile(userId));
      if (missing.length > 0) return { ok: false, reason: "profile_incomplete", missing };
      const engaged = await engagementOf(userId);
      if (engaged) return { ok: false, reason: engaged.status === "active" ? "in_chat" : "has_proposal" };

      const [live] = await db
        .select({ userId: matchQueue.userId })
        .from(matchQueue)
        .where(and(eq(matchQueue.userId, userId), sql`${matchQueue.expiresAt} > ${now}`));
      if (live) return { ok: true, alreadySearching: true };
      const variant = await assignVariant(userId);
      const fresh = {
        enqueuedAt: now,
        expiresAt: new Date(now.getTime() + SEARCH_TTL_MS),
        scoreReadyAt: now,
        requeueCount: 0,
        variant,
      };
      // A row left behind by an expired search is replaced by the new one.
      await db
        .insert(matchQueue)
        .values({ userId, ...fresh })
        .onConflictDoUpdate({ target: matchQueue.userId, set: fresh });
      await wake(userId);
      return { ok: true, alreadySearching: false };
    },

    async cancelSearch(userId: number): Promise<boolean> {
      const deleted = await db.delete(matchQueue).where(eq(matchQueue.userId, userId)).returning();
      return deleted.length > 0;
    },

    async isSearching(userId: number): Promise<boolean> {
      const [row] = await db.select().from(matchQueue).where(eq(matchQueue.userId, userId));
      return row !== undefined && row.expiresAt > clock.now();
    },

    /**
     * The worker's step for one search event: find the best candidate who can be claimed and make a
     * proposal. Returns null when there is nobody now (the search stays queued and is retried).
     */
    async processSearch(userId: number): Promise<Proposal | null> {
      const now = clock.now();
      const [queued] = await db.select().from(matchQueue).where(eq(matchQueue.userId, userId));
      if (!queued || queued.expiresAt <= now) return null;
      if (await engagementOf(userId)) return null;
      const variant = queued.variant as MatchVariant;
      const started = performance.now();
      const query = {
        variant,
        limit: 5,
        now,
        ...(deps.minTopicWeight !== undefined ? { minWeight: deps.minTopicWeight } : {}),
      };
      let candidates = await finder.findCandidates(userId, query);
      if (candidates.length === 0 && deps.refreshCandidates) {
        await deps.refreshCandidates();
        candidates = await finder.findCandidates(userId, query);
      }
      metrics.selectMs(variant, performance.now() - started);
      for (const c of candidates) {
        const proposal = await tryPropose(userId, c.userId, c.score, variant, c.sharedTopicIds, now);
        if (proposal) {
          metrics.proposalsSent(variant);
          // From the /find that started this search, however many wake-ups and retries it took.
          metrics.timeToProposalMs(variant, now.getTime() - queued.enqueuedAt.getTime());
          return proposal;
        }
      }
      await db
        .update(matchQueue)
        .set({ scoreReadyAt: new Date(now.getTime() + RETRY_AFTER_MS) })
        .where(eq(matchQueue.userId, userId));
      return null;
    },

    /** ✅ / ➖ on a proposal. Anything not matching an open proposal of this person is "stale". */
    async decide(userId: number, matchId: number, action: "accept" | "decline"): Promise<DecisionOutcome> {
      const now = clock.now();
      const outcome = await db.transaction(async (tx): Promise<DecisionOutcome> => {
        const [m] = await tx.select().from(matches).where(eq(matches.id, matchId)).for("update");
        if (!m || m.status !== "proposed" || m.expiresAt <= now) return { kind: "stale" };
        const side = m.userA === userId ? "a" : m.userB === userId ? "b" : null;
        if (!side) return { kind: "stale" };
        const other = side === "a" ? m.userB : m.userA;
        if (action === "decline") {
          await tx
            .update(matches)
            .set({
              status: "declined",
              decidedAt: now,
              [side === "a" ? "decisionA" : "decisionB"]: "decline",
            })
            .where(eq(matches.id, matchId));
          await tx.delete(engagements).where(eq(engagements.matchId, matchId));
          const until = new Date(now.getTime() + DECLINE_COOLDOWN_MS);
          await tx
            .insert(recentContacts)
            .values(
              [
                { userId, otherId: other, until, reason: "declined" as const },
                { userId: other, otherId: userId, until, reason: "declined" as const },
              ].sort((x, y) => x.userId - y.userId),
            )
            .onConflictDoUpdate({
              target: [recentContacts.userId, recentContacts.otherId],
              set: {
                until: sql`greatest(${recentContacts.until}, excluded.until)`,
                reason: sql`${recentContacts.reason}`,
              },
            });
          // The one who declined leaves the search; the other goes back to it if they were searching
          // or had already said yes (someone who only opted in and said nothing is not put in a queue).
          await tx.delete(matchQueue).where(eq(matchQueue.userId, userId));
          const [otherQueued] = await tx.select().from(matchQueue).where(eq(matchQueue.userId, other));
          const otherAccepted = (side === "a" ? m.decisionB : m.decisionA) === "accept";
          return {
            kind: "declined",
            matchId,
            declinedBy: userId,
            other,
            otherRequeued: otherQueued !== undefined || otherAccepted,
          };
        }
        const decisionA = side === "a" ? "accept" : m.decisionA;
        const decisionB = side === "b" ? "accept" : m.decisionB;
        if (decisionA === "accept" && decisionB === "accept") {
          await tx
            .update(matches)
            .set({ status: "active", decidedAt: now, decisionA, decisionB })
            .where(eq(matches.id, matchId));
          const [session] = await tx.insert(chatSessions).values({ matchId, startedAt: now }).returning();
          await tx.delete(matchQueue).where(inArray(matchQueue.userId, [m.userA, m.userB]));
          if (!session) throw new Error("chat session not created");
          return { kind: "started", matchId, sessionId: session.id, userIds: [m.userA, m.userB] };
        }
        await tx.update(matches).set({ decisionA, decisionB }).where(eq(matches.id, matchId));
        return { kind: "waiting", matchId };
      });
      const [m] = await db.select({ variant: matches.variant }).from(matches).where(eq(matches.id, matchId));
      if (outcome.kind === "declined") {
        metrics.declined(m?.variant ?? "strict");
        if (outcome.otherRequeued) {
          const [q] = await db.select().from(matchQueue).where(eq(matchQueue.userId, outcome.other));
          await requeue(outcome.other, q?.requeueCount ?? 0);
        }
      }
      if (outcome.kind === "started") metrics.accepted(m?.variant ?? "strict");
      return outcome;
    },

    /**
     * A proposal that could not be delivered is taken back: both people are free again (and still in
     * their searches), so the retry of the search can propose again instead of waiting out the TTL.
     */
    async withdrawProposal(matchId: number): Promise<boolean> {
      return db.transaction(async (tx) => {
        const [m] = await tx.select().from(matches).where(eq(matches.id, matchId)).for("update");
        if (!m || m.status !== "proposed") return false;
        await expireProposalsIn(tx, [matchId], clock.now());
        return true;
      });
    },

    /** Proposals past their TTL: those who accepted go back to the search (at most twice), silent ones leave it. */
    async expireProposals(): Promise<ExpiredProposal[]> {
      const now = clock.now();
      const due = await db
        .select({ id: matches.id })
        .from(matches)
        .where(and(eq(matches.status, "proposed"), lt(matches.expiresAt, now)))
        .limit(100);
      const results: ExpiredProposal[] = [];
      for (const { id } of due) {
        const result = await db.transaction(async (tx) => {
          const [m] = await tx.select().from(matches).where(eq(matches.id, id)).for("update");
          if (!m || m.status !== "proposed" || m.expiresAt > now) return null;
          await expireProposalsIn(tx, [id], now);
          const requeued: number[] = [];
          const dropped: number[] = [];
          for (const [uid, decision] of [
            [m.userA, m.decisionA],
            [m.userB, m.decisionB],
          ] as const) {
            const [q] = await tx.select().from(matchQueue).where(eq(matchQueue.userId, uid));
            if (decision === "accept" && (q?.requeueCount ?? 0) < MAX_REQUEUES) requeued.push(uid);
            else {
              dropped.push(uid);
              await tx.delete(matchQueue).where(eq(matchQueue.userId, uid));
            }
          }
          return { matchId: id, requeued, dropped, variant: m.variant };
        });
        if (!result) continue;
        metrics.expired(result.variant);
        for (const uid of result.requeued) {
          const [q] = await db.select().from(matchQueue).where(eq(matchQueue.userId, uid));
          await requeue(uid, (q?.requeueCount ?? 0) + 1);
        }
        results.push({ matchId: result.matchId, requeued: result.requeued, dropped: result.dropped });
      }
      return results;
    },

    /** Searches past their 24 h: removed; returns who to tell kindly. */
    async expireSearches(): Promise<number[]> {
      const now = clock.now();
      const gone = await db
        .delete(matchQueue)
        .where(lt(matchQueue.expiresAt, now))
        .returning({ userId: matchQueue.userId });
      return gone.map((g) => g.userId);
    },

    /** Searches waiting for someone new: woken again once their retry time has come. */
    async wakeWaitingSearches(limit = 500): Promise<number> {
      const now = clock.now();
      const due = await db
        .update(matchQueue)
        .set({ scoreReadyAt: new Date(now.getTime() + RETRY_AFTER_MS) })
        .where(
          sql`${matchQueue.userId} in (select ${matchQueue.userId} from ${matchQueue} where ${matchQueue.scoreReadyAt} <= ${now} and ${matchQueue.expiresAt} > ${now} limit ${limit})`,
        )
        .returning({ userId: matchQueue.userId });
      for (const d of due) await wake(d.userId);
      return due.length;
    },

    /**
     * Decided proposals per variant over the last `windowMs` (default 7 days), from the database: the
     * same numbers whichever process asks (decisions happen in the bot, expiries in the worker).
     * Accepted = both accepted (the chat started); withdrawn proposals count as expired.
     */
    async acceptRates(
      windowMs = 7 * 24 * 3600_000,
    ): Promise<Array<{ variant: string; accepted: number; decided: number }>> {
      const since = new Date(clock.now().getTime() - windowMs);
      const rows = await db
        .select({
          variant: matches.variant,
          accepted: sql<number>`count(*) filter (where ${matches.status} in ('active','completed'))::int`,
          decided: sql<number>`count(*) filter (where ${matches.status} <> 'proposed')::int`,
        })
        .from(matches)
        .where(gte(matches.decidedAt, since))
        .groupBy(matches.variant);
      return rows.map((r) => ({ variant: r.variant, accepted: r.accepted, decided: r.decided }));
    },

    async queueSize(): Promise<number> {
      const [row] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(matchQueue)
        .where(sql`${matchQueue.expiresAt} > ${clock.now()}`);
      return row?.n ?? 0;
    },
  };

  class NotProposable extends Error {}

  async function tryPropose(
    seekerId: number,
    candidateId: number,
    score: number,
    variant: MatchVariant,
    sharedTopicIds: number[],
    now: Date,
  ): Promise<Proposal | null> {
    let matchId: number | null = null;
    try {
      matchId = await db.transaction(async (tx) => {
        const [m] = await tx
          .insert(matches)
          .values({
            userA: seekerId,
            userB: candidateId,
            status: "proposed",
            score,
            variant,
            createdAt: now,
            expiresAt: new Date(now.getTime() + PROPOSAL_TTL_MS),
          })
          .returning({ id: matches.id });
        if (!m) throw new Error("match not created");
        // Either both people are free and become engaged, or the whole proposal is rolled back.
        // Rows in user-id order: two proposals claiming the same two people in opposite roles then wait
        // on each other in the same order (one fails on the key) instead of deadlocking.
        await tx
          .insert(engagements)
          .values(
            [seekerId, candidateId]
              .sort((x, y) => x - y)
              .map((userId) => ({ userId, matchId: m.id, since: now })),
          );
        // Both must still be allowed to talk. FOR SHARE waits for a ban or an erase in progress
        // (they lock the person FOR NO KEY UPDATE) and then sees its result, so a person banned at
        // this moment never receives the proposal; a ban that comes later withdraws it.
        const free = await tx
          .select({ id: users.id })
          .from(users)
          .where(and(inArray(users.id, [seekerId, candidateId]), eq(users.status, "active")))
          .orderBy(users.id)
          .for("share");
        if (free.length < 2) throw new NotProposable();
        return m.id;
      });
    } catch (err) {
      if (isUniqueViolation(err) || err instanceof NotProposable) return null;
      throw err;
    }
    return buildProposal(matchId, seekerId, candidateId, score, variant, sharedTopicIds);
  }

  async function buildProposal(
    matchId: number,
    aId: number,
    bId: number,
    score: number,
    variant: MatchVariant,
    sharedTopicIds: number[],
  ): Promise<Proposal> {
    const rows = await db
      .select()
      .from(users)
      .where(or(eq(users.id, aId), eq(users.id, bId)));
    const byId = new Map(rows.map((r) => [r.id, r]));
    const shared = sharedTopicIds.length > 0 ? sharedTopicIds : await sharedTopics(aId, bId);
    const side = async (me: number, other: number): Promise<ProposalSide> => {
      const o = byId.get(other);
      const related = shared.length === 0;
      return {
        userId: me,
        tgId: byId.get(me)?.tgId ?? null,
        peer: {
          userId: other,
          nickname: o?.nickname ?? "",
          bio: o?.bioShort ?? null,
          sharedTopicIds: related ? await relatedTopics(me, other) : shared,
          topicsRelated: related,
        },
      };
    };
    return { matchId, variant, score, a: await side(aId, bId), b: await side(bId, aId) };
  }

  /** The other's topics in the groups `me` chose from (soft matches share a group, not a topic). */
  async function relatedTopics(me: number, other: number): Promise<number[]> {
    const res = (await db.execute(sql`
      select o.topic_id as id from user_topics o
      join topics t on t.id = o.topic_id
      where o.user_id = ${other}
        and t.group_slug in (
          select t2.group_slug from user_topics m join topics t2 on t2.id = m.topic_id where m.user_id = ${me})
      order by o.weight desc, o.topic_id limit 3`)) as unknown as { rows: Array<{ id: number }> };
    return res.rows.map((r) => Number(r.id));
  }

  async function sharedTopics(aId: number, bId: number): Promise<number[]> {
    const res = (await db.execute(sql`
      select a.topic_id as id from user_topics a join user_topics b on b.topic_id = a.topic_id
      where a.user_id = ${aId} and b.user_id = ${bId}
      order by a.weight + b.weight desc, a.topic_id limit 3`)) as unknown as { rows: Array<{ id: number }> };
    return res.rows.map((r) => Number(r.id));
  }

  return service;
}

/** PostgreSQL unique_violation, through drizzle's wrapping and both drivers. */
export function isUniqueViolation(err: unknown): boolean {
  let e: unknown = err;
  for (let i = 0; i < 4 && e; i++) {
    const code = (e as { code?: string }).code;
    // 23505 unique_violation; 40P01 deadlock_detected (another proposal claimed one of them first).
    if (code === "23505" || code === "40P01") return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

export type MatchingService = ReturnType<typeof createMatchingService>;
