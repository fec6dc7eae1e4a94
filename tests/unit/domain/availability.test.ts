import { describe, expect, it } from "vitest";
import {
  countHours,
  isAvailableAt,
  maskToWindows,
  overlapHours,
  timeOverlap,
  toUtcWeekMask,
  WINDOWS,
  type Window,
  windowsToMask,
} from "../../../src/domain/availability.ts";

const WINTER = new Date("2026-01-14T12:00:00Z"); // a Wednesday, no DST change that week
const SUMMER = new Date("2026-07-15T12:00:00Z");

const EMPTY = "0".repeat(168);
const FULL = "1".repeat(168);

const maskOf = (hours: Iterable<number>) => {
  const chars = Array<string>(168).fill("0");
  for (const h of hours) chars[h] = "1";
  return chars.join("");
};
const hoursOf = (mask: string) => [...mask].flatMap((c, i) => (c === "1" ? [i] : []));
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
/** UTC hour indexes [fromHour, toHour) on each of the given days (0 = Monday), wrapping past Sunday. */
const daily = (days: number[], fromHour: number, toHour: number) =>
  days.flatMap((d) => range(d * 24 + fromHour, d * 24 + toHour).map((h) => (h + 168) % 168));
const WEEKDAYS = [0, 1, 2, 3, 4];

/**
 * Reference built on real calendar time: for each UTC hour of the week containing `at`, ask Intl for
 * the local weekday and hour at the middle of that hour, and apply the documented windows.
 */
function referenceMask(availLocal: number, zone: string, at: Date): string {
  const monday = new Date(at);
  monday.setUTCHours(0, 0, 0, 0);
  monday.setUTCDate(monday.getUTCDate() - ((monday.getUTCDay() + 6) % 7));
  const fmt = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    weekday: "short",
    hour: "numeric",
    hourCycle: "h23",
  });
  const days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
  let out = "";
  for (let h = 0; h < 168; h++) {
    const parts = fmt.formatToParts(new Date(monday.getTime() + h * 3_600_000 + 1_800_000));
    const day = days.indexOf(parts.find((p) => p.type === "weekday")!.value);
    const hour = Number(parts.find((p) => p.type === "hour")!.value);
    const weekend = day >= 5 ? "weekend" : "weekday";
    const part = hour < 6 ? "night" : hour < 12 ? "morning" : hour < 18 ? "day" : "evening";
    out += availLocal & (1 << WINDOWS.indexOf(`${weekend}_${part}` as Window)) ? "1" : "0";
  }
  return out;
}

describe("window bits", () => {
  it("numbers windows as bits 0..7 in the documented order", () => {
    expect(WINDOWS.map((w) => windowsToMask([w]))).toEqual([1, 2, 4, 8, 16, 32, 64, 128]);
    expect(windowsToMask(["weekday_evening", "weekend_morning"])).toBe(4 + 16);
  });

  it("round-trips every value 0..255", () => {
    for (let v = 0; v <= 255; v++) expect(windowsToMask(maskToWindows(v))).toBe(v);
  });

  it.each([-1, 256, 1.5, Number.NaN])("rejects availLocal %s", (v) => {
    expect(() => maskToWindows(v)).toThrow(RangeError);
    expect(() => toUtcWeekMask(v, "Europe/Moscow", WINTER)).toThrow(RangeError);
  });
});

