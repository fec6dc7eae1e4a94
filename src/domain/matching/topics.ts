import { topicMatchWeight } from "./score.ts";

/**
 * Topics as dense indices 0..size-1 so a person's topic weights fit a small typed array
 * (weight 1..3 at the topic's index, 0 = not chosen).
 */
export interface TopicSpace {
  size: number;
  topicIds: readonly number[];
  indexOf: ReadonlyMap<number, number>;
  /** Group index of each topic index. */
  groupOf: readonly number[];
  /** Topic indices of each group, ascending topic id. */
  groupMembers: readonly (readonly number[])[];
}

export function createTopicSpace(rows: ReadonlyArray<{ id: number; groupSlug: string }>): TopicSpace {
  const sorted = [...rows].sort((a, b) => a.id - b.id);
  const groupIndex = new Map<string, number>();
  const groupMembers: number[][] = [];
  const groupOf: number[] = [];
  const indexOf = new Map<number, number>();
  sorted.forEach((row, i) => {
    indexOf.set(row.id, i);
    let g = groupIndex.get(row.groupSlug);
    if (g === undefined) {
      g = groupMembers.length;
      groupIndex.set(row.groupSlug, g);
      groupMembers.push([]);
    }
    groupOf.push(g);
    groupMembers[g]!.push(i);
  });
  return { size: sorted.length, topicIds: sorted.map((r) => r.id), indexOf, groupOf, groupMembers };
}

export type MatchVariant = "strict" | "soft";
/** Weights are 1..3; the default threshold 1 takes every chosen topic into account. */
export const DEFAULT_MIN_TOPIC_WEIGHT = 1;
export const STRICT_MIN_SHARED_TOPICS = 2;
export const SOFT_MIN_MATCHED_TOPICS = 1;

/** The searching person's topics at or above the weight threshold. */
export interface SeekerTopics {
  /** Weight by topic index, 0 where below the threshold or not chosen. */
  weights: Uint8Array;
  /** Topic indices with a weight, heaviest first then by topic id: the order ties are broken in. */
  indices: readonly number[];
  minWeight: number;
}

export function seekerTopics(
  space: TopicSpace,
  topics: ReadonlyArray<{ topicId: number; weight: number }>,
  minWeight = DEFAULT_MIN_TOPIC_WEIGHT,
): SeekerTopics {
  const weights = new Uint8Array(space.size);
  for (const t of topics) {
    const i = space.indexOf.get(t.topicId);
    if (i !== undefined && t.weight >= minWeight) weights[i] = t.weight;
  }
  const indices: number[] = [];
  for (let i = 0; i < space.size; i++) if (weights[i]! > 0) indices.push(i);
  indices.sort((a, b) => weights[b]! - weights[a]! || a - b);
  return { weights, indices, minWeight };
}

export interface TopicMatchDetail {
  /** Topic indices both people chose (weights at or above the threshold). */
  exact: number[];
  /** The candidate's topic indices that matched one of the seeker's topics only by group. */
  related: number[];
}

/**
 * How well a candidate's topics (weights at `cand[offset + topicIndex]`) match the seeker's:
 * returns Σ topicMatchWeight over matched topics, or −1 when the variant's requirement fails.
 *
 * strict: at least 2 topics chosen by both, each with weight ≥ threshold on both sides; groups ignored.
 * soft (A/B): at least 1 matched topic, where a seeker topic the candidate lacks is matched by the
 * candidate's heaviest unused topic of the same group (not itself shared), at RELATED_TOPIC_FACTOR.
 * Each candidate topic serves at most one seeker topic; seeker topics go heaviest first.
 */
export function matchTopics(
  space: TopicSpace,
  me: SeekerTopics,
  cand: ArrayLike<number>,
  offset: number,
  variant: MatchVariant,
  detail?: TopicMatchDetail,
): number {
  const min = me.minWeight;
  const mine = me.weights;
  let sum = 0;
  let exact = 0;
  for (const t of me.indices) {
    const wc = cand[offset + t]!;
    if (wc >= min) {
      sum += topicMatchWeight(mine[t]!, wc);
      exact++;
      detail?.exact.push(t);
    }
  }
  if (variant === "strict") return exact >= STRICT_MIN_SHARED_TOPICS ? sum : -1;
  let related = 0;
  const used: number[] = [];
  for (const t of me.indices) {
    if (cand[offset + t]! >= min) continue;
    let best = -1;
    let bestWeight = 0;
    for (const c of space.groupMembers[space.groupOf[t]!]!) {
      const wc = cand[offset + c]!;
      // Skip topics too light, topics the seeker also chose (shared or not), and ones already used.
      if (wc < min || wc <= bestWeight || mine[c]! >= min) continue;
      if (used.length > 0 && used.includes(c)) continue;
      best = c;
      bestWeight = wc;
    }
    if (best >= 0) {
      used.push(best);
      sum += topicMatchWeight(mine[t]!, bestWeight, true);
      related++;
      detail?.related.push(best);
    }
  }
  return exact + related >= SOFT_MIN_MATCHED_TOPICS ? sum : -1;
}

/** Up to `max` topic ids from the indices, heaviest combined weight (mine + theirs) first, then by id. */
export function topTopicIds(
  space: TopicSpace,
  me: SeekerTopics,
  indices: readonly number[],
  cand: ArrayLike<number>,
  offset: number,
  max = 3,
): number[] {
  return [...indices]
    .sort(
      (a, b) =>
        me.weights[b]! + cand[offset + b]! - (me.weights[a]! + cand[offset + a]!) ||
        space.topicIds[a]! - space.topicIds[b]!,
    )
    .slice(0, max)
    .map((i) => space.topicIds[i]!);
}
