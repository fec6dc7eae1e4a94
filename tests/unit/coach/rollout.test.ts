import { describe, expect, it } from "vitest";
import { shouldOffer } from "../../../src/domain/coach/offer.ts";
import { isCoachActiveForSession, rolloutBucket } from "../../../src/domain/coach/rollout.ts";

describe("rollout: a deterministic share of sessions", () => {
  it("puts about 10 % of 10 000 sequential session ids in, within ±2 %", () => {
    let on = 0;
    for (let id = 1; id <= 10_000; id++)
      if (isCoachActiveForSession(id, { enabled: true, rolloutPercent: 10 })) on++;
    expect(on / 10_000).toBeGreaterThan(0.08);
    expect(on / 10_000).toBeLessThan(0.12);
  });

  it.each([1, 5, 25, 50])("keeps %i %% within ±2 %% on random-looking ids too", (percent) => {
    let on = 0;
    for (let i = 0; i < 10_000; i++) {
      const id = 1_000_000 + i * 7919;
      if (isCoachActiveForSession(id, { enabled: true, rolloutPercent: percent })) on++;
    }
    expect(Math.abs(on / 100 - percent)).toBeLessThan(2);
  });

  it("answers the same for the same session every time, and is monotone in the percent", () => {
    for (let id = 1; id <= 2_000; id++) {
      const a = isCoachActiveForSession(id, { enabled: true, rolloutPercent: 10 });
      expect(isCoachActiveForSession(id, { enabled: true, rolloutPercent: 10 })).toBe(a);
      // A session in at 10 % stays in when the rollout grows.
      if (a) expect(isCoachActiveForSession(id, { enabled: true, rolloutPercent: 30 })).toBe(true);
    }
  });

  it("defaults to 10 %, is off when disabled, all at 100 and none at 0", () => {
    const ids = Array.from({ length: 3_000 }, (_, i) => i + 1);
    const share = (cfg: Parameters<typeof isCoachActiveForSession>[1]) =>
      ids.filter((id) => isCoachActiveForSession(id, cfg)).length / ids.length;
    expect(share({ enabled: true })).toBeCloseTo(share({ enabled: true, rolloutPercent: 10 }), 10);
    expect(share({ enabled: false, rolloutPercent: 100 })).toBe(0);
    expect(share({ enabled: true, rolloutPercent: 100 })).toBe(1);
    expect(share({ enabled: true, rolloutPercent: 0 })).toBe(0);
    expect(share({ enabled: true, rolloutPercent: Number.NaN })).toBe(0);
    expect(share({ enabled: true, rolloutPercent: 250 })).toBe(1);
  });

  it("a different salt picks a different set of sessions of the same size", () => {
    const a = new Set<number>();
    const b = new Set<number>();
    for (let id = 1; id <= 10_000; id++) {
      if (isCoachActiveForSession(id, { enabled: true, rolloutPercent: 10, salt: "x" })) a.add(id);
      if (isCoachActiveForSession(id, { enabled: true, rolloutPercent: 10, salt: "y" })) b.add(id);
    }
    const both = [...a].filter((id) => b.has(id)).length;
    expect(Math.abs(a.size - b.size)).toBeLessThan(300);
    expect(both / a.size).toBeLessThan(0.2);
    expect(rolloutBucket(42, "x")).toBe(rolloutBucket(42, "x"));
  });
});

describe("offer policy", () => {
  it.each([
    [null, 3, false, true],
    [0, 3, false, false],
    [1, 3, false, false],
    [2, 3, false, false],
    [3, 3, false, true],
    [7, 3, false, true],
    [1, 1, false, true],
    [1, 0, false, true],
    [null, 3, true, false],
    [10, 3, true, false],
  ] as const)("since last offer %s, gap %i, crisis %s → %s", (since, minGap, crisisFlagged, expected) => {
    expect(shouldOffer({ messagesSinceLastOffer: since, minGap, crisisFlagged })).toBe(expected);
  });

  it("uses a gap of 3 by default", () => {
    expect(shouldOffer({ messagesSinceLastOffer: 2, crisisFlagged: false })).toBe(false);
    expect(shouldOffer({ messagesSinceLastOffer: 3, crisisFlagged: false })).toBe(true);
  });
});
