/**
 * The optional short «о себе». Returns machine codes; the bot's locale file holds the sentences.
 */
import { graphemeCount } from "./nickname.ts";
import { findPersonalData, type PersonalDataKind } from "./pii.ts";

export const BIO_MAX_GRAPHEMES = 160;
export const BIO_MAX_LINE_BREAKS = 3;

export type BioRejection = "too_long" | PersonalDataKind | "invisible";
export type BioResult = { ok: true; value: string | null } | { ok: false; reason: BioRejection };

/**
 * Controls other than tab and line breaks; zero-width and bidi controls (U+200B–U+200F, U+2060–U+2064,
 * U+2066–U+2069, U+202A–U+202E, U+061C, U+FEFF) and other format characters; blank «letters» used to
 * fake empty text. The emoji joiner U+200D and emoji tag characters are handled separately.
 */
const INVISIBLE =
  /[\p{Cc}\p{Cf}\u115F\u1160\u180E\u2800\u3164\uFFA0]|\u034F|[\u17B4\u17B5]|[\u180B-\u180D\u180F]/u;
const ORDINARY_CONTROLS = new Set(["\t", "\n", "\r"]);
const ZWJ = "\u200D";
const PICTOGRAPHIC = /\p{Extended_Pictographic}/u;
const TAG = /[\u{E0020}-\u{E007F}]/u;
const BLACK_FLAG = "\u{1F3F4}";

/**
 * Whether every format character is part of an emoji: U+200D between two pictographs (👨‍👩‍👧), tag
 * characters after 🏴 (subdivision flags). Anything else hidden counts as invisible.
 */
function hasInvisibleCharacters(text: string): boolean {
  const chars = [...text];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ORDINARY_CONTROLS.has(ch) || !INVISIBLE.test(ch)) continue;
    if (ch === ZWJ) {
      const before = chars[i - 1] === "\uFE0F" ? chars[i - 2] : chars[i - 1];
      if (PICTOGRAPHIC.test(before ?? "") && PICTOGRAPHIC.test(chars[i + 1] ?? "")) continue;
      return true;
    }
    if (TAG.test(ch)) {
      let j = i - 1;
      while (j >= 0 && TAG.test(chars[j]!)) j--;
      if (chars[j] === BLACK_FLAG) continue;
      return true;
    }
    return true;
  }
  return false;
}

/**
 * NFC; CRLF/CR to LF; tabs and other spaces to one space; spaces trimmed around line breaks; more
 * than one empty line in a row becomes one; the whole trimmed.
 */
export function normalizeBio(raw: string): string {
  return raw
    .normalize("NFC")
    .replace(/\r\n?|[\u2028\u2029]/g, "\n")
    .replace(/[^\S\n]+/gu, " ")
    .replace(/ *\n */g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/**
 * Checks the bio: ≤160 graphemes, at most 3 line breaks (more counts as too long), no hidden
 * characters, no contacts (phone, e-mail, link, @username, card; the first found is the reason).
 * Empty or blank → `{ ok: true, value: null }`, since the bio is optional.
 */
export function validateBio(raw: string): BioResult {
  if (hasInvisibleCharacters(raw.normalize("NFC"))) return { ok: false, reason: "invisible" };
  const value = normalizeBio(raw);
  if (value === "") return { ok: true, value: null };
  if (value.length > BIO_MAX_GRAPHEMES * 16 || graphemeCount(value) > BIO_MAX_GRAPHEMES) {
    return { ok: false, reason: "too_long" };
  }
  if ((value.match(/\n/g) ?? []).length > BIO_MAX_LINE_BREAKS) return { ok: false, reason: "too_long" };
  const found = findPersonalData(value)[0];
  if (found) return { ok: false, reason: found.kind };
  return { ok: true, value };
}
