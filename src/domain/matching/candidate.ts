import { matchScore, tagsOverlap, timeOverlap } from "./score.ts";
import {
  type MatchVariant,
  matchTopics,
  type SeekerTopics,
  type TopicMatchDetail,
  type TopicSpace,
  topTopicIds,
} from "./topics.ts";
import { hasHour, overlapHours } from "./week-mask.ts";

export interface Candidate {
  userId: number;
  score: number;
  /** Topics both chose, up to 3, heaviest combined weight first. */
  sharedTopicIds: number[];
  /** Soft variant: the candidate's topics that matched only by group, up to 3. Empty in strict. */
  relatedTopicIds: number[];
  /** In the queue now (ranked before people who only opted in to receive proposals). */
  searching: boolean;
}

/** The searching person as matching sees them. */
export interface Seeker {
  userId: number;
  topics: SeekerTopics;
  /** 6-word week mask (see week-mask.ts) and its hour count; 0 hours = no windows chosen. */
  avail: Uint32Array;
  availHours: number;
}

/**
 * A candidate's data in typed arrays at given offsets: the in-memory index keeps many people in one
 * array, the SQL path one person per array. Offsets avoid allocating per candidate in the hot loop.
 */
export interface CandidateData {
  topicWeights: ArrayLike<number>;
  topicOffset: number;
  avail: Uint32Array;
  availOffset: number;
  availHours: number;
  helpfulness: number;
}

/**
 * Searching people may always be proposed. Others only if they opted in and the current UTC hour is
 * one of their windows; no windows chosen means no unsolicited proposals (nobody is woken at night
 * because they skipped a question).
 */
export function isReachableNow(
  searching: boolean,
  receiveProposals: boolean,
  avail: Uint32Array,
  availOffset: number,
  availHours: number,
  hour: number,
): boolean {
  return searching || (receiveProposals && availHours > 0 && hasHour(avail, availOffset, hour));
}

/**
 * The candidate's score, or −1 when topics or time windows rule them out. Time: both with windows
 * must share at least one hour; a person with no windows fits anyone and time scores 0.5.
 */
export function scoreCandidate(
  space: TopicSpace,
  me: Seeker,
  variant: MatchVariant,
  c: CandidateData,
  detail?: TopicMatchDetail,
): number {
  let overlap = 0;
  if (me.availHours > 0 && c.availHours > 0) {
    overlap = overlapHours(me.avail, 0, c.avail, c.availOffset);
    if (overlap === 0) return -1;
  }
  const sum = matchTopics(space, me.topics, c.topicWeights, c.topicOffset, variant, detail);
  if (sum < 0) return -1;
  return matchScore(tagsOverlap(sum), timeOverlap(overlap, me.availHours, c.availHours), c.helpfulness);
}

/** Scores one candidate and, if they qualify, describes them for the proposal. */
export function describeCandidate(
  space: TopicSpace,
  me: Seeker,
  variant: MatchVariant,
  userId: number,
  searching: boolean,
  c: CandidateData,
): Candidate | null {
  const detail: TopicMatchDetail = { exact: [], related: [] };
  const score = scoreCandidate(space, me, variant, c, detail);
  if (score < 0) return null;
  return {
    userId,
    score,
    searching,
    sharedTopicIds: topTopicIds(space, me.topics, detail.exact, c.topicWeights, c.topicOffset),
    relatedTopicIds: topTopicIds(space, me.topics, detail.related, c.topicWeights, c.topicOffset),
  };
}

/** Searching first, then higher score, then lower user id (deterministic). */
export function compareCandidates(
  a: Pick<Candidate, "searching" | "score" | "userId">,
  b: Pick<Candidate, "searching" | "score" | "userId">,
): number {
  if (a.searching !== b.searching) return a.searching ? -1 : 1;
  if (a.score !== b.score) return b.score - a.score;
  return a.userId - b.userId;
}
