/**
 * Pseudonyms: validation of what a person types, generated suggestions («Тихий Клён») and a stable
 * emoji avatar. Reasons are machine codes; the bot's locale file holds the sentences.
 */
import { ADJECTIVES, ANIMALS, NOUNS } from "./nickname-words.ts";
import { findPersonalData } from "./pii.ts";

export type NicknameRejection =
  | "too_short"
  | "too_long"
  | "bad_chars"
  | "link"
  | "at_sign"
  | "phone"
  | "invisible"
  | "reserved";

export type NicknameResult = { ok: true; value: string } | { ok: false; reason: NicknameRejection };

export const NICKNAME_MIN_GRAPHEMES = 2;
export const NICKNAME_MAX_GRAPHEMES = 32;
/** Digits allowed in a nickname before it reads as a phone number. */
const NICKNAME_MAX_DIGITS = 4;
/** Combining marks per character: enough for any script, too few for «Zalgo» text. */
const MAX_MARKS_PER_GRAPHEME = 3;

const graphemeSegmenter = new Intl.Segmenter("ru", { granularity: "grapheme" });

export function graphemeCount(text: string): number {
  let n = 0;
  for (const _ of graphemeSegmenter.segment(text)) n++;
  return n;
}

/**
 * Characters that render as nothing or reorder text: controls (except tab and line breaks, which
 * are collapsed as whitespace), format characters (zero-width U+200B–U+200F, U+2060–U+2064, U+FEFF,
 * bidi controls U+202A–U+202E, U+2066–U+2069, U+061C, soft hyphen, tags), and blank «letters» used
 * for invisible names (Hangul fillers, braille blank, variation selectors, combining grapheme joiner).
 */
const INVISIBLE =
  /[\p{Cc}\p{Cf}\u115F\u1160\u180E\u2800\u3164\uFFA0]|\u034F|[\u17B4\u17B5]|[\u180B-\u180D\u180F]|[\uFE00-\uFE0F]|[\u{E0100}-\u{E01EF}]/u;
const ORDINARY_CONTROLS = /[\t\n\r]/g;

const ALLOWED_START = /^[\p{L}\p{Nd} _-]$/u;
const ALLOWED_CONTINUATION = /^[\p{L}\p{M}]$/u;
const MARK = /\p{M}/u;
const DIGIT = /\p{Nd}/gu;
const LETTER = /\p{L}/u;

export function hasInvisibleCharacters(text: string): boolean {
  return INVISIBLE.test(text.replace(ORDINARY_CONTROLS, " "));
}

/** NFC, whitespace runs (any Unicode space, tab, line break) to one space, trimmed. */
export function normalizeNickname(raw: string): string {
  return raw.normalize("NFC").replace(/\s+/gu, " ").trim();
}

// Look-alikes, applied before lowercasing where the capital differs (B looks like В, b does not).
const LATIN_TO_CYRILLIC_UPPER: Record<string, string> = { B: "в", H: "н", M: "м", T: "т", K: "к" };
const LATIN_TO_CYRILLIC: Record<string, string> = {
  a: "а",
  e: "е",
  o: "о",
  p: "р",
  c: "с",
  x: "х",
  y: "у",
  k: "к",
  m: "м",
  u: "и",
  n: "п",
  r: "г",
  "0": "о",
  "3": "з",
  "4": "ч",
  "6": "б",
};
const CYRILLIC_TO_LATIN: Record<string, string> = {
  а: "a",
  в: "b",
  е: "e",
  ё: "e",
  к: "k",
  м: "m",
  н: "h",
  о: "o",
  р: "p",
  с: "c",
  т: "t",
  у: "y",
  х: "x",
  и: "u",
  п: "n",
  г: "r",
  д: "d",
  л: "l",
  і: "i",
  ї: "i",
  "0": "o",
  "1": "i",
  "3": "e",
  "4": "a",
  "5": "s",
  "7": "t",
  "!": "i",
  "|": "i",
  l: "i",
};

