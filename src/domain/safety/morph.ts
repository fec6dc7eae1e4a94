/**
 * Russian morphology for the safety pipeline: a word's possible lemmas and grammemes, read from the
 * OpenCorpora dictionaries that ship with `az` (a port of pymorphy2, MIT). Lexicons and frames name
 * lemmas only; every inflected form is found here, so no rule ever lists endings by hand.
 *
 * The dictionaries (~10 MB) are read synchronously once, on first use; the app warms this up at
 * start-up so no message waits for it. After that every call is pure and cached.
 */

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import Az from "az";

export interface Analysis {
  /** The word as given (normalised: lower case, «ё» → «е»). */
  word: string;
  /** Lemmas of the likeliest parses, likeliest first, «ё» → «е»; always holds at least the word. */
  lemmas: readonly string[];
  /** Part of speech of the likeliest parse (OpenCorpora: NOUN, VERB, INFN, ADJF, NPRO…), or "". */
  pos: string;
  /** First/second/third person of a verb or pronoun form, when the likeliest parse has one. */
  person: 1 | 2 | 3 | 0;
  past: boolean;
  future: boolean;
  imperative: boolean;
  /** Singular/plural of the likeliest parse, "" when it has none. */
  number: "sing" | "plur" | "";
  /** True when the dictionary knows the word (not guessed from its suffix). */
  known: boolean;
  /** Case of the likeliest parse (nomn, gent, datv, accs, ablt, loct…), "" when it has none. */
  gramCase: string;
  /** Animate noun in the likeliest parse (a possible subject who is someone else). */
  animate: boolean;
}

/**
 * Person-name readings of a capitalised word in the dictionary (OpenCorpora's Name, Surn, Patr
 * grammemes; the dictionary only offers them for the capitalised form). `only`: every dictionary
 * reading is a name part (Фарход), not also an ordinary word (Надежда, Роман).
 */
export interface NameParts {
  name: boolean;
  surname: boolean;
  patronymic: boolean;
  only: boolean;
  /** The dictionary knows the capitalised word at all (a name, a city, an ordinary word). */
  known: boolean;
}

let ready = false;

