/**
 * A message read once for every safety layer: normalised words (masks, look-alikes, spelt-out letters
 * and transliteration resolved by `normalize.ts`), their lemmas and grammemes (`morph.ts`), the sentence
 * and clause each word sits in, negation, quotation, and the emoji and laughter the text carries.
 *
 * Everything downstream (frames, features, the model) works on this structure, never on raw strings,
 * so a rule names a lemma once and holds for every inflection, spelling and obfuscation of it.
 */

import { type Concept, conceptsOf, misspelledAbuse } from "./lexicon.ts";
import { type Analysis, analyse } from "./morph.ts";
import { tokenize } from "./normalize.ts";

export interface Word {
  norm: string;
  a: Analysis;
  /** Lemma set for lookups (lemmas of the likely parses plus the word itself). */
  lemmas: readonly string[];
  /** Meaning classes of the word (`lexicon.ts`), looked up once. */
  c: ReadonlySet<Concept>;
  /** Position in `Reading.words`. */
  idx: number;
  sentence: number;
  clause: number;
  /** «не»/«ни» (or «нет», «без») directly before this word, or before the verb it follows. */
  negated: boolean;
  quoted: boolean;
  /** Letters were hidden by «*», «@»… (resolved or not). */
  masked: boolean;
  start: number;
  end: number;
}

export interface Reading {
  text: string;
  words: Word[];
  sentences: number;
  /** Laughter and joke markers: «)))», «ахах», 😂, «шучу», «лол». */
  laughs: boolean;
  /** Pill or knife emoji and the like, for the model. */
  emoji: readonly string[];
}

export interface ReadOptions {
  /** Tells the normaliser which restorations of masks and transliteration to accept. */
  isKnownWord?: (word: string) => boolean;
}

const SENTENCE_BREAK = /[.!?…;\n]/u;
/**
 * A run of words with no punctuation is cut here: frames look a few words around each word, so this
 * loses no meaning, and it keeps every layer linear on a 4 096-character message with no full stop.
 */
const MAX_SENTENCE_WORDS = 40;
const CLAUSE_BREAK = /[,:()«»“”„"—–]|\s-\s/u;
const QUOTE_OPEN = /[«“„]/u;
const QUOTE_CLOSE = /[»”]/u;
/** Conjunctions that start a new clause (between commas people often leave out). */
const CLAUSE_CONJUNCTIONS = new Set([
  "и",
  "но",
  "а",
  "потому",
  "если",
  "когда",
  "что",
  "чтобы",
  "хотя",
  "или",
]);
const NEGATORS = new Set(["не", "ни", "нет", "без", "ne", "net"]);
const LAUGH_TEXT =
  /\){2,}|(?<![а-яё])аха|(?<![а-яё])хаха|ха-ха|хи-хи|хе-хе|(?<![а-яё])хех|(?<![а-яёa-z])лол(?![а-яё])|(?<![а-яё])рж[уа]|😂|🤣|😆|😅|😹|(?<![a-z])lol(?![a-z])/iu;
const EMOJI = /\p{Extended_Pictographic}/gu;
/** Words that may sit between «не» and what it negates («не очень хочу», «не то чтобы хочу»). */
const NEGATION_GAP = new Set([
  "очень",
  "особо",
  "то",
  "так",
  "совсем",
  "сильно",
  "уже",
  "больше",
  "могу",
  "хочу",
]);

/**
 * A word's analysis and meaning classes. An unknown word that misspells an insult or obscenity («дибил»,
 * «гавно», «канченый») is read as that word, so every layer (frames, features, the abusive-word check)
 * sees what the reader sees.
 */
function readWord(norm: string): { a: Analysis; c: ReadonlySet<Concept> } {
  const a = analyse(norm);
  const c = conceptsOf(a.lemmas);
  if (a.known || c.size > 0) return { a, c };
  const word = misspelledAbuse([norm, ...a.lemmas]);
  if (!word) return { a, c };
  const lemmas = [word, ...a.lemmas];
  return { a: { ...a, lemmas }, c: conceptsOf(lemmas) };
}

export function read(text: string, opts: ReadOptions = {}): Reading {
  const tokens = tokenize(text, opts.isKnownWord ? { isKnownWord: opts.isKnownWord } : {});
  const words: Word[] = [];
  let sentence = 0;
  let clause = 0;
  let quoted = false;
  let prevEnd = 0;
  let negateNext = 0;
  let inSentence = 0;
  for (const t of tokens) {
    const between = text.slice(prevEnd, t.start);
    if (words.length > 0) {
      if (SENTENCE_BREAK.test(between) || inSentence >= MAX_SENTENCE_WORDS) {
        inSentence = 0;
        sentence++;
        clause++;
        negateNext = 0;
      } else if (CLAUSE_BREAK.test(between)) {
        clause++;
        negateNext = 0;
      }
    }
    for (const ch of between) {
      if (QUOTE_OPEN.test(ch)) quoted = true;
      else if (QUOTE_CLOSE.test(ch)) quoted = false;
      else if (ch === '"') quoted = !quoted;
    }
    if (CLAUSE_CONJUNCTIONS.has(t.norm) && words.length > 0) clause++;
    const { a, c } = readWord(t.norm);
    const isNegator = NEGATORS.has(t.norm);
    words.push({
      norm: t.norm,
      a,
      lemmas: a.lemmas,
      c,
      idx: words.length,
      sentence,
      clause,
      negated: !isNegator && negateNext > 0,
      quoted,
      masked: t.masked,
      start: t.start,
      end: t.end,
    });
    if (isNegator) negateNext = 2;
    else if (negateNext > 0) negateNext = NEGATION_GAP.has(t.norm) ? negateNext : negateNext - 1;
    prevEnd = t.end;
    inSentence++;
  }
  return {
    text,
    words,
    sentences: sentence + 1,
    laughs: LAUGH_TEXT.test(text),
    emoji: text.match(EMOJI) ?? [],
  };
}