function skeleton(text: string, upper: Record<string, string>, lower: Record<string, string>): string {
  let out = "";
  for (const ch of text.normalize("NFKC")) {
    const fromUpper = upper[ch];
    if (fromUpper) {
      out += fromUpper;
      continue;
    }
    const c = ch.toLowerCase();
    out += lower[c] ?? c;
  }
  return out.replace(/ё/g, "е").replace(/[\s_\-.]+/gu, "");
}

const cyrillicSkeleton = (text: string) => skeleton(text, LATIN_TO_CYRILLIC_UPPER, LATIN_TO_CYRILLIC);
const latinSkeleton = (text: string) => skeleton(text, {}, CYRILLIC_TO_LATIN);

/** Names that impersonate the service or its moderators; matched inside the name, look-alikes folded. */
const RESERVED_STEMS_CYRILLIC = [
  "модератор",
  "модерац",
  "админ",
  "поддержк",
  "саппорт",
  "тынеодин",
  "тынеодна",
  "официальн",
  "телеграм",
];
const RESERVED_STEMS_LATIN = [
  "moderator",
  "moderation",
  "admin",
  "support",
  "tyneodin",
  "tineodin",
  "official",
  "telegram",
  "staff",
];
/** Short forms reserved only as the whole name («Мод», «Admin» is caught above). */
const RESERVED_WHOLE = [
  "мод",
  "модер",
  "адм",
  "mod",
  "moder",
  "adm",
  "бот",
  "bot",
  "system",
  "система",
  "root",
];
/** Everyday words that contain a stem. */
const RESERVED_EXCEPTIONS = ["badminton", "бадминтон"];

const reservedCyr = RESERVED_STEMS_CYRILLIC.map(cyrillicSkeleton);
const reservedLat = RESERVED_STEMS_LATIN.map(latinSkeleton);
const reservedWholeCyr = new Set(RESERVED_WHOLE.map(cyrillicSkeleton));
const reservedWholeLat = new Set(RESERVED_WHOLE.map(latinSkeleton));
const exceptionsCyr = RESERVED_EXCEPTIONS.map(cyrillicSkeleton);
const exceptionsLat = RESERVED_EXCEPTIONS.map(latinSkeleton);

export function isReservedNickname(name: string): boolean {
  let cyr = cyrillicSkeleton(name);
  let lat = latinSkeleton(name);
  for (const e of exceptionsCyr) cyr = cyr.split(e).join("");
  for (const e of exceptionsLat) lat = lat.split(e).join("");
  if (reservedWholeCyr.has(cyr) || reservedWholeLat.has(lat)) return true;
  return reservedCyr.some((s) => cyr.includes(s)) || reservedLat.some((s) => lat.includes(s));
}

function hasOnlyAllowedCharacters(value: string): boolean {
  for (const { segment } of graphemeSegmenter.segment(value)) {
    const chars = [...segment];
    if (!ALLOWED_START.test(chars[0] ?? "")) return false;
    // Marks belong on letters; on a space, digit or «_» they are decoration.
    if (chars.length > 1 && !LETTER.test(chars[0] ?? "")) return false;
    let marks = 0;
    for (const ch of chars.slice(1)) {
      if (!ALLOWED_CONTINUATION.test(ch)) return false;
      if (MARK.test(ch) && ++marks > MAX_MARKS_PER_GRAPHEME) return false;
    }
  }
  return LETTER.test(value);
}

/**
 * Checks a nickname and returns it normalised (NFC, single inner spaces, trimmed). Length is counted
 * in graphemes (what a person sees), 2–32. Allowed: letters of any script with their marks, digits,
 * spaces, «_», «-»; at least one letter. Checks run from the most specific reason to the most generic.
 */
