import { describe, expect, it } from "vitest";
import {
  EMPTY_MASK_TIME_OVERLAP,
  HELPFULNESS_PRIOR_MEAN,
  helpfulness,
  matchScore,
  RELATED_TOPIC_FACTOR,
  SCORE_WEIGHTS,
  TAGS_SATURATION,
  tagsOverlap,
  timeOverlap,
  topicMatchWeight,
} from "../../../src/domain/matching/score.ts";

describe("score parts", () => {
  it("weights are the spec's 0.6 / 0.2 / 0.2 and sum to 1", () => {
    expect(SCORE_WEIGHTS).toEqual({ tags: 0.6, time: 0.2, helpfulness: 0.2 });
    expect(matchScore(1, 1, 1)).toBeCloseTo(1, 12);
    expect(matchScore(0, 0, 0)).toBe(0);
  });

  it.each([
    // [weighted sum, tags_overlap]
    [0, 0],
    [-1, 0],
    [2, 0.2],
    [5, 0.5],
    [TAGS_SATURATION, 1],
    [18, 1],
  ])("tags_overlap(%s) = %s", (sum, expected) => {
    expect(tagsOverlap(sum)).toBeCloseTo(expected, 12);
  });

  it("the spec's min(shared/5, 1) is five shared topics of weight 2", () => {
    const five = [2, 2, 2, 2, 2].reduce((s, w) => s + topicMatchWeight(w, w), 0);
    expect(tagsOverlap(five)).toBe(1);
  });

  it.each([
    // [mine, theirs, related, expected]
    [3, 3, false, 3],
    [3, 1, false, 1],
    [1, 2, false, 1],
    [2, 3, true, 2 * RELATED_TOPIC_FACTOR],
  ])("a matched topic (%s, %s, related=%s) adds %s", (a, b, related, expected) => {
    expect(topicMatchWeight(a, b, related)).toBe(expected);
  });

  it.each([
    // [overlap, hoursA, hoursB, expected]
    [10, 40, 10, 1],
    [5, 40, 10, 0.5],
    [0, 40, 10, 0],
    [3, 3, 168, 1],
    [0, 0, 40, EMPTY_MASK_TIME_OVERLAP],
    [0, 40, 0, EMPTY_MASK_TIME_OVERLAP],
    [0, 0, 0, EMPTY_MASK_TIME_OVERLAP],
  ])("time_overlap(%s of %s and %s hours) = %s", (overlap, a, b, expected) => {
    expect(timeOverlap(overlap, a, b)).toBeCloseTo(expected, 12);
  });

  it.each([
    // [rating sum, rating count, expected]
    [0, 0, HELPFULNESS_PRIOR_MEAN],
    [5, 1, (5 * 0.5 + 1) / 6],
    [1, 1, (5 * 0.5 + 0) / 6],
    [50, 10, (5 * 0.5 + 10) / 15],
    [10, 10, (5 * 0.5) / 15],
    [5000, 1000, (5 * 0.5 + 1000) / 1005],
  ])("helpfulness(sum %s, count %s) = %s", (sum, count, expected) => {
    expect(helpfulness(sum, count)).toBeCloseTo(expected, 12);
  });

  it("helpfulness stays in [0, 1] and moves from the prior towards the average as ratings accumulate", () => {
    const few = helpfulness(5, 1);
    const many = helpfulness(500, 100);
    expect(few).toBeGreaterThan(HELPFULNESS_PRIOR_MEAN);
    expect(many).toBeGreaterThan(few);
    expect(many).toBeLessThanOrEqual(1);
    expect(helpfulness(1000, 1000)).toBeGreaterThanOrEqual(0);
  });
});
