/**
 * Availability windows. A person picks windows in their own time; matching compares UTC week masks.
 *
 * Local hours (window = [start, end)):
 *   утро  (morning) 06:00–12:00
 *   день  (day)     12:00–18:00
 *   вечер (evening) 18:00–24:00
 *   ночь  (night)   00:00–06:00 — the early hours of that calendar day, so «weekend night» is the
 *                   nights into Saturday and into Sunday, and the night into Monday is a weekday one.
 * Weekend = local Saturday and Sunday.
 *
 * `availLocal` (0–255) holds one bit per window, bit i = WINDOWS[i].
 *
 * The UTC mask (`preferences.avail_utc`, bit(168)) is derived with the zone's offset at one instant,
 * so it must be recomputed whenever the windows or the zone change, and periodically (e.g. daily)
 * for zones with daylight saving, whose offset moves twice a year.
 */
import { HOURS_PER_WEEK, hourOfWeek } from "./matching/week-mask.ts";
import { utcOffsetMinutes } from "./timezone.ts";

export const WINDOWS = [
  "weekday_morning",
  "weekday_day",
  "weekday_evening",
  "weekday_night",
  "weekend_morning",
  "weekend_day",
  "weekend_evening",
  "weekend_night",
] as const;

export type Window = (typeof WINDOWS)[number];

export const ALL_WINDOWS_MASK = 0xff;

const MINUTES_PER_DAY = 24 * 60;
const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY;
const MASK_PATTERN = /^[01]{168}$/;

export function windowBit(window: Window): number {
  return 1 << WINDOWS.indexOf(window);
}

export function windowsToMask(windows: Iterable<Window>): number {
  let mask = 0;
  for (const w of windows) mask |= windowBit(w);
  return mask;
}

export function maskToWindows(availLocal: number): Window[] {
  assertAvailLocal(availLocal);
  return WINDOWS.filter((w) => (availLocal & windowBit(w)) !== 0);
}

/** The window a local time falls in: day 0 = Monday, hour 0–23. */
export function windowAt(localDay: number, localHour: number): Window {
  const weekend = localDay === 5 || localDay === 6 ? 4 : 0;
  // WINDOWS order within a half: morning, day, evening, night.
  const part = localHour < 6 ? 3 : localHour < 12 ? 0 : localHour < 18 ? 1 : 2;
  return WINDOWS[weekend + part]!;
}

function assertAvailLocal(availLocal: number): void {
  if (!Number.isInteger(availLocal) || availLocal < 0 || availLocal > ALL_WINDOWS_MASK) {
    throw new RangeError(`availLocal ${availLocal} outside 0..255`);
  }
}

function assertMask(mask: string): void {
  if (!MASK_PATTERN.test(mask)) throw new RangeError("week mask must be 168 characters of 0 and 1");
}

/**
 * The 168-character UTC week mask ('1' = available; index 0 = Monday 00:00–01:00 UTC) for local
 * windows in `zone`, using the zone's UTC offset at `at`. With a fractional offset (UTC+5:30) a UTC
 * hour belongs to the window holding its middle, i.e. the one covering most of it.
 */
export function toUtcWeekMask(availLocal: number, zone: string, at: Date): string {
  assertAvailLocal(availLocal);
  const offset = utcOffsetMinutes(zone, at);
  let mask = "";
  for (let h = 0; h < HOURS_PER_WEEK; h++) {
    const localMinute = (((h * 60 + 30 + offset) % MINUTES_PER_WEEK) + MINUTES_PER_WEEK) % MINUTES_PER_WEEK;
    const day = Math.floor(localMinute / MINUTES_PER_DAY);
    const hour = Math.floor((localMinute % MINUTES_PER_DAY) / 60);
    mask += availLocal & windowBit(windowAt(day, hour)) ? "1" : "0";
  }
  return mask;
}

export function countHours(mask: string): number {
  assertMask(mask);
  let n = 0;
  for (let i = 0; i < HOURS_PER_WEEK; i++) if (mask.charCodeAt(i) === 49) n++;
  return n;
}

/** Hours of the week both masks have (`bit_count(a & b)` in SQL). */
export function overlapHours(maskA: string, maskB: string): number {
  assertMask(maskA);
  assertMask(maskB);
  let n = 0;
  for (let i = 0; i < HOURS_PER_WEEK; i++) if (maskA.charCodeAt(i) === 49 && maskB.charCodeAt(i) === 49) n++;
  return n;
}

/**
 * overlap hours / min(hours of A, hours of B), in [0, 1]; 0 when either mask is empty. (The match
 * score treats «no windows chosen» as neutral instead: see matching/score.ts.)
 */
export function timeOverlap(maskA: string, maskB: string): number {
  const hoursA = countHours(maskA);
  const hoursB = countHours(maskB);
  if (hoursA === 0 || hoursB === 0) return 0;
  return overlapHours(maskA, maskB) / Math.min(hoursA, hoursB);
}

/** Whether the UTC hour containing `at` is set in the mask. */
export function isAvailableAt(mask: string, at: Date): boolean {
  assertMask(mask);
  return mask.charCodeAt(hourOfWeek(at)) === 49;
}