export function validateNickname(raw: string): NicknameResult {
  const nfc = raw.normalize("NFC");
  if (hasInvisibleCharacters(nfc)) return { ok: false, reason: "invisible" };
  const value = normalizeNickname(nfc);
  // A cheap bound first, so a 10 000-character paste is not segmented in full.
  if (value.length > NICKNAME_MAX_GRAPHEMES * 8) return { ok: false, reason: "too_long" };
  const length = graphemeCount(value);
  if (length > NICKNAME_MAX_GRAPHEMES) return { ok: false, reason: "too_long" };
  if (length < NICKNAME_MIN_GRAPHEMES) return { ok: false, reason: "too_short" };
  const found = findPersonalData(value);
  if (found.some((f) => f.kind === "link" || f.kind === "email")) return { ok: false, reason: "link" };
  if (value.includes("@") || value.includes("＠")) return { ok: false, reason: "at_sign" };
  if (found.length > 0 || (value.match(DIGIT) ?? []).length > NICKNAME_MAX_DIGITS) {
    return { ok: false, reason: "phone" };
  }
  if (!hasOnlyAllowedCharacters(value)) return { ok: false, reason: "bad_chars" };
  if (isReservedNickname(value)) return { ok: false, reason: "reserved" };
  return { ok: true, value };
}

/** Emoji for pseudonyms without a known word, chosen by hash. */
export const AVATAR_EMOJI: readonly string[] = [...new Set([...NOUNS, ...ANIMALS].map((a) => a.emoji))];

export const PSEUDONYM_ADJECTIVE_COUNT = ADJECTIVES.length;
export const PSEUDONYM_NOUN_COUNT = NOUNS.length;
export const PSEUDONYM_COMBINATIONS = ADJECTIVES.length * NOUNS.length;

function pseudonymAt(index: number): string {
  const noun = NOUNS[index % NOUNS.length]!;
  const adjective = ADJECTIVES[Math.floor(index / NOUNS.length)]!;
  return `${noun.gender === "m" ? adjective[0] : adjective[1]} ${noun.word}`;
}

/** Every pseudonym the generator can produce, for tests and for a uniqueness check against the database. */
export function allPseudonyms(): string[] {
  return Array.from({ length: PSEUDONYM_COMBINATIONS }, (_, i) => pseudonymAt(i));
}

/**
 * `count` distinct pseudonyms «Прилагательное Существительное» («Тихий Клён») with gender agreement, drawn without
 * replacement (a sparse Fisher–Yates over all combinations). `random` returns [0, 1), like Math.random.
 */
export function generatePseudonyms(count: number, random: () => number): string[] {
  if (!Number.isInteger(count) || count < 0 || count > PSEUDONYM_COMBINATIONS) {
    throw new RangeError(`pseudonym count ${count} outside 0..${PSEUDONYM_COMBINATIONS}`);
  }
  const swapped = new Map<number, number>();
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const remaining = PSEUDONYM_COMBINATIONS - i;
    const value = random();
    const r = value >= 0 && value < 1 ? value : value >= 1 ? 1 - Number.EPSILON : 0;
    const pick = i + Math.floor(r * remaining);
    const chosen = swapped.get(pick) ?? pick;
    swapped.set(pick, swapped.get(i) ?? i);
    out.push(pseudonymAt(chosen));
  }
  return out;
}

const emojiByWord = new Map(
  [...ANIMALS, ...NOUNS].map((a) => [a.word.toLowerCase().replace(/ё/g, "е"), a.emoji]),
);

/** FNV-1a over UTF-16 units: stable across runs and machines. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * A stable emoji for a nickname: the emoji of a known word of the name (a noun of the suggestions or an animal of earlier ones)
 * («Тихий Ёж» → 🦔), otherwise one of AVATAR_EMOJI chosen by a hash of the normalised name.
 */
export function avatarFor(nickname: string): string {
  const normal = normalizeNickname(nickname).toLowerCase().replace(/ё/g, "е");
  const words = normal.split(/[\s_-]+/u);
  for (let i = words.length - 1; i >= 0; i--) {
    const emoji = emojiByWord.get(words[i] ?? "");
    if (emoji) return emoji;
  }
  return AVATAR_EMOJI[fnv1a(normal) % AVATAR_EMOJI.length]!;
}
