/**
 * The UTC week as 168 hourly bits (Monday 00:00 UTC is hour 0), as stored in preferences.avail_utc
 * (`bit(168)`, leftmost character = hour 0). In memory: 6 little words, hour h at word h>>>5, bit h&31.
 */
export const HOURS_PER_WEEK = 168;
export const WEEK_MASK_WORDS = 6;

/** Hour of the UTC week for an instant: Monday 00:00–00:59 UTC is 0, Sunday 23:00 is 167. */
export function hourOfWeek(date: Date): number {
  return ((date.getUTCDay() + 6) % 7) * 24 + date.getUTCHours();
}

/** Parses the database text of a bit(168) into `out` at `offset`; returns the number of hours set. */
export function writeWeekMask(text: string | null | undefined, out: Uint32Array, offset = 0): number {
  for (let w = 0; w < WEEK_MASK_WORDS; w++) out[offset + w] = 0;
  if (!text) return 0;
  let hours = 0;
  const n = Math.min(text.length, HOURS_PER_WEEK);
  for (let h = 0; h < n; h++) {
    if (text.charCodeAt(h) === 49 /* '1' */) {
      out[offset + (h >>> 5)]! |= 1 << (h & 31);
      hours++;
    }
  }
  return hours;
}

/** A standalone mask; an empty mask (no bit set, or NULL) means «no windows chosen». */
export function parseWeekMask(text: string | null | undefined): Uint32Array {
  const out = new Uint32Array(WEEK_MASK_WORDS);
  writeWeekMask(text, out, 0);
  return out;
}

/** The bit(168) text for a set of UTC hours of the week. */
export function formatWeekMask(hours: Iterable<number>): string {
  const chars = new Array<string>(HOURS_PER_WEEK).fill("0");
  for (const h of hours) {
    if (!Number.isInteger(h) || h < 0 || h >= HOURS_PER_WEEK) throw new RangeError(`hour of week ${h}`);
    chars[h] = "1";
  }
  return chars.join("");
}

export function popcount32(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

export function countHours(mask: Uint32Array, offset = 0): number {
  let n = 0;
  for (let w = 0; w < WEEK_MASK_WORDS; w++) n += popcount32(mask[offset + w]!);
  return n;
}

/** `bit_count(a & b)`. */
export function overlapHours(a: Uint32Array, aOffset: number, b: Uint32Array, bOffset: number): number {
  let n = 0;
  for (let w = 0; w < WEEK_MASK_WORDS; w++) n += popcount32(a[aOffset + w]! & b[bOffset + w]!);
  return n;
}

export function hasHour(mask: Uint32Array, offset: number, hour: number): boolean {
  return ((mask[offset + (hour >>> 5)]! >>> (hour & 31)) & 1) === 1;
}
