/**
 * The model-free part of the safety pipeline, shared by classification and training: read the
 * message (normalise, restore masked words the lexicon knows, lemmatise), find crisis and toxicity
 * frames, and hash the features both models score.
 */

import { featuresOf } from "./features.ts";
import { detectFrames, type FrameHit } from "./frames/index.ts";
import { type Concept, conceptsOf, misspelledAbuse } from "./lexicon.ts";
import { dictionaryLemmas } from "./morph.ts";
import { type Reading, read } from "./reading.ts";
import { detectToxicFrames, type ToxicFrame } from "./toxicity.ts";

/** Classes a masked or transliterated word may be restored to: only words a safety layer cares about. */
const RESTORABLE: ReadonlySet<Concept> = new Set<Concept>([
  "die",
  "death",
  "life",
  "means",
  "cut",
  "swallow",
  "insult",
  "obscene",
  "sexual",
  "hate",
  "threat_act",
  "kill",
  "shut_up",
  "disappear",
  "forever",
  "desire",
]);

const restorable = new Map<string, boolean>();
/** Fresh candidate words a single message may have looked up; known answers are free. */
const LOOKUP_BUDGET = 800;

/** Whether the normaliser may accept this candidate for a masked, spelt-out or transliterated word. */
export function isRestorableWord(word: string): boolean {
  const hit = restorable.get(word);
  if (hit !== undefined) return hit;
  const answer = computeRestorable(word);
  if (restorable.size > 100_000) restorable.clear();
  restorable.set(word, answer);
  return answer;
}

/**
 * The same check with a budget per message: a message of hundreds of different masked words
 * («т*п@я» has 1 156 candidates) would otherwise cost seconds. Past the budget, unknown candidates
 * are refused and the masks stay masks — the model still sees the word's letters.
 */
function budgetedRestorable(): (word: string) => boolean {
  let fresh = 0;
  return (word) => {
    const hit = restorable.get(word);
    if (hit !== undefined) return hit;
    if (fresh >= LOOKUP_BUDGET) return false;
    fresh++;
    return isRestorableWord(word);
  };
}

function computeRestorable(word: string): boolean {
  if (word.length < 2) return false;
  // Guessed parses of nonsense are everywhere; a guess counts only when the word itself is an entry.
  const known = dictionaryLemmas(word);
  for (const c of conceptsOf(known ?? [word])) if (RESTORABLE.has(c)) return true;
  // A misspelt insult («gavno» → «гавно») is restored too: reading then takes it for what it misspells.
  return known === null && misspelledAbuse([word]) !== null;
}

export interface Extracted {
  reading: Reading;
  crisisFrames: FrameHit[];
  toxicFrames: ToxicFrame[];
  /** Frame names as features see them (cancelled crisis frames carry «:x:<reason>»). */
  frameNames: string[];
  features: Uint32Array;
}

export function extract(text: string): Extracted {
  const reading = read(text, { isKnownWord: budgetedRestorable() });
  const crisisFrames = detectFrames(reading);
  const toxicFrames = detectToxicFrames(reading);
  const frameNames = [
    ...crisisFrames.map((f) => (f.cancelledBy ? `${f.name}:x:${f.cancelledBy}` : f.name)),
    ...toxicFrames.map((f) => `t:${f.name}`),
  ];
  return { reading, crisisFrames, toxicFrames, frameNames, features: featuresOf(reading, frameNames) };
}
