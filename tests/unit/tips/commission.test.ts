import { describe, expect, it } from "vitest";
import {
  DEFAULT_COMMISSION_BPS,
  isValidCommissionBps,
  isValidTipAmount,
  MAX_COMMISSION_BPS,
  splitTip,
  TIP_MAX,
  TIP_MIN,
  TIP_PRESETS,
} from "../../../src/domain/commission.ts";

describe("splitTip rounds our commission down and gives the rest to the person thanked", () => {
  // [amount, bps, ourCommission, recipientShare] — worked out by hand, not by the formula under test.
  const cases: Array<[number, number, number, number]> = [
    // presets at the default 10%
    [5, 1000, 0, 5],
    [10, 1000, 1, 9],
    [25, 1000, 2, 23],
    [50, 1000, 5, 45],
    // edges at 10%
    [1, 1000, 0, 1],
    [2, 1000, 0, 2],
    [9, 1000, 0, 9],
    [11, 1000, 1, 10],
    [19, 1000, 1, 18],
    [20, 1000, 2, 18],
    [2499, 1000, 249, 2250],
    [2500, 1000, 250, 2250],
    // no commission
    [1, 0, 0, 1],
    [10, 0, 0, 10],
    [2500, 0, 0, 2500],
    // 15%
    [1, 1500, 0, 1],
    [6, 1500, 0, 6],
    [7, 1500, 1, 6],
    [10, 1500, 1, 9],
    [25, 1500, 3, 22],
    [50, 1500, 7, 43],
    [2499, 1500, 374, 2125],
    [2500, 1500, 375, 2125],
    // the 50% ceiling
    [1, 5000, 0, 1],
    [2, 5000, 1, 1],
    [9, 5000, 4, 5],
    [10, 5000, 5, 5],
    [11, 5000, 5, 6],
    [2499, 5000, 1249, 1250],
    [2500, 5000, 1250, 1250],
    // 1 bps: nothing until 10 000 Stars, which is beyond the maximum
    [2500, 1, 0, 2500],
  ];

  it.each(cases)(
    "%i Stars at %i bps → commission %i, recipient %i",
    (amount, bps, ourCommission, recipientShare) => {
      expect(splitTip(amount, bps)).toEqual({ amount, ourCommission, providerFee: 0, recipientShare });
    },
  );

  it.each(TIP_PRESETS.map((p) => [p]))("preset %i uses the default 10%%", (amount) => {
    expect(DEFAULT_COMMISSION_BPS).toBe(1000);
    expect(splitTip(amount)).toEqual(splitTip(amount, 1000));
  });

  it("presets are 5, 10, 25, 50 and all valid amounts", () => {
    expect(TIP_PRESETS).toEqual([5, 10, 25, 50]);
    for (const p of TIP_PRESETS) expect(isValidTipAmount(p)).toBe(true);
  });
});

describe("splitTip invariants over every amount", () => {
  it.each([0, 1, 333, 1000, 1500, 2500, 4999, 5000])(
    "at %i bps: parts add up, none negative, commission ≤ rate",
    (bps) => {
      const broken: string[] = [];
      for (let amount = TIP_MIN; amount <= TIP_MAX; amount++) {
        const s = splitTip(amount, bps);
        const parts = [s.ourCommission, s.providerFee, s.recipientShare];
        if (s.amount !== amount) broken.push(`${amount}: amount changed`);
        if (s.ourCommission + s.providerFee + s.recipientShare !== amount) broken.push(`${amount}: sum`);
        if (!parts.every((p) => Number.isInteger(p) && p >= 0))
          broken.push(`${amount}: negative or fractional`);
        // Rounded down: never more than the exact rate, and less by under one Star.
        if (s.ourCommission * 10_000 > amount * bps) broken.push(`${amount}: commission above the rate`);
        if ((s.ourCommission + 1) * 10_000 <= amount * bps) broken.push(`${amount}: commission a Star short`);
      }
      expect(broken).toEqual([]);
    },
  );

  it("a higher rate never gives the recipient more", () => {
    const broken: string[] = [];
    for (let amount = TIP_MIN; amount <= TIP_MAX; amount++) {
      for (let bps = 250; bps <= MAX_COMMISSION_BPS; bps += 250) {
        if (splitTip(amount, bps).recipientShare > splitTip(amount, bps - 250).recipientShare) {
          broken.push(`${amount} at ${bps}`);
        }
      }
    }
    expect(broken).toEqual([]);
  });
});

describe("splitTip refuses what callers must validate", () => {
  const badAmounts: Array<[string, number]> = [
    ["zero", 0],
    ["negative", -5],
    ["above the maximum", TIP_MAX + 1],
    ["fractional", 10.5],
    ["NaN", Number.NaN],
    ["infinity", Number.POSITIVE_INFINITY],
  ];
  it.each(badAmounts)("amount %s", (_name, amount) => {
    expect(isValidTipAmount(amount)).toBe(false);
    expect(() => splitTip(amount, 1000)).toThrow(RangeError);
  });

  const badRates: Array<[string, number]> = [
    ["negative", -1],
    ["above 50%", MAX_COMMISSION_BPS + 1],
    ["100%", 10_000],
    ["fractional", 999.5],
    ["NaN", Number.NaN],
  ];
  it.each(badRates)("rate %s", (_name, bps) => {
    expect(isValidCommissionBps(bps)).toBe(false);
    expect(() => splitTip(10, bps)).toThrow(RangeError);
  });

  it.each([[TIP_MIN], [TIP_MAX]])("accepts the bound %i", (amount) => {
    expect(isValidTipAmount(amount)).toBe(true);
  });

  it.each([[0], [1000], [MAX_COMMISSION_BPS]])("accepts the rate %i", (bps) => {
    expect(isValidCommissionBps(bps)).toBe(true);
  });
});
