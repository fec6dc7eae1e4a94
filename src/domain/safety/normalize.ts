/**
 * Text normalisation for the safety classifiers, robust to the obfuscation people use to slip words
 * past filters: Latin look-alikes and digits inside Cyrillic words («tупaя», «п1д0р», «3ануда»),
 * masked letters («т*пая», «еб@нат»), letters spelt out with spaces or dots («с у к а», «д.у.р.а»),
 * stretched letters («дуууура»), and invisible characters (zero-width, bidi marks, soft hyphens).
 *
 * With a lexicon (`isKnownWord`) it also splits a spelt-out run that hides several words («т у п а я т в а
 * р ь» → «тупая тварь»), joins syllables cut by a hyphen or dot («ду-ра»), and reads fully Latin
 * transliteration («ty dura»), each only when the result is a word the caller knows.
 *
 * Pure: no I/O. Token positions are UTF-16 offsets into the original text, `end` exclusive.
 */

import {
  COMBINING,
  CYRILLIC,
  DIGIT_ALTERNATIVES,
  isInvisible,
  LETTER,
  LOOKALIKE,
} from "./normalize-chars.ts";
import { translitCandidates } from "./normalize-translit.ts";

export interface Token {
  /** Normalised word: lower case, «ё» → «е», look-alikes mapped; may hold «*» for an unresolved mask. */
  norm: string;
  start: number;
  end: number;
  /** True when letters were hidden by «*», «#», «@» and similar and a mask is left or was resolved. */
  masked: boolean;
}

export interface NormalizeOptions {
  /**
   * Tells whether a candidate word is one the caller cares about. A masked word («т*пая») is tried with
   * every Cyrillic letter (and with nothing) in place of each mask, and the first candidate accepted
   * here is used. Without it, masks are dropped.
   */
  isKnownWord?: (word: string) => boolean;
}

const MASKS = new Set(["*", "#", "%", "@", "$", "_"]);
const RUSSIAN_ALPHABET = "абвгдежзийклмнопрстуфхцчшщъыьэюя";

interface Char {
  ch: string;
  /** Offset of the source character in the original text. */
  at: number;
  /** Upper case in the source (used for Latin «B» → «в»). */
  upper: boolean;
}

/** Splits the text into characters, dropping invisible ones and folding combining marks. */
function cleanChars(text: string): Char[] {
  const out: Char[] = [];
  let i = 0;
  while (i < text.length) {
    const cp = text.codePointAt(i) ?? 0;
    const raw = String.fromCodePoint(cp);
    const at = i;
    i += raw.length;
    if (isInvisible(cp)) continue;
    if (COMBINING.test(raw)) {
      // «и» + breve is «й», «е» + diaeresis is «ё»; any other accent (stress marks) is dropped.
      const prev = out[out.length - 1];
      if (prev) {
        const composed = (prev.ch + raw).normalize("NFC");
        if ([...composed].length === 1) prev.ch = composed.toLowerCase();
      }
      continue;
    }
    const compat = raw.normalize("NFKC");
    for (const c of compat) {
      const lower = c.toLowerCase();
      out.push({ ch: lower === "ё" ? "е" : lower, at, upper: lower !== c });
    }
  }
  return out;
}

const isWordChar = (c: string) => LETTER.test(c) || /\d/.test(c);

interface RawWord {
  chars: Char[];
}

/**
 * Cuts characters into words. A word is a run of letters and digits that may hold mask characters
 * between letters («т*пая», «х**», «еб@нат»). Dots, dashes and spaces between single letters are
 * handled later by `joinSpelledOut`.
 */
function splitWords(chars: Char[]): Array<RawWord | { sep: Char[] }> {
  const parts: Array<RawWord | { sep: Char[] }> = [];
  let i = 0;
  while (i < chars.length) {
    const c = chars[i]!;
    if (isWordChar(c.ch)) {
      const word: Char[] = [];
      while (i < chars.length) {
        const d = chars[i]!;
        if (isWordChar(d.ch)) {
          word.push(d);
          i++;
          continue;
        }
        // A mask run counts when a letter came before it and a letter follows («х*й») or the word ends
        // after it at a boundary («х**» at the end of a clause).
        if (MASKS.has(d.ch) && word.some((w) => LETTER.test(w.ch))) {
          let j = i;
          while (j < chars.length && MASKS.has(chars[j]!.ch)) j++;
          const next = chars[j];
          const maskLen = j - i;
          const endsWord = !next || !isWordChar(next.ch);
          const followedByLetter = next !== undefined && isWordChar(next.ch);
          if (maskLen <= 3 && (followedByLetter || endsWord)) {
            for (let k = i; k < j; k++) word.push(chars[k]!);
            i = j;
            continue;
          }
        }
        break;
      }
      parts.push({ chars: word });
    } else {
      const sep: Char[] = [];
      while (i < chars.length && !isWordChar(chars[i]!.ch)) sep.push(chars[i++]!);
      parts.push({ sep });
    }
  }
  return parts;
}

