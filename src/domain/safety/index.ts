/**
 * One call for the chat relay, the coach and the CLI: toxicity (withhold, notify a moderator) and
 * crisis (offer help, flag for a moderator). The pipeline reads the message once — normalise,
 * lemmatise, frames — and scores it with both trained models. It never diagnoses.
 *
 * The models and the morphology dictionaries are read on first use; `warmUpSafety()` does that at
 * start-up so the first message does not wait.
 */

import { type CrisisResult, decideCrisis } from "./crisis.ts";
import type { FrameHit } from "./frames/index.ts";
import { type LinearModel, loadModelFile, predict } from "./model.ts";
import { loadMorphology } from "./morph.ts";
import { extract } from "./pipeline.ts";
import type { Reading } from "./reading.ts";
import {
  decideToxicity,
  hasAbusiveWord,
  isBareReply,
  type ToxicFrame,
  type ToxicityResult,
} from "./toxicity.ts";

export type { CrisisLabel, CrisisResult } from "./crisis.ts";
export type { Token } from "./normalize.ts";
export { normalize, tokenize } from "./normalize.ts";
export type { ToxicityLabel, ToxicityResult } from "./toxicity.ts";

export interface SafetyVerdict {
  toxic: boolean;
  crisis: boolean;
  /** Toxicity labels first, then crisis labels. */
  labels: string[];
  /** The higher of the two severities, 0–3. */
  severity: 0 | 1 | 2 | 3;
  /** Crisis probability from the model (0–1) and weak cues, for conversation context. */
  crisisScore: number;
  /** The crisis model's threshold (score / threshold ≥ 1 is a crisis by the model). */
  crisisThreshold: number;
  crisisCues: string[];
  crisisSeverity: 0 | 1 | 2 | 3;
  toxicSeverity: 0 | 1 | 2 | 3;
}

export const CRISIS_MODEL_FILE = new URL("./models/crisis.json", import.meta.url);
export const TOXICITY_MODEL_FILE = new URL("./models/toxicity.json", import.meta.url);

let models: { crisis: LinearModel; toxicity: LinearModel } | null = null;

function loaded(): { crisis: LinearModel; toxicity: LinearModel } {
  if (!models) {
    loadMorphology();
    models = { crisis: loadModelFile(CRISIS_MODEL_FILE), toxicity: loadModelFile(TOXICITY_MODEL_FILE) };
  }
  return models;
}

/** Reads dictionaries and weights now rather than on the first message. */
export function warmUpSafety(): void {
  loaded();
  classifyMessage("прогрев: хочу поговорить");
}

export interface Assessment {
  reading: Reading;
  crisis: CrisisResult;
  toxicity: ToxicityResult;
  /** Names of every frame that fired (cancelled crisis frames carry «:x:<reason>»). */
  frames: string[];
  crisisFrames: FrameHit[];
  toxicFrames: ToxicFrame[];
  crisisThreshold: number;
  toxicThreshold: number;
}

/** The whole pipeline with every layer's output (for the eval script and the model tier). */
export function assess(text: string): Assessment {
  const m = loaded();
  const { reading, crisisFrames, toxicFrames, frameNames, features } = extract(text);
  const crisis = decideCrisis(crisisFrames, predict(m.crisis, features), m.crisis);
  const toxicity = decideToxicity(
    toxicFrames,
    predict(m.toxicity, features),
    m.toxicity,
    hasAbusiveWord(reading),
    reading.words.length,
    isBareReply(reading),
  );
  return {
    reading,
    crisis,
    toxicity,
    frames: frameNames,
    crisisFrames,
    toxicFrames,
    crisisThreshold: m.crisis.threshold,
    toxicThreshold: m.toxicity.threshold,
  };
}

export function detectCrisis(text: string): CrisisResult {
  return assess(text).crisis;
}

export function classifyToxicity(text: string): ToxicityResult {
  return assess(text).toxicity;
}

/** Both classifiers on one message; the key order of the first four is the CLI's output order. */
export function classifyMessage(text: string): SafetyVerdict {
  if (!text.trim())
    return {
      toxic: false,
      crisis: false,
      labels: [],
      severity: 0,
      crisisScore: 0,
      crisisThreshold: loaded().crisis.threshold,
      crisisCues: [],
      crisisSeverity: 0,
      toxicSeverity: 0,
    };
  const { crisis, toxicity } = assess(text);
  return {
    toxic: toxicity.toxic,
    crisis: crisis.crisis,
    labels: [...toxicity.labels, ...crisis.labels],
    severity: Math.max(toxicity.severity, crisis.severity) as 0 | 1 | 2 | 3,
    crisisScore: crisis.score,
    crisisThreshold: loaded().crisis.threshold,
    crisisCues: crisis.cues,
    crisisSeverity: crisis.severity,
    toxicSeverity: toxicity.severity,
  };
}
