/**
 * The match score, written once: score = 0.6·tags_overlap + 0.2·time_overlap + 0.2·helpfulness,
 * every part in [0, 1] (spec «Алгоритм матчинга», sprint-2 §6). Both candidate finders (the SQL
 * one and the in-memory index) call these functions; nothing else computes a score.
 */

export const SCORE_WEIGHTS = { tags: 0.6, time: 0.2, helpfulness: 0.2 } as const;

/**
 * tags_overlap = min(Σ factor·min(w_me, w_them) / TAGS_SATURATION, 1) over matched topics, weights 1..3.
 * The spec's min(shared/5, 1) is the special case of five shared topics of weight 2: 5·2 = 10.
 * So two shared «очень важно» topics give 0.6, two «немного» give 0.2.
 */
export const TAGS_SATURATION = 10;
/** Soft variant: a topic of the same group (topics.group_slug) counts at this fraction of a shared one. */
export const RELATED_TOPIC_FACTOR = 0.5;
/** A person who chose no availability windows: no overlap is required, and time scores this. */
export const EMPTY_MASK_TIME_OVERLAP = 0.5;
/** Ratings 1..5 map to [0, 1] as (r − 1) / 4; the average is smoothed towards this prior… */
export const HELPFULNESS_PRIOR_MEAN = 0.5;
/** …as if every person had this many extra ratings at the prior mean. Newcomers get the prior. */
export const HELPFULNESS_PRIOR_WEIGHT = 5;

/** The weight one matched topic adds to the tags sum: min of both weights, reduced when only related. */
export function topicMatchWeight(weightMine: number, weightTheirs: number, related = false): number {
  const w = Math.min(weightMine, weightTheirs);
  return related ? w * RELATED_TOPIC_FACTOR : w;
}

export function tagsOverlap(weightedSum: number): number {
  if (!(weightedSum > 0)) return 0;
  return Math.min(weightedSum / TAGS_SATURATION, 1);
}

/**
 * overlap hours / min(hours of A, hours of B): 1 when the smaller schedule fits inside the larger.
 * When either side chose no windows (0 hours) the result is EMPTY_MASK_TIME_OVERLAP.
 */
export function timeOverlap(overlap: number, hoursA: number, hoursB: number): number {
  if (hoursA <= 0 || hoursB <= 0) return EMPTY_MASK_TIME_OVERLAP;
  return Math.min(Math.max(overlap, 0) / Math.min(hoursA, hoursB), 1);
}

/** Bayesian average of dialogue ratings (sum and count of 1..5 marks) mapped to [0, 1]. */
export function helpfulness(ratingSum: number, ratingCount: number): number {
  const count = Math.max(ratingCount, 0);
  const mappedSum = count === 0 ? 0 : (ratingSum - count) / 4;
  const value =
    (HELPFULNESS_PRIOR_WEIGHT * HELPFULNESS_PRIOR_MEAN + mappedSum) / (HELPFULNESS_PRIOR_WEIGHT + count);
  return Math.min(Math.max(value, 0), 1);
}

export function matchScore(tags: number, time: number, help: number): number {
  return SCORE_WEIGHTS.tags * tags + SCORE_WEIGHTS.time * time + SCORE_WEIGHTS.helpfulness * help;
}