/**
 * Maps look-alikes to Cyrillic inside a word that already holds a Cyrillic letter, or that is made only
 * of look-alikes and digits mixed together («3ануда» has Cyrillic; «п1д0р» too). Pure Latin words
 * («sex», «ok») and pure numbers stay as they are.
 */
function mapLookalikes(word: Char[]): Char[] {
  const hasCyrillic = word.some((c) => CYRILLIC.test(c.ch));
  if (!hasCyrillic) return word;
  return word.map((c, idx) => {
    if (c.ch === "@" || c.ch === "$") return c; // resolved with the masks
    const mapped = lookalikeOf(c.ch, idx, c.upper);
    return mapped === c.ch ? c : { ...c, ch: mapped };
  });
}

/** One character as the Cyrillic letter it looks like. */
function lookalikeOf(ch: string, idx: number, upper: boolean): string {
  // «B» reads as «в»; lower-case «b» as «ь», or «в» at the start of a word.
  if (ch === "b") return upper || idx === 0 ? "в" : "ь";
  return LOOKALIKE[ch] ?? ch;
}

/** An all-Latin word read letter by letter as the Cyrillic letters it looks like («cyka» → «сука»). */
function lookalikeReading(latin: string): string {
  return [...latin].map((ch, idx) => lookalikeOf(ch, idx, false)).join("");
}

/** «дуууура» → «дура»: three or more of the same letter never occur in Russian words. */
function squeezeRepeats(s: string): string {
  // Most words have no letter three times in a row: a scan is much cheaper than the regex, and this
  // runs for every candidate restoration of a masked word. Surrogate pairs go to the regex.
  let run = 1;
  for (let i = 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) return s.replace(REPEATED_LETTER, "$1");
    run = c === s.charCodeAt(i - 1) ? run + 1 : 1;
    if (run >= 3) return s.replace(REPEATED_LETTER, "$1");
  }
  return s;
}
const REPEATED_LETTER = /(\p{L})\1{2,}/gu;

/** Resolved masked words per lexicon: a message repeating «т*п@я» resolves it once. */
const maskCache = new WeakMap<(w: string) => boolean, Map<string, string>>();

function resolveMasks(word: string, isKnownWord: ((w: string) => boolean) | undefined): string {
  if (!isKnownWord) return resolveMasksUncached(word, undefined);
  let cache = maskCache.get(isKnownWord);
  if (!cache) {
    cache = new Map();
    maskCache.set(isKnownWord, cache);
  }
  const hit = cache.get(word);
  if (hit !== undefined) return hit;
  const out = resolveMasksUncached(word, isKnownWord);
  if (cache.size > 20_000) cache.clear();
  cache.set(word, out);
  return out;
}