/** Reads the dictionaries; synchronous so the first classification never sees a half-loaded state. */
export function loadMorphology(): void {
  if (ready) return;
  const require = createRequire(import.meta.url);
  const dicts = join(dirname(require.resolve("az/package.json")), "dicts");
  // Az reads its files through this hook with callbacks and counts them down; answering after init has
  // queued every read (but before returning) makes loading synchronous without confusing its counter.
  const pending: Array<() => void> = [];
  Az.load = (url, responseType, callback) => {
    pending.push(() => {
      let data: Buffer;
      try {
        data = readFileSync(url);
      } catch (err) {
        callback(err);
        return;
      }
      if (responseType === "json") callback(null, JSON.parse(data.toString("utf8")));
      else callback(null, data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    });
  };
  let failure: unknown = null;
  let done = false;
  Az.Morph.init(dicts, (err) => {
    failure = err;
    done = true;
  });
  for (let job = pending.shift(); job; job = pending.shift()) job();
  if (failure || !done) throw new Error(`morphology dictionaries could not be read from ${dicts}`);
  ready = true;
}

const CACHE_LIMIT = 50_000;
const cache = new Map<string, Analysis>();
/** Longer «words» are noise (a pasted hash, a URL): analysing them costs time and tells nothing. */
const MAX_WORD = 32;
const PLAIN_WORD = /^[а-яё-]+$/u;

const CASES = ["nomn", "gent", "datv", "accs", "ablt", "loct", "voct", "gen2", "acc2", "loc2"];
const yo = (s: string) => s.replace(/ё/g, "е");

function personOf(tag: Record<string, unknown>): 1 | 2 | 3 | 0 {
  if (tag["1per"]) return 1;
  if (tag["2per"]) return 2;
  if (tag["3per"]) return 3;
  return 0;
}

const NO_NAME: NameParts = { name: false, surname: false, patronymic: false, only: false, known: false };
const nameCache = new Map<string, NameParts>();

/** Name readings of a word (any case given; looked up capitalised). Cached. */
export function namePartsOf(word: string): NameParts {
  const lower = yo(word.toLowerCase());
  const hit = nameCache.get(lower);
  if (hit) return hit;
  let out = NO_NAME;
  if (lower.length <= MAX_WORD && /^[а-яё-]+$/u.test(lower)) {
    loadMorphology();
    const capital = lower.charAt(0).toUpperCase() + lower.slice(1);
    const tags = Az.Morph(capital)
      .filter((p) => p.parser === "Dictionary")
      .map((p) => p.tag.toString());
    const part = (t: string) => /(?:^|[ ,])(?:Name|Surn|Patr)(?:[ ,]|$)/u.test(t);
    out = {
      name: tags.some((t) => /(?:^|[ ,])Name(?:[ ,]|$)/u.test(t)),
      surname: tags.some((t) => /(?:^|[ ,])Surn(?:[ ,]|$)/u.test(t)),
      patronymic: tags.some((t) => /(?:^|[ ,])Patr(?:[ ,]|$)/u.test(t)),
      only: tags.length > 0 && tags.every(part),
      known: tags.length > 0 || analyse(lower).known,
    };
  }
  if (nameCache.size > 50_000) nameCache.clear();
  nameCache.set(lower, out);
  return out;
}

/**
 * Lemmas of the word's dictionary entries, or null when the dictionary does not hold it — without the
 * suffix and prefix guessers, which cost most of a lookup of an unknown word. For checking many
 * candidate restorations of a masked word; the same lemmas `analyse` gives a known word.
 */
export function dictionaryLemmas(word: string): readonly string[] | null {
  const hit = cache.get(word);
  if (hit) return hit.known ? hit.lemmas : null;
  if (word.length > MAX_WORD || !PLAIN_WORD.test(word)) return null;
  loadMorphology();
  const parses = Az.Morph(word, { parsers: ["Dictionary"] }).filter((p) => p.parser === "Dictionary");
  if (parses.length === 0) return null;
  return analyse(word).lemmas;
}

/** The analysis of one normalised word; cached, so a long message of repeated words stays linear. */
export function analyse(word: string): Analysis {
  const hit = cache.get(word);
  if (hit) return hit;
  const result = compute(word);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(word, result);
  return result;
}

function compute(word: string): Analysis {
  const plain: Analysis = {
    word,
    lemmas: [word],
    pos: "",
    person: 0,
    past: false,
    future: false,
    imperative: false,
    number: "",
    known: false,
    gramCase: "",
    animate: false,
  };
  if (word.length > MAX_WORD || !PLAIN_WORD.test(word)) return plain;
  loadMorphology();
  const parses = Az.Morph(word);
  const first = parses[0];
  if (!first) return plain;
  const known = parses.some((p) => p.parser === "Dictionary");
  // Dictionary parses are all real readings of the word; guesses are noisy, so only the best two count.
  const kept = known ? parses.filter((p) => p.parser === "Dictionary").slice(0, 6) : parses.slice(0, 2);
  const lemmas: string[] = [];
  for (const p of kept) {
    // Some guessed parses of odd words normalise to nothing: they add no lemma.
    const normal = p.normalize()?.word;
    if (typeof normal !== "string") continue;
    const lemma = yo(normal);
    if (!lemmas.includes(lemma)) lemmas.push(lemma);
  }
  if (!lemmas.includes(word)) lemmas.push(word);
  const tag = first.tag as unknown as Record<string, unknown>;
  return {
    word,
    lemmas,
    pos: String(first.tag.POS ?? ""),
    person: personOf(tag),
    past: Boolean(tag.past),
    future: Boolean(tag.futr),
    imperative: Boolean(tag.impr),
    number: tag.sing ? "sing" : tag.plur ? "plur" : "",
    known,
    gramCase: CASES.find((c) => tag[c]) ?? "",
    animate: Boolean(tag.anim),
  };
}
