import { describe, expect, it } from "vitest";
import {
  compareCandidates,
  describeCandidate,
  isReachableNow,
  type Seeker,
} from "../../../src/domain/matching/candidate.ts";
import { createTopicSpace, matchTopics, seekerTopics } from "../../../src/domain/matching/topics.ts";
import {
  countHours,
  formatWeekMask,
  hourOfWeek,
  parseWeekMask,
} from "../../../src/domain/matching/week-mask.ts";

// Two groups: work = 1,2,3; move = 10,11.
const space = createTopicSpace([
  { id: 1, groupSlug: "work" },
  { id: 2, groupSlug: "work" },
  { id: 3, groupSlug: "work" },
  { id: 10, groupSlug: "move" },
  { id: 11, groupSlug: "move" },
]);
const weights = (byId: Record<number, number>) => {
  const w = new Uint8Array(space.size);
  for (const [id, weight] of Object.entries(byId)) w[space.indexOf.get(Number(id))!] = weight;
  return w;
};
const me = (byId: Record<number, number>, minWeight = 1) =>
  seekerTopics(
    space,
    Object.entries(byId).map(([id, weight]) => ({ topicId: Number(id), weight })),
    minWeight,
  );

describe("topic matching", () => {
  it.each([
    // [name, seeker, candidate, variant, min weight, expected weighted sum or -1]
    ["two shared", { 1: 3, 10: 2 }, { 1: 3, 10: 3 }, "strict", 1, 5],
    ["one shared: strict rejects", { 1: 3, 10: 2 }, { 1: 3 }, "strict", 1, -1],
    ["one shared: soft accepts", { 1: 3, 10: 2 }, { 1: 3 }, "soft", 1, 3],
    ["related only: strict rejects", { 1: 3, 10: 2 }, { 2: 2, 11: 2 }, "strict", 1, -1],
    ["related only: soft at half weight", { 1: 3, 10: 2 }, { 2: 2, 11: 2 }, "soft", 1, 0.5 * 2 + 0.5 * 2],
    ["nothing in common", { 1: 3 }, { 10: 3, 11: 3 }, "soft", 1, -1],
    ["threshold drops light topics on their side", { 1: 3, 10: 2 }, { 1: 1, 10: 3 }, "strict", 2, -1],
    ["threshold drops light topics on my side", { 1: 1, 10: 2, 2: 3 }, { 1: 3, 10: 3, 2: 3 }, "strict", 2, 5],
    ["a candidate topic serves one related topic only", { 1: 3, 2: 2 }, { 3: 3 }, "soft", 1, 0.5 * 3],
    ["a topic I chose is never used as a related partner", { 1: 3, 2: 2 }, { 2: 3 }, "soft", 1, 2],
  ] as const)("%s", (_name, mine, theirs, variant, minWeight, expected) => {
    expect(matchTopics(space, me(mine, minWeight), weights(theirs), 0, variant)).toBe(expected);
  });

  it("seeker topics go heaviest first, then by id", () => {
    expect(me({ 11: 1, 2: 3, 1: 3, 10: 2 }).indices.map((i) => space.topicIds[i])).toEqual([1, 2, 10, 11]);
  });
});

describe("candidate evaluation", () => {
  const hours = (h: number[]) => {
    const mask = parseWeekMask(h.length ? formatWeekMask(h) : null);
    return { avail: mask, availHours: countHours(mask) };
  };
  const seeker: Seeker = { userId: 1, topics: me({ 1: 3, 10: 2, 11: 1 }), ...hours([60, 61, 62, 63]) };
  const data = (byId: Record<number, number>, h: number[], help = 0.5) => ({
    topicWeights: weights(byId),
    topicOffset: 0,
    availOffset: 0,
    helpfulness: help,
    ...hours(h),
  });

  it("describes a candidate: score, top shared topics by combined weight", () => {
    const c = describeCandidate(
      space,
      seeker,
      "strict",
      7,
      true,
      data({ 1: 3, 10: 3, 11: 3 }, [62, 63, 64]),
    )!;
    // tags (3 + 2 + 1) / 10, time 2 of min(4, 3), prior helpfulness.
    expect(c.score).toBeCloseTo(0.6 * 0.6 + 0.2 * (2 / 3) + 0.2 * 0.5, 12);
    expect(c.sharedTopicIds).toEqual([1, 10, 11]);
    expect(c).toMatchObject({ userId: 7, searching: true, relatedTopicIds: [] });
  });

  it("rejects windows that never meet; no windows on either side means no requirement and 0.5", () => {
    expect(describeCandidate(space, seeker, "strict", 7, true, data({ 1: 3, 10: 3 }, [100]))).toBeNull();
    const any = describeCandidate(space, seeker, "strict", 7, true, data({ 1: 3, 10: 3 }, []))!;
    expect(any.score).toBeCloseTo(0.6 * 0.5 + 0.2 * 0.5 + 0.2 * 0.5, 12);
  });

  it("reachability: searchers always; opted-in only within a window at this hour", () => {
    const { avail, availHours } = hours([63]);
    const none = hours([]);
    expect(isReachableNow(true, false, none.avail, 0, 0, 63)).toBe(true);
    expect(isReachableNow(false, true, avail, 0, availHours, 63)).toBe(true);
    expect(isReachableNow(false, true, avail, 0, availHours, 64)).toBe(false);
    expect(isReachableNow(false, true, none.avail, 0, 0, 63)).toBe(false);
    expect(isReachableNow(false, false, avail, 0, availHours, 63)).toBe(false);
  });

  it("orders searching first, then score, then user id", () => {
    const list = [
      { userId: 5, score: 0.9, searching: false },
      { userId: 4, score: 0.5, searching: true },
      { userId: 3, score: 0.7, searching: true },
      { userId: 2, score: 0.5, searching: true },
    ].sort(compareCandidates);
    expect(list.map((c) => c.userId)).toEqual([3, 2, 4, 5]);
  });
});

describe("week mask", () => {
  it.each([
    ["2026-01-05T00:00:00Z", 0], // Monday
    ["2026-01-07T15:59:59Z", 63], // Wednesday
    ["2026-01-11T23:30:00Z", 167], // Sunday
  ])("hour of week of %s is %s", (iso, hour) => {
    expect(hourOfWeek(new Date(iso))).toBe(hour);
  });

  it("round-trips the bit(168) text, leftmost character = hour 0", () => {
    const text = formatWeekMask([0, 31, 32, 167]);
    expect(text).toHaveLength(168);
    expect(text[0]).toBe("1");
    expect(text[167]).toBe("1");
    expect(countHours(parseWeekMask(text))).toBe(4);
    expect(countHours(parseWeekMask(null))).toBe(0);
    expect(() => formatWeekMask([168])).toThrow(RangeError);
  });
});