function resolveMasksUncached(word: string, isKnownWord: ((w: string) => boolean) | undefined): string {
  // «@» reads as «а» first («еб@нат»), «$» as «с».
  const direct = squeezeRepeats(word.replace(/@/g, "а").replace(/\$/g, "с"));
  const maskRe = /[*#%@$_]+/g;
  const masks = [...word.matchAll(maskRe)];
  if (masks.length === 0) return direct;
  if (isKnownWord) {
    if (!/[*#%_]/.test(word) && isKnownWord(direct)) return direct;
    if (masks.length <= 2) {
      const fills = ["", ...RUSSIAN_ALPHABET];
      const pieces = word.split(maskRe);
      const tryFill = (idx: number, acc: string): string | null => {
        if (idx === pieces.length - 1) {
          const candidate = squeezeRepeats(acc + pieces[idx]!);
          return isKnownWord(candidate) ? candidate : null;
        }
        for (const f of fills) {
          const hit = tryFill(idx + 1, acc + pieces[idx]! + f);
          if (hit) return hit;
        }
        return null;
      };
      const hit = tryFill(0, "");
      if (hit) return hit;
    }
  }
  return squeezeRepeats(word.replace(/[*#%@$_]+/g, "*"));
}

interface WordPiece {
  text: string;
  start: number;
  end: number;
  masked: boolean;
}

/** The longest piece tried when a spelt-out run is cut into words. */
const MAX_PIECE = 24;

/**
 * Cuts a run of spelt-out letters into words the caller knows, leaving as few letters unexplained as
 * possible («тупаятварь» → «тупая», «тварь»). Without a lexicon, or when no piece is known, the run
 * stays one word.
 */
function segmentRun(letters: Char[], isKnownWord: ((w: string) => boolean) | undefined): Char[][] {
  const text = letters.map((c) => c.ch).join("");
  if (!isKnownWord || isKnownWord(text)) return [letters];
  const n = letters.length;
  // best[i]: cost of the best cut of the first i letters; an unknown letter costs 100, a piece 1.
  const best: number[] = [0];
  const from: number[] = [0];
  const known: boolean[] = [false];
  for (let i = 1; i <= n; i++) {
    best[i] = best[i - 1]! + 101;
    from[i] = i - 1;
    known[i] = false;
    for (let j = Math.max(0, i - MAX_PIECE); j < i - 1; j++) {
      const cost = best[j]! + 1;
      if (cost < best[i]! && isKnownWord(text.slice(j, i))) {
        best[i] = cost;
        from[i] = j;
        known[i] = true;
      }
    }
  }
  const pieces: Array<{ a: number; b: number; known: boolean }> = [];
  for (let i = n; i > 0; i = from[i]!) pieces.unshift({ a: from[i]!, b: i, known: known[i]! });
  if (!pieces.some((p) => p.known)) return [letters];
  // Unknown letters next to each other stay together («с» between two words is its own word).
  const merged: Array<{ a: number; b: number; known: boolean }> = [];
  for (const p of pieces) {
    const last = merged[merged.length - 1];
    if (last && !p.known && !last.known) last.b = p.b;
    else merged.push({ ...p });
  }
  return merged.map((p) => letters.slice(p.a, p.b));
}

const quickMap = (chars: Char[]) =>
  squeezeRepeats(
    mapLookalikes(chars)
      .map((c) => c.ch)
      .join(""),
  );

/**
 * Joins letters spelt out one by one: «с у к а», «д.у.р.а», «х-у-й». Runs of single letters separated by
 * dots, dashes, underscores or asterisks join from three letters; runs separated by single spaces join
 * from four letters, so ordinary one-letter words («а я в шоке») are left alone. With a lexicon, a run
 * holding several words is cut into them, and syllables split by a hyphen or dot («ду-ра», «деби.л») join
 * when together they make a known word and apart they do not.
 */
function joinSpelledOut(
  parts: Array<RawWord | { sep: Char[] }>,
  isKnownWord?: (w: string) => boolean,
): Array<WordPiece | { sep: string }> {
  const out: Array<WordPiece | { sep: string }> = [];
  let i = 0;
  while (i < parts.length) {
    const part = parts[i]!;
    if ("chars" in part && part.chars.length === 1 && LETTER.test(part.chars[0]!.ch)) {
      // Collect single letters joined by one separator character kind.
      const letters: Char[] = [part.chars[0]!];
      let j = i + 1;
      let sepKind: "space" | "punct" | null = null;
      while (j + 1 < parts.length) {
        const sep = parts[j]!;
        const next = parts[j + 1]!;
        if (!("sep" in sep) || !("chars" in next) || next.chars.length !== 1) break;
        if (!LETTER.test(next.chars[0]!.ch)) break;
        const s = sep.sep.map((c) => c.ch).join("");
        const kind = s === " " ? "space" : /^[.\-_*·]$/.test(s) ? "punct" : null;
        if (!kind || (sepKind && kind !== sepKind)) break;
        sepKind = kind;
        letters.push(next.chars[0]!);
        j += 2;
      }
      const need = sepKind === "space" ? 4 : 3;
      if (letters.length >= need) {
        const pieces = segmentRun(letters, isKnownWord);
        pieces.forEach((piece, k) => {
          if (k > 0) out.push({ sep: " " });
          out.push({
            text: piece.map((c) => c.ch).join(""),
            start: piece[0]!.at,
            end: piece[piece.length - 1]!.at + 1,
            masked: true,
          });
        });
        i = j;
        continue;
      }
    }
    if ("chars" in part && isKnownWord) {
      // «ду-ра», «д-ура», «деби.л»: up to four chunks joined by one hyphen or dot each.
      const chunks: Char[][] = [part.chars];
      let j = i + 1;
      let joined: { end: number; chars: Char[] } | null = null;
      while (j + 1 < parts.length && chunks.length < 4) {
        const sep = parts[j]!;
        const next = parts[j + 1]!;
        if (!("sep" in sep) || !("chars" in next)) break;
        if (!/^[.\-‐‑·]$/u.test(sep.sep.map((c) => c.ch).join(""))) break;
        chunks.push(next.chars);
        j += 2;
        const all = chunks.flat();
        if (
          chunks.some((c) => c.length >= 2) &&
          all.every((c) => LETTER.test(c.ch)) &&
          isKnownWord(quickMap(all)) &&
          chunks.some((c) => !isKnownWord(quickMap(c)))
        )
          joined = { end: j, chars: all };
      }
      if (joined) {
        const chars = joined.chars;
        out.push({
          text: chars.map((c) => c.ch).join(""),
          start: chars[0]!.at,
          end: chars[chars.length - 1]!.at + 1,
          masked: true,
        });
        (out[out.length - 1] as WordPiece & { chars?: Char[] }).chars = chars;
        i = joined.end;
        continue;
      }
    }
    if ("chars" in part) {
      const chars = part.chars;
      const first = chars[0]!;
      const last = chars[chars.length - 1]!;
      out.push({
        text: chars.map((c) => c.ch).join(""),
        start: first.at,
        end: last.at + 1,
        masked: false,
      });
      // Keep the mapped characters for the look-alike pass.
      (out[out.length - 1] as WordPiece & { chars?: Char[] }).chars = chars;
    } else {
      out.push({ sep: part.sep.map((c) => c.ch).join("") });
    }
    i++;
  }
  return out;
}

function finishWord(piece: WordPiece & { chars?: Char[] }, opts: NormalizeOptions, text: string): Token {
  const chars = piece.chars ?? [...piece.text].map((ch, k) => ({ ch, at: piece.start + k, upper: false }));
  const mapped = mapLookalikes(chars)
    .map((c) => c.ch)
    .join("");
  const hasMask = /[*#%@$_]/.test(mapped);
  let norm = hasMask ? resolveMasks(mapped, opts.isKnownWord) : squeezeRepeats(mapped);
  if (opts.isKnownWord && !opts.isKnownWord(norm)) norm = tryDigitAlternatives(chars, norm, opts.isKnownWord);
  if (opts.isKnownWord && /^[a-z0-9']{2,}$/u.test(norm) && /[a-z]/u.test(norm) && !opts.isKnownWord(norm)) {
    const isKnownWord = opts.isKnownWord;
    const latin = squeezeRepeats(norm);
    // Transliterated («suka», «tupaya»), then Latin look-alikes of Cyrillic letters («cyka», «cy4ka»).
    // Look-alikes only for words of four letters or more: «ty» is «ты», not «ту».
    const candidates = translitCandidates(latin);
    if (latin.length >= 4) candidates.push(lookalikeReading(latin));
    const reading = candidates.find((c) => isKnownWord(c));
    if (reading) norm = reading;
  }
  // The end offset must cover a whole code point of the source.
  let end = piece.end;
  const cp = text.codePointAt(end - 1);
  if (cp !== undefined && cp > 0xffff) end += 1;
  return { norm, start: piece.start, end, masked: piece.masked || hasMask };
}

/** Re-reads ambiguous digits inside a Cyrillic word until the caller recognises the word. */
function tryDigitAlternatives(chars: Char[], fallback: string, isKnownWord: (w: string) => boolean): string {
  if (!chars.some((c) => CYRILLIC.test(c.ch))) return fallback;
  const positions = chars.flatMap((c, i) => (DIGIT_ALTERNATIVES[c.ch] ? [i] : []));
  if (positions.length === 0 || positions.length > 3) return fallback;
  const base = mapLookalikes(chars).map((c) => c.ch);
  const walk = (k: number): string | null => {
    if (k === positions.length) {
      const candidate = squeezeRepeats(base.join(""));
      return isKnownWord(candidate) ? candidate : null;
    }
    const at = positions[k]!;
    for (const alt of DIGIT_ALTERNATIVES[chars[at]!.ch] ?? []) {
      base[at] = alt;
      const hit = walk(k + 1);
      if (hit) return hit;
    }
    return null;
  };
  return walk(0) ?? fallback;
}

/** Words of the text, normalised, with their positions in the original text. */
export function tokenize(text: string, opts: NormalizeOptions = {}): Token[] {
  const parts = joinSpelledOut(splitWords(cleanChars(text)), opts.isKnownWord);
  const tokens: Token[] = [];
  for (const p of parts) {
    if ("sep" in p) continue;
    const token = finishWord(p, opts, text);
    if (token.norm.length > 0) tokens.push(token);
  }
  return tokens;
}

/**
 * The whole text normalised: words replaced by their normalised form, separators kept (whitespace
 * squeezed to one space), so phrase rules can use punctuation, quotes and emoji.
 */
export function normalize(text: string, opts: NormalizeOptions = {}): string {
  const parts = joinSpelledOut(splitWords(cleanChars(text)), opts.isKnownWord);
  let out = "";
  for (const p of parts) {
    if ("sep" in p) out += p.sep.replace(/\s+/gu, " ");
    else out += finishWord(p, opts, text).norm;
  }
  return out.trim();
}
