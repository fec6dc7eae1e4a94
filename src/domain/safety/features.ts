/**
 * Features of a read message for the linear models: lemmas (with negation), lemma bigrams inside a
 * sentence, character n-grams of the normalised words (typos, slang, transliteration the dictionary
 * does not know), meaning classes and their pairs within a sentence, grammatical person, and the
 * frames that fired. All hashed into a fixed number of buckets, so the weights are one flat array.
 * `frameFeatures` are the names of the crisis and toxicity frames that fired (cancelled ones suffixed).
 *
 * Cost is linear in the message: one pass over its words, each word's n-grams and concepts cached.
 */

import { type Concept, conceptsOf } from "./lexicon.ts";
import type { Reading } from "./reading.ts";

export const FEATURE_BITS = 18;
export const FEATURE_BUCKETS = 1 << FEATURE_BITS;
const MASK = FEATURE_BUCKETS - 1;
/** Words after this many are not featurised: a 4 096-character paste adds nothing past here. */
const MAX_WORDS = 400;

/** FNV-1a over UTF-16 code units: fast, stable across runs and machines. */
export function hashFeature(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) & MASK;
}

const gramCache = new Map<string, readonly number[]>();

/** Hashed 3- and 4-grams of «#word#». */
function charGrams(word: string): readonly number[] {
  const hit = gramCache.get(word);
  if (hit) return hit;
  const padded = `#${word.slice(0, 24)}#`;
  const out: number[] = [];
  for (let n = 3; n <= 4; n++)
    for (let i = 0; i + n <= padded.length; i++) out.push(hashFeature(`g${n}:${padded.slice(i, i + n)}`));
  if (gramCache.size > 50_000) gramCache.clear();
  gramCache.set(word, out);
  return out;
}

const wordCache = new Map<string, readonly number[]>();

/** A word's own features (lemma, quote, character n-grams, classes), the same wherever it appears: cached. */
function wordFeatures(
  norm: string,
  lemmas: readonly string[],
  negated: boolean,
  quoted: boolean,
): readonly number[] {
  const key = `${negated ? 1 : 0}${quoted ? 1 : 0}${norm}`;
  const hit = wordCache.get(key);
  if (hit) return hit;
  const lemma = lemmas[0] ?? norm;
  const neg = negated ? "n:" : "";
  const out = [hashFeature(`w:${neg}${lemma}`), ...charGrams(norm)];
  if (quoted) out.push(hashFeature(`q:${lemma}`));
  for (const c of conceptsOf(lemmas)) out.push(hashFeature(`c:${neg}${c}`));
  if (wordCache.size > 50_000) wordCache.clear();
  wordCache.set(key, out);
  return out;
}

/** Meaning classes worth pairing (pairs of everything would be noise). */
const PAIRED: ReadonlySet<Concept> = new Set<Concept>([
  "die",
  "death",
  "life",
  "desire",
  "tired",
  "disappear",
  "forever",
  "sleep",
  "wake",
  "now",
  "plan",
  "means",
  "high_place",
  "have",
  "swallow",
  "quantity",
  "cut",
  "harm_body",
  "burn",
  "hit",
  "attack",
  "weapon",
  "hide",
  "farewell",
  "last",
  "burden",
  "better",
  "kin",
  "meaning",
  "exit",
  "hopeless",
  "never",
  "media",
  "recovery",
  "past_time",
  "medical",
  "hyperbole_object",
  "insult",
  "obscene",
  "sexual",
  "threat_act",
  "hate",
  "shut_up",
  "report_speech",
  "second",
  "self",
  "kill",
]);

/** Sorted, de-duplicated bucket ids of the message's features (binary features). */
export function featuresOf(reading: Reading, frameFeatures: readonly string[]): Uint32Array {
  const ids = new Set<number>();
  const add = (s: string) => ids.add(hashFeature(s));
  add("bias");
  const words = reading.words.slice(0, MAX_WORDS);
  const n = words.length;
  add(`len:${n <= 2 ? n : n <= 5 ? "s" : n <= 15 ? "m" : n <= 40 ? "l" : "xl"}`);
  if (reading.laughs) add("laugh");
  for (const e of reading.emoji.slice(0, 20)) add(`e:${e}`);
  if (/\?/.test(reading.text)) add("question");

  let prevLemma = "";
  let prevSentence = -1;
  const sentenceConcepts = new Map<number, Set<Concept>>();
  for (const w of words) {
    const lemma = w.lemmas[0] ?? w.norm;
    for (const id of wordFeatures(w.norm, w.lemmas, w.negated, w.quoted)) ids.add(id);
    if (w.sentence === prevSentence) add(`b:${prevLemma}_${lemma}`);
    prevLemma = lemma;
    prevSentence = w.sentence;
    if (w.a.person) add(`p${w.a.person}:${w.a.pos}`);
    if (w.a.imperative) add("impr");
    if (w.a.past && w.a.pos === "VERB") add("past");
    const set = sentenceConcepts.get(w.sentence) ?? new Set<Concept>();
    sentenceConcepts.set(w.sentence, set);
    for (const c of conceptsOf(w.lemmas)) if (PAIRED.has(c)) set.add(w.negated ? (`n_${c}` as Concept) : c);
    if (w.a.person === 1) set.add("self");
    if (w.a.person === 2) set.add("second");
  }
  for (const set of sentenceConcepts.values()) {
    const list = [...set].sort();
    for (let i = 0; i < list.length; i++)
      for (let j = i + 1; j < list.length; j++) add(`cc:${list[i]}+${list[j]}`);
  }
  for (const f of frameFeatures) add(`f:${f}`);
  return Uint32Array.from([...ids].sort((a, b) => a - b));
}
