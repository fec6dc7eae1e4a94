import { and, eq, inArray, lt, or, sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { engagements, matches, matchQueue, users } from "../../db/schema.ts";
import type { MatchVariant } from "../../domain/matching/topics.ts";
import { expireProposalsIn } from "../chats.ts";
import type { CandidateFinder } from "./candidates.ts";
import {
  type ExpiredProposal,
  MAX_REQUEUES,
  type MatchingMetrics,
  PROPOSAL_TTL_MS,
  type Proposal,
  type ProposalSide,
  RETRY_AFTER_MS,
} from "./rules.ts";
import { engagementOf, markSearchesProposedIn, requeue, type SearchDeps } from "./search.ts";

export interface ProposalDeps extends SearchDeps {
  finder: CandidateFinder;
  metrics: MatchingMetrics;
  minTopicWeight?: number;
  refreshCandidates?: () => Promise<void>;
}

class NotProposable extends Error {}

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

/** The other's topics in the groups `me` chose from (soft matches share a group, not a topic). */
async function relatedTopics(db: Db, me: number, other: number): Promise<number[]> {
  const res = (await db.execute(sql`
    select o.topic_id as id from user_topics o
    join topics t on t.id = o.topic_id
    where o.user_id = ${other}
      and t.group_slug in (
        select t2.group_slug from user_topics m join topics t2 on t2.id = m.topic_id where m.user_id = ${me})
    order by o.weight desc, o.topic_id limit 3`)) as unknown as { rows: Array<{ id: number }> };
  return res.rows.map((r) => Number(r.id));
}

async function sharedTopics(db: Db, aId: number, bId: number): Promise<number[]> {
  const res = (await db.execute(sql`
    select a.topic_id as id from user_topics a join user_topics b on b.topic_id = a.topic_id
    where a.user_id = ${aId} and b.user_id = ${bId}
    order by a.weight + b.weight desc, a.topic_id limit 3`)) as unknown as { rows: Array<{ id: number }> };
  return res.rows.map((r) => Number(r.id));
}

/** Claims both people for a proposal, or nothing: null when either is taken or may not talk now. */
async function tryPropose(
  db: Db,
  seekerId: number,
  candidateId: number,
  score: number,
  variant: MatchVariant,
  now: Date,
): Promise<number | null> {
  try {
    return await db.transaction(async (tx) => {
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
      await markSearchesProposedIn(tx, [seekerId, candidateId], now);
      return m.id;
    });
  } catch (err) {
    if (isUniqueViolation(err) || err instanceof NotProposable) return null;
    throw err;
  }
}

/** What each side is shown about the other. */
async function buildProposal(
  db: Db,
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
  const shared = sharedTopicIds.length > 0 ? sharedTopicIds : await sharedTopics(db, aId, bId);
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
        sharedTopicIds: related ? await relatedTopics(db, me, other) : shared,
        topicsRelated: related,
      },
    };
  };
  return { matchId, variant, score, a: await side(aId, bId), b: await side(bId, aId) };
}

/**
 * Proposals: made by the worker for one search, withdrawn when undeliverable, expired after their
 * TTL. No double booking: a proposal inserts an `engagements` row per person in the same
 * transaction, and the primary key refuses a second one.
 */
export function createProposals(deps: ProposalDeps) {
  const { db, clock, finder, metrics } = deps;
  return {
    /**
     * The worker's step for one search event: find the best candidate who can be claimed and make a
     * proposal. Returns null when there is nobody now (the search stays queued and is retried).
     */
    async processSearch(userId: number): Promise<Proposal | null> {
      const now = clock.now();
      const [queued] = await db.select().from(matchQueue).where(eq(matchQueue.userId, userId));
      if (!queued || queued.expiresAt <= now) return null;
      if (await engagementOf(db, userId)) return null;
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
        const matchId = await tryPropose(db, userId, c.userId, c.score, variant, now);
        if (matchId === null) continue;
        const proposal = await buildProposal(
          db,
          matchId,
          userId,
          c.userId,
          c.score,
          variant,
          c.sharedTopicIds,
        );
        metrics.proposalsSent(variant);
        // From the /find that started this search, however many wake-ups and retries it took.
        metrics.timeToProposalMs(variant, now.getTime() - queued.enqueuedAt.getTime());
        return proposal;
      }
      await db
        .update(matchQueue)
        .set({ scoreReadyAt: new Date(now.getTime() + RETRY_AFTER_MS) })
        .where(eq(matchQueue.userId, userId));
      return null;
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
          await requeue(deps, uid, (q?.requeueCount ?? 0) + 1);
        }
        results.push({ matchId: result.matchId, requeued: result.requeued, dropped: result.dropped });
      }
      return results;
    },
  };
}
