/**
 * The weekly digest («тебе подходят 5 новых людей»): when it is due, which arm of the rollout a
 * person is in, and which shared topics it names. Pure functions; the service decides and stores.
 *
 * When: about a week after the opt-in or the previous run, never less than 6 days, at a good hour of
 * one of the person's availability windows in their own time zone (a default evening hour when they
 * chose none or «any time»), at a minute of that hour fixed per person, so a whole hour's people are
 * spread over its sixty minutes instead of all arriving at :00.
 */

import { ALL_WINDOWS_MASK, WINDOWS, type Window, windowBit } from "./availability.ts";
import { hash32 } from "./coach/rollout.ts";
import { utcOffsetMinutes } from "./timezone.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const DIGEST_PERIOD_MS = 7 * DAY;
/** Never two digests closer than this, whatever the windows say. */
export const DIGEST_MIN_GAP_MS = 6 * DAY;
/** «New» people: joined, started searching or turned proposals on within this long. */
export const DIGEST_NEW_WITHIN_MS = 7 * DAY;
/** A search opened this long after a digest counts as the digest's effect. */
export const DIGEST_EFFECT_WINDOW_MS = 24 * HOUR;
/** The count the digest names is capped: «больше 20» says enough. */
export const DIGEST_MAX_COUNT = 20;
/** Local hour used when the person chose no windows (or all of them). */
export const DEFAULT_DIGEST_HOUR = 19;
/** Zone assumed when the person has none yet (the onboarding asks for a city; most choose one). */
export const DEFAULT_DIGEST_ZONE = "Europe/Moscow";

/** The hour inside each window a note is welcome: late morning, early afternoon, evening, just after midnight. */
const GOOD_HOUR: Record<string, number> = { morning: 10, day: 14, evening: 19, night: 0 };

export type DigestArm = "digest" | "control";

/** The minute of the hour this person's digest goes out (0–59), fixed per person. */
export function digestMinute(userId: number): number {
  return hash32(`digest-minute:${userId}`) % 60;
}

/**
 * Deterministic rollout: `percent` of opted-in people get the digest, the others are the control arm
 * (counted the same way, sent nothing), so its effect on searches can be measured.
 */
export function digestArm(userId: number, percent: number): DigestArm {
  const p = Number.isFinite(percent) ? Math.min(100, Math.max(0, percent)) : 0;
  return hash32(`digest-arm:${userId}`) % 10_000 < Math.round(p * 100) ? "digest" : "control";
}

/** The UTC instant of a local wall time in `zone` (the offset read twice, so DST edges land right). */
function localToUtc(zone: string, y: number, m: number, d: number, hour: number, minute: number): Date {
  const wall = Date.UTC(y, m, d, hour, minute);
  let t = wall - utcOffsetMinutes(zone, new Date(wall)) * MINUTE;
  t = wall - utcOffsetMinutes(zone, new Date(t)) * MINUTE;
  return new Date(t);
}

/** Local hours at which a digest may go on a given local weekday (0 = Monday). */
function hoursOn(localDay: number, availLocal: number): number[] {
  if (availLocal === 0 || availLocal === ALL_WINDOWS_MASK) return [DEFAULT_DIGEST_HOUR];
  const weekend = localDay === 5 || localDay === 6;
  const out: number[] = [];
  for (const w of WINDOWS as readonly Window[]) {
    if ((availLocal & windowBit(w)) === 0 || w.startsWith("weekend") !== weekend) continue;
    out.push(GOOD_HOUR[w.slice(w.indexOf("_") + 1)]!);
  }
  return out;
}

/**
 * The next digest after `anchor` (the opt-in or the previous run): of the good hours of the person's
 * windows between 6 and 13 days later, the one nearest to a week later (the earlier on a tie).
 */
export function nextDigestAt(
  anchor: Date,
  opts: { availLocal: number; zone: string | null; userId: number },
): Date {
  const zone = opts.zone ?? DEFAULT_DIGEST_ZONE;
  const earliest = anchor.getTime() + DIGEST_MIN_GAP_MS;
  const target = anchor.getTime() + DIGEST_PERIOD_MS;
  const minute = digestMinute(opts.userId);
  const local = new Date(anchor.getTime() + utcOffsetMinutes(zone, anchor) * MINUTE);
  let best: Date | null = null;
  for (let d = 5; d <= 14; d++) {
    const day = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() + d));
    const weekday = (day.getUTCDay() + 6) % 7;
    for (const hour of hoursOn(weekday, opts.availLocal)) {
      const at = localToUtc(zone, day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), hour, minute);
      if (at.getTime() < earliest) continue;
      const dist = Math.abs(at.getTime() - target);
      if (
        !best ||
        dist < Math.abs(best.getTime() - target) ||
        (dist === Math.abs(best.getTime() - target) && at < best)
      )
        best = at;
    }
  }
  // Every week has at least one of the chosen windows, so a 10-day span always holds one.
  return best ?? new Date(target);
}

/** Up to `max` topics the counted people share with the person, most shared first (then by id). */
export function topSharedTopics(sharedTopicIds: ReadonlyArray<readonly number[]>, max = 3): number[] {
  const counts = new Map<number, number>();
  for (const ids of sharedTopicIds) for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, max)
    .map(([id]) => id);
}
