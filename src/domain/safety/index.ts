/**
 * One call for the chat relay and the moderation queue: toxicity (withhold, notify a moderator) and
 * crisis (show hotlines, flag for a moderator). Rule-based and pure; it never diagnoses.
 */

import { type CrisisResult, detectCrisis } from "./crisis.ts";
import { classifyToxicity, type ToxicityResult } from "./toxicity.ts";

export type { CrisisLabel, CrisisResult } from "./crisis.ts";
export { detectCrisis } from "./crisis.ts";
export type { Token } from "./normalize.ts";
export { normalize, tokenize } from "./normalize.ts";
export type { ToxicityLabel, ToxicityResult } from "./toxicity.ts";
export { classifyToxicity } from "./toxicity.ts";

export interface SafetyVerdict {
  toxic: boolean;
  crisis: boolean;
  /** Toxicity labels first, then crisis labels. */
  labels: string[];
  /** The higher of the two severities, 0–3. */
  severity: 0 | 1 | 2 | 3;
}

/** Both classifiers on one message; the key order is the CLI's output order. */
export function classifyMessage(text: string): SafetyVerdict {
  const toxicity: ToxicityResult = classifyToxicity(text);
  const crisis: CrisisResult = detectCrisis(text);
  return {
    toxic: toxicity.toxic,
    crisis: crisis.crisis,
    labels: [...toxicity.labels, ...crisis.labels],
    severity: Math.max(toxicity.severity, crisis.severity) as 0 | 1 | 2 | 3,
  };
}
