import { sql } from "drizzle-orm";
import type { Clock } from "../../clock.ts";
import type { Db } from "../../db/client.ts";
import {
  type Candidate,
  compareCandidates,
  describeCandidate,
  type Seeker,
} from "../../domain/matching/candidate.ts";
import {
  DEFAULT_MIN_TOPIC_WEIGHT,
  type MatchVariant,
  type TopicSpace,
} from "../../domain/matching/topics.ts";
import { hourOfWeek } from "../../domain/matching/week-mask.ts";
import {
  type CandidateFacts,
  idArray,
  loadCandidateFacts,
  loadSeeker,
  loadTopicSpace,
  rows,
} from "./candidate-facts.ts";
import type { CandidateIndex } from "./candidate-index.ts";

export type { Candidate } from "../../domain/matching/candidate.ts";
export type { MatchVariant } from "../../domain/matching/topics.ts";
export { type CandidateIndex, createCandidateIndex } from "./candidate-index.ts";

export interface FindCandidatesOptions {
  variant: MatchVariant;
  /** How many to return (top-k). */
  limit: number;
  /** Defaults to clock.now(). */
  now?: Date;
  /** Topics lighter than this (weight 1..3) are ignored on both sides. Default 1: every topic. */
  minWeight?: number;
}

export interface CandidateFinder {
  /**
   * People who may be proposed to `userId` now, best first: searching people before opted-in ones,
   * then by score, then by user id. Empty if the user does not exist or has too few topics.
   */
  findCandidates(userId: number, opts: FindCandidatesOptions): Promise<Candidate[]>;
  /**
   * The weekly digest's count: people «new» since `newSince` (searching now, or joined / opted in to
   * proposals since then) who would be proposed to `userId` now, by the same filters and scoring as
   * `findCandidates`; at most `max` of them, best first.
   */
  findNewCandidates(
    userId: number,
    opts: Omit<FindCandidatesOptions, "limit"> & { newSince: Date; max: number },
  ): Promise<Candidate[]>;
}

export interface CandidateFinderDeps {
  db: Db;
  clock: Clock;
  /**
   * The worker's in-memory index. Without it every search is answered by SQL from the eligible
   * pool (fine for the embedded mode and small databases; see docs/benchmarks.md for the curve).
   */
  index?: CandidateIndex;
}

/** The index is asked for more than `limit` so that people the database rejects can be replaced. */
const OVERFETCH_FACTOR = 2;
const OVERFETCH_EXTRA = 8;
const MAX_VERIFY_ROUNDS = 3;

export function createCandidateFinder(deps: CandidateFinderDeps): CandidateFinder {
  const { db, clock, index } = deps;
  let ownSpace: Promise<TopicSpace> | null = null;
  const topicSpace = (): Promise<TopicSpace> => {
    if (index) return Promise.resolve(index.space);
    ownSpace ??= loadTopicSpace(db).catch((err) => {
      ownSpace = null;
      throw err;
    });
    return ownSpace;
  };

  function describeAll(
    space: TopicSpace,
    me: Seeker,
    variant: MatchVariant,
    facts: CandidateFacts[],
  ): Candidate[] {
    const out: Candidate[] = [];
    for (const f of facts) {
      const c = describeCandidate(space, me, variant, f.userId, f.searching, f);
      if (c) out.push(c);
    }
    return out;
  }

  /** Of `facts`, those searching or new since `newSince` (the SQL path; the index filters by itself). */
  async function onlyNew(facts: CandidateFacts[], newSince: Date): Promise<CandidateFacts[]> {
    const others = facts.filter((f) => !f.searching).map((f) => f.userId);
    if (others.length === 0) return facts;
    const fresh = await rows<{ id: string | number }>(
      db,
      sql`select id from users where id = any(${idArray(others)}::bigint[])
          and greatest(created_at, receive_proposals_since) >= ${newSince.toISOString()}::timestamptz`,
    );
    const ok = new Set(fresh.map((r) => Number(r.id)));
    return facts.filter((f) => f.searching || ok.has(f.userId));
  }

  async function findCandidates(
    userId: number,
    opts: FindCandidatesOptions & { newSince?: Date },
  ): Promise<Candidate[]> {
    const limit = Math.max(0, Math.floor(opts.limit));
    if (limit === 0) return [];
    const now = opts.now ?? clock.now();
    const hour = hourOfWeek(now);
    const minWeight = opts.minWeight ?? DEFAULT_MIN_TOPIC_WEIGHT;
    const space = await topicSpace();
    const loaded = await loadSeeker(db, space, userId, minWeight, now);
    if (!loaded || loaded.seeker.topics.indices.length === 0) return [];
    const { seeker, cooldownIds } = loaded;
    if (opts.variant === "strict" && seeker.topics.indices.length < 2) return [];

    if (!index) {
      // Pool SQL: the candidates must share a topic (strict) or a topic group (soft) with the seeker.
      const topicIds = new Set<number>();
      for (const t of seeker.topics.indices) {
        if (opts.variant === "strict") topicIds.add(space.topicIds[t]!);
        else for (const m of space.groupMembers[space.groupOf[t]!]!) topicIds.add(space.topicIds[m]!);
      }
      let facts = await loadCandidateFacts(db, space, userId, now, hour, { poolTopicIds: [...topicIds] });
      if (opts.newSince) facts = await onlyNew(facts, opts.newSince);
      return describeAll(space, seeker, opts.variant, facts).sort(compareCandidates).slice(0, limit);
    }

    // Index path: the index proposes, the database verifies and the verified facts are re-scored.
    const exclude = new Set<number>(cooldownIds);
    const accepted: Candidate[] = [];
    let want = limit * OVERFETCH_FACTOR + OVERFETCH_EXTRA;
    for (let round = 0; round < MAX_VERIFY_ROUNDS; round++) {
      const hits = index.scan(seeker, opts.variant, now, want, exclude, {
        ...(opts.newSince ? { newSinceMs: opts.newSince.getTime() } : {}),
      });
      if (hits.length === 0) break;
      const ids = hits.map((h) => h.userId);
      const facts = await loadCandidateFacts(db, space, userId, now, hour, { ids });
      accepted.push(...describeAll(space, seeker, opts.variant, facts));
      for (const id of ids) exclude.add(id);
      // Enough verified, or the index has nobody else to offer.
      if (accepted.length >= limit || hits.length < want) break;
      want *= 2;
    }
    return accepted.sort(compareCandidates).slice(0, limit);
  }

  return {
    findCandidates,
    findNewCandidates: (userId, opts) => findCandidates(userId, { ...opts, limit: opts.max }),
  };
}
