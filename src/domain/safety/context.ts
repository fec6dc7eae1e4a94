/**
 * Risk over one person's messages in one conversation. Each message leaves only numbers — the
 * model's crisis score relative to its threshold and the weak cues it carried (hopelessness, a
 * farewell, means named, a burden) — never text. A weak signal after an earlier one (hopelessness
 * now, a farewell three messages later) is treated as a crisis even when neither message alone is.
 *
 * Pure: the service keeps the history (capped, with a TTL, dropped at /end).
 */

export interface RiskMark {
  /** Crisis score divided by the model's threshold: 1 = the threshold itself. */
  r: number;
  /** Weak cues of this message. */
  c: string[];
  /** The message was a crisis on its own. */
  x: boolean;
  /** When (ms since epoch). */
  t: number;
}

export const CONTEXT_WINDOW = 8;
export const CONTEXT_TTL_MS = 6 * 60 * 60 * 1000;
/** Older marks fade: each earlier message counts this much less than the next. */
const DECAY = 0.85;
/** A message counts as a weak signal from this share of the threshold, or with a cue. */
const WEAK = 0.5;
/** Accumulated risk (current message included) from which support is brought. */
const ESCALATE_AT = 1.1;
/** Distinct cue kinds add this much each. */
const CUE_WEIGHT = 0.35;

export function isWeakSignal(mark: Pick<RiskMark, "r" | "c">): boolean {
  return mark.r >= WEAK || mark.c.length > 0;
}

/** Only a weak signal that is not a crisis on its own can escalate: anything else needs no history. */
export const mayEscalate = (current: Pick<RiskMark, "r" | "c" | "x">): boolean =>
  !current.x && isWeakSignal(current);

/**
 * Whether the current message, read with the earlier ones (oldest first), should bring support.
 * Only a weak signal now can escalate: a calm message after a hard one never does.
 */
export function shouldEscalate(history: readonly RiskMark[], current: RiskMark, now: number): boolean {
  if (!mayEscalate(current)) return false;
  const recent = history.filter((m) => now - m.t <= CONTEXT_TTL_MS).slice(-CONTEXT_WINDOW);
  if (!recent.some(isWeakSignal)) return false;
  let total = Math.min(1, current.r);
  const cues = new Set(current.c);
  recent
    .slice()
    .reverse()
    .forEach((m, age) => {
      // Only signals add up (ordinary messages score a little too; a long calm talk must not sum to a
      // crisis). An earlier crisis counts as the full threshold, so a cue after it always escalates.
      if (!m.x && !isWeakSignal(m)) return;
      total += (m.x ? 1 : Math.min(1, m.r)) * DECAY ** (age + 1);
      for (const c of m.c) cues.add(c);
    });
  total += CUE_WEIGHT * cues.size;
  return total >= ESCALATE_AT;
}