describe("toUtcWeekMask: worked examples", () => {
  const cases: Array<[string, Window[], string, Date, number[]]> = [
    [
      "Moscow weekday mornings 06–12 are 03–09 UTC",
      ["weekday_morning"],
      "Europe/Moscow",
      WINTER,
      daily(WEEKDAYS, 3, 9),
    ],
    [
      "Moscow weekday evenings 18–24 are 15–21 UTC",
      ["weekday_evening"],
      "Europe/Moscow",
      WINTER,
      daily(WEEKDAYS, 15, 21),
    ],
    [
      "Vladivostok weekend mornings start on Friday evening UTC",
      ["weekend_morning"],
      "Asia/Vladivostok",
      WINTER,
      [...daily([4, 5], 20, 24), ...daily([5, 6], 0, 2)],
    ],
    [
      "Kaliningrad weekday nights wrap from Sunday 22:00 UTC into Monday",
      ["weekday_night"],
      "Europe/Kaliningrad",
      WINTER,
      [...daily([6, 0, 1, 2, 3], 22, 24), ...daily(WEEKDAYS, 0, 4)],
    ],
    [
      "Kaliningrad weekend nights are the nights into Saturday and Sunday",
      ["weekend_night"],
      "Europe/Kaliningrad",
      WINTER,
      [...daily([4, 5], 22, 24), ...daily([5, 6], 0, 4)],
    ],
    ["Etc/GMT-5 is UTC+5", ["weekday_day"], "Etc/GMT-5", WINTER, daily(WEEKDAYS, 7, 13)],
    ["Chisinau in winter is UTC+2", ["weekday_morning"], "Europe/Chisinau", WINTER, daily(WEEKDAYS, 4, 10)],
    ["Chisinau in summer is UTC+3", ["weekday_morning"], "Europe/Chisinau", SUMMER, daily(WEEKDAYS, 3, 9)],
    ["UTC itself", ["weekend_day"], "UTC", WINTER, daily([5, 6], 12, 18)],
    [
      "New York (UTC-5) evenings spill into the next UTC day",
      ["weekend_evening"],
      "America/New_York",
      WINTER,
      [...daily([5, 6], 23, 24), ...daily([6, 0], 0, 5)],
    ],
    // UTC+5:30: an hour belongs to the window holding its middle, so 00:00–01:00 UTC (05:30–06:30) is morning.
    ["Kolkata (UTC+5:30) mornings", ["weekday_morning"], "Asia/Kolkata", WINTER, daily(WEEKDAYS, 0, 6)],
  ];

  it.each(cases)("%s", (_name, windows, zone, at, expected) => {
    const mask = toUtcWeekMask(windowsToMask(windows), zone, at);
    expect(mask).toMatch(/^[01]{168}$/);
    expect(hoursOf(mask)).toEqual([...new Set(expected)].sort((a, b) => a - b));
  });

  it("no windows is an empty mask, all windows a full one", () => {
    expect(toUtcWeekMask(0, "Asia/Vladivostok", WINTER)).toBe(EMPTY);
    expect(toUtcWeekMask(255, "Asia/Vladivostok", WINTER)).toBe(FULL);
  });

  it("throws for an unknown zone", () => {
    expect(() => toUtcWeekMask(1, "Mars/Olympus", WINTER)).toThrow(RangeError);
  });
});

describe("toUtcWeekMask: properties", () => {
  const zones = [
    "Europe/Moscow",
    "Asia/Vladivostok",
    "Europe/Kaliningrad",
    "Etc/GMT-5",
    "Etc/GMT+12",
    "Etc/GMT-14",
    "Europe/Chisinau",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "America/St_Johns",
    "Pacific/Chatham",
  ];

  it.each(zones)("%s: matches a calendar-based reference for every window, winter and summer", (zone) => {
    for (const at of [WINTER, SUMMER]) {
      for (const w of WINDOWS) {
        const bit = windowsToMask([w]);
        expect(toUtcWeekMask(bit, zone, at), `${w} ${at.toISOString()}`).toBe(referenceMask(bit, zone, at));
      }
      expect(toUtcWeekMask(0b1010_0101, zone, at)).toBe(referenceMask(0b1010_0101, zone, at));
    }
  });

  it.each(zones)(
    "%s: the 8 windows partition the week (30 h per weekday window, 12 h per weekend one)",
    (zone) => {
      const masks = WINDOWS.map((w) => toUtcWeekMask(windowsToMask([w]), zone, WINTER));
      expect(masks.map(countHours)).toEqual([30, 30, 30, 30, 12, 12, 12, 12]);
      for (let i = 0; i < masks.length; i++) {
        for (let j = i + 1; j < masks.length; j++) expect(overlapHours(masks[i]!, masks[j]!)).toBe(0);
      }
    },
  );

  it("a union of windows is the union of their masks", () => {
    for (let v = 0; v <= 255; v += 17) {
      const union = maskToWindows(v).reduce((acc, w) => {
        const m = toUtcWeekMask(windowsToMask([w]), "Asia/Yekaterinburg", WINTER);
        return maskOf([...hoursOf(acc), ...hoursOf(m)]);
      }, EMPTY);
      expect(toUtcWeekMask(v, "Asia/Yekaterinburg", WINTER)).toBe(union);
    }
  });
});

