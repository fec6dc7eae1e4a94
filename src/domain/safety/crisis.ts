/**
 * The crisis detector: flags messages that suggest the writer may be in danger, so the bot can offer
 * help and a moderator can look. It never diagnoses.
 *
 * Layers (each measured on its own in docs/safety-eval.md): the normaliser and the morphology read the
 * message (`reading.ts`); frames find crisis meaning over lemmas (`frames.ts`); a linear model trained
 * on the project's corpus weighs everything (`model.ts`). A message is a crisis when the model's
 * probability reaches the threshold chosen on the dev split, or a precise frame fires uncancelled.
 *
 * Severity: 3 intent with plan, time, method or means, overdose, danger right now; 2 self-harm or
 * strong ideation; 1 hopelessness. `crisis` is `severity >= 1`.
 *
 * Decided on purpose: a crisis told in the past together with a recovery («два года назад я хотела
 * умереть, сейчас я справилась») is not flagged — the corpus labels it negative and the frames cancel it.
 */

import { type CrisisLabel, detectFrames, type FrameHit } from "./frames/index.ts";
import type { LinearModel, Prediction } from "./model.ts";

export type { CrisisLabel } from "./frames/index.ts";

export interface CrisisResult {
  crisis: boolean;
  severity: 0 | 1 | 2 | 3;
  labels: string[];
  /** The model's probability that this is any crisis (0–1), for conversation context and the model tier. */
  score: number;
  /** Weak signals that add up across messages (a time, a farewell, means named), for conversation context. */
  cues: string[];
}

const BASE_SEVERITY: Record<CrisisLabel, 1 | 2 | 3> = {
  suicidal_intent: 2,
  self_harm: 2,
  overdose: 3,
  violence_now: 3,
  hopelessness: 1,
};
/** A veto frame holds back the model below this probability (above it the model is trusted). */
const VETO_BELOW = 0.9;
/** Precise negatives: leaving a chat or a city «навсегда», killing time. */
const VETOES = new Set(["leave_place", "kill_time"]);
const ORDER: CrisisLabel[] = ["suicidal_intent", "overdose", "self_harm", "violence_now", "hopelessness"];
/** Frames that make a suicidal message concrete: plan, means, place, farewell. */
const CONCRETE = new Set(["means_at_hand", "at_height", "farewell", "last_message", "overdose_amount"]);
/** Frames that are weak on their own but add up over a conversation. */
const CUES: Record<string, string> = {
  means_at_hand: "means",
  at_height: "means",
  farewell: "farewell",
  last_message: "farewell",
  burden: "burden",
  hopeless_word: "hopeless",
  no_meaning: "hopeless",
  swallowed_means: "means",
  self_harm_word: "self_harm",
};

export function decideCrisis(
  frames: readonly FrameHit[],
  prediction: Prediction,
  model: LinearModel,
): CrisisResult {
  const severityBy = new Map<CrisisLabel, number>();
  const raise = (label: CrisisLabel, level: number) =>
    severityBy.set(label, Math.max(severityBy.get(label) ?? 0, level));
  const overrides = frames.filter((f) => f.override && !f.cancelledBy);
  for (const f of overrides) raise(f.label, f.severity);
  // Leaving a chat, a city or a job «навсегда» is not leaving life: the model alone does not flag it.
  const vetoed = frames.some((f) => VETOES.has(f.name)) && prediction.positive < VETO_BELOW;
  const modelSays = prediction.positive >= model.threshold && !vetoed;
  if (modelSays) {
    const label = prediction.top as CrisisLabel;
    // The model's label with the frames' evidence for severity: concrete frames make it 3.
    const concrete = frames.some((f) => CONCRETE.has(f.name) && !f.cancelledBy);
    const sameLabel = frames.filter((f) => f.label === label && !f.cancelledBy);
    let level: number = BASE_SEVERITY[label] ?? 2;
    for (const f of sameLabel) level = Math.max(level, f.severity);
    if (concrete && label === "suicidal_intent") level = 3;
    raise(label, level);
  }
  // A past attempt is the only evidence: severity 1, as a moderator would read «пыталась в прошлом году».
  const live = frames.filter((f) => f.override && !f.cancelledBy);
  if (live.length > 0 && live.every((f) => f.name === "past_attempt" && f.severity === 1))
    for (const l of severityBy.keys()) severityBy.set(l, 1);
  const labels = ORDER.filter((l) => (severityBy.get(l) ?? 0) > 0);
  const severity = Math.min(3, Math.max(0, ...labels.map((l) => severityBy.get(l) ?? 0))) as 0 | 1 | 2 | 3;
  const cues = [...new Set(frames.flatMap((f) => (CUES[f.name] ? [CUES[f.name]!] : [])))];
  return { crisis: severity >= 1, severity, labels, score: prediction.positive, cues };
}

export { detectFrames };