describe("overlap between people", () => {
  const moscow = (w: Window[]) => toUtcWeekMask(windowsToMask(w), "Europe/Moscow", WINTER);
  const vlad = (w: Window[]) => toUtcWeekMask(windowsToMask(w), "Asia/Vladivostok", WINTER);

  it.each<[string, string, string, number, number]>([
    // Friday 23:00 Moscow = Saturday 06:00 Vladivostok = Friday 20:00 UTC: one shared hour.
    [
      "Moscow weekday evening × Vladivostok weekend morning",
      moscow(["weekday_evening"]),
      vlad(["weekend_morning"]),
      1,
      1 / 12,
    ],
    // Saturday 23:00 Moscow = Sunday 06:00 Vladivostok.
    [
      "Moscow weekend evening × Vladivostok weekend morning",
      moscow(["weekend_evening"]),
      vlad(["weekend_morning"]),
      1,
      1 / 12,
    ],
    // Moscow 11–12 = Vladivostok 18–19 (08–09 UTC), on each of the five weekdays.
    [
      "Moscow weekday morning × Vladivostok weekday evening",
      moscow(["weekday_morning"]),
      vlad(["weekday_evening"]),
      5,
      5 / 30,
    ],
    // Vladivostok is 7 hours ahead: its weekday day 12–18 is Moscow 05–11.
    [
      "Moscow weekday morning × Vladivostok weekday day",
      moscow(["weekday_morning"]),
      vlad(["weekday_day"]),
      25,
      25 / 30,
    ],
    ["same windows, same zone", moscow(["weekday_evening"]), moscow(["weekday_evening"]), 30, 1],
    [
      "subset counts as a full fit",
      moscow(["weekday_evening"]),
      moscow(["weekday_evening", "weekend_day"]),
      30,
      1,
    ],
    ["Moscow evening × Moscow morning", moscow(["weekday_evening"]), moscow(["weekday_morning"]), 0, 0],
    ["empty on one side", EMPTY, moscow(["weekday_evening"]), 0, 0],
    ["both empty", EMPTY, EMPTY, 0, 0],
    ["full × full", FULL, FULL, 168, 1],
  ])("%s: %i h, time overlap %f", (_name, a, b, hours, ratio) => {
    expect(overlapHours(a, b)).toBe(hours);
    expect(overlapHours(b, a)).toBe(hours);
    expect(timeOverlap(a, b)).toBeCloseTo(ratio, 12);
    expect(timeOverlap(b, a)).toBeCloseTo(ratio, 12);
  });

  it("time overlap stays in [0, 1] for random masks", () => {
    let seed = 9;
    const bit = () => {
      seed = (seed * 48271) % 2147483647;
      return seed & 1 ? "1" : "0";
    };
    for (let i = 0; i < 200; i++) {
      const a = Array.from({ length: 168 }, bit).join("");
      const b = Array.from({ length: 168 }, bit).join("");
      const t = timeOverlap(a, b);
      expect(t).toBeGreaterThanOrEqual(0);
      expect(t).toBeLessThanOrEqual(1);
      const expected = hoursOf(a).filter((h) => b[h] === "1").length;
      expect(overlapHours(a, b)).toBe(expected);
    }
  });

  it.each([
    ["short", "1".repeat(167)],
    ["long", "1".repeat(169)],
    ["other characters", "2".repeat(168)],
    ["empty string", ""],
    ["10 000 characters", "1".repeat(10_000)],
  ])("rejects a malformed mask (%s)", (_name, bad) => {
    expect(() => overlapHours(bad, FULL)).toThrow(RangeError);
    expect(() => timeOverlap(FULL, bad)).toThrow(RangeError);
    expect(() => isAvailableAt(bad, WINTER)).toThrow(RangeError);
  });
});

describe("isAvailableAt", () => {
  const eveningMsk = toUtcWeekMask(windowsToMask(["weekday_evening"]), "Europe/Moscow", WINTER);

  it.each([
    ["Wednesday 19:00 MSK", "2026-01-14T16:00:00Z", true],
    ["Wednesday 18:00 MSK sharp", "2026-01-14T15:00:00Z", true],
    ["Wednesday 17:59 MSK", "2026-01-14T14:59:59Z", false],
    ["Wednesday 23:59 MSK", "2026-01-14T20:59:59Z", true],
    ["Thursday 00:00 MSK", "2026-01-14T21:00:00Z", false],
    ["Friday 23:30 MSK", "2026-01-16T20:30:00Z", true],
    ["Saturday 19:00 MSK", "2026-01-17T16:00:00Z", false],
    ["a different week, same weekday and hour", "2027-03-03T16:00:00Z", true],
  ])("%s → %s", (_name, iso, expected) => expect(isAvailableAt(eveningMsk, new Date(iso))).toBe(expected));

  it.each([
    ["2026-01-12T00:00:00Z", 0],
    ["2026-01-12T00:59:59Z", 0],
    ["2026-01-13T05:10:00Z", 29],
    ["2026-01-18T23:59:59Z", 167],
  ])("%s is hour %i of the UTC week", (iso, hour) => {
    expect(isAvailableAt(maskOf([hour]), new Date(iso))).toBe(true);
    expect(isAvailableAt(maskOf(range(0, 168).filter((h) => h !== hour)), new Date(iso))).toBe(false);
  });
});
