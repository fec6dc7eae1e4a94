/**
 * The conversation context the coach sees: the last few text messages, anonymised before they are
 * stored. Stored neutrally — each text is anonymised relative to its author («[Я]» = the author,
 * «[СОБЕСЕДНИК]» = the other person) — and rendered relative to whoever asks for hints.
 */
import { anonymize } from "../anonymize.ts";

/** Longest stored message; longer ones are cut at a word boundary before anonymising and after. */
export const MAX_STORED_CHARS = 600;
/** What is anonymised at most (a 10 000-character message is cut first, at whitespace). */
const MAX_SCANNED_CHARS = 2_000;

export interface StoredMessage {
  /** Author's internal user id (never a Telegram id). */
  a: number;
  /**
   * Anonymised text, «[Я]» being the author — only when the author agreed that their words may reach
   * the coach's model (and a model is configured). Otherwise the message is kept as categories only.
   */
  t?: string;
  /** What the message is about, read from the original text when it was recorded (no text kept). */
  k?: string[];
  /** The feeling it carries, if the lexicon found one. */
  e?: string;
  /** The safety classifier flagged this message as a crisis (run once, on the original text). */
  c?: 1;
}

/** Control characters, zero-width and bidi marks: they hide pseudonyms from the matcher. */
const INVISIBLE = /[\p{Cc}\p{Cf}]/gu;

export function cleanNickname(nickname: string | null | undefined): string | null {
  const clean = (nickname ?? "").replace(INVISIBLE, "").replace(/\s+/gu, " ").trim();
  return clean.length >= 2 ? clean : null;
}

function cutAtWord(text: string, max: number): string {
  if (text.length <= max) return text;
  const slice = text.slice(0, max);
  const space = slice.search(/\s\S*$/u);
  return (space > max / 2 ? slice.slice(0, space) : slice).trimEnd() + "…";
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** «е» in a pattern also matches «ё» and the other way round. */
const yo = (s: string) => escapeRe(s).replace(/[её]/g, "[её]");

/**
 * One word of a pseudonym in any case form: adjectives change their two-letter ending («Северный» →
 * «Северному»), nouns their last vowel («Ромашка» → «Ромашкой») or a fleeting vowel («Ветер» →
 * «Ветру», «Огонёк» → «Огонька»); short nouns take up to two letters («Ёж» → «Ежом»).
 */
function wordPattern(word: string): string {
  const w = word.toLowerCase();
  if (!/^\p{L}+$/u.test(w)) return yo(w);
  // «Ёж» → «Ежу», «Кот» → «Котом».
  if (w.length < 4) return /[аеёиоуыэюяйь]$/u.test(w) ? yo(w) : `${yo(w)}\\p{L}{0,2}`;
  if (/(?:ый|ий|ой|ая|яя|ое|ее|ые|ие)$/u.test(w) && w.length >= 5) return `${yo(w.slice(0, -2))}\\p{L}{1,3}`;
  if (/[аеёиоуыэюяйь]$/u.test(w)) return `${yo(w.slice(0, -1))}\\p{L}{0,3}`;
  const fleeting = /^(\p{L}{2,})[еёо](\p{L})$/u.exec(w);
  if (fleeting) return `${yo(fleeting[1]!)}(?:[еёо]|ь)?${yo(fleeting[2]!)}\\p{L}{0,3}`;
  return `${yo(w)}\\p{L}{0,3}`;
}

const NOT_WORD_BEFORE = "(?<![\\p{L}\\p{N}_])";
const NOT_WORD_AFTER = "(?![\\p{L}\\p{N}_])";

/**
 * Matchers for a pseudonym: the whole name in any case form, and its last word alone when written
 * with a capital («Ромашка, спасибо»; a lower-case «кот» in «умер мой кот» is left alone).
 */
function pseudonymMatchers(nickname: string | null | undefined): Array<{ re: RegExp; capitalOnly: boolean }> {
  const clean = cleanNickname(nickname);
  if (!clean) return [];
  const words = clean.split(/[\s_-]+/u).filter(Boolean);
  const whole = `${NOT_WORD_BEFORE}${words.map(wordPattern).join("[\\s_\\-]+")}${NOT_WORD_AFTER}`;
  const out = [{ re: new RegExp(whole, "giu"), capitalOnly: false }];
  const last = words[words.length - 1]!;
  if (words.length > 1 && [...last].length >= 3) {
    out.push({
      re: new RegExp(`${NOT_WORD_BEFORE}${wordPattern(last)}${NOT_WORD_AFTER}`, "giu"),
      capitalOnly: true,
    });
  }
  return out;
}

/** Replaces both people's pseudonyms with «[Я]» (the author) and «[СОБЕСЕДНИК]». */
export function replacePseudonyms(
  text: string,
  names: { senderNickname?: string | null; recipientNickname?: string | null },
): string {
  let out = text;
  for (const [nickname, placeholder] of [
    [names.senderNickname, "[Я]"],
    [names.recipientNickname, "[СОБЕСЕДНИК]"],
  ] as const) {
    for (const { re, capitalOnly } of pseudonymMatchers(nickname)) {
      out = out.replace(re, (m) => (!capitalOnly || /^\p{Lu}/u.test(m) ? placeholder : m));
    }
  }
  return out;
}

/** The text as it may be stored: anonymised relative to its author, trimmed, or null when empty. */
export function prepareForStorage(
  text: string,
  names: { senderNickname?: string | null; recipientNickname?: string | null },
): string | null {
  const visible = text.replace(/[\p{Cc}\p{Cf}]/gu, (ch) => (ch === "\n" ? "\n" : ch === "\t" ? " " : ""));
  if (visible.trim() === "") return null;
  const anonymised = anonymize(replacePseudonyms(cutAtWord(visible, MAX_SCANNED_CHARS), names));
  return cutAtWord(anonymised.replace(/\n{3,}/g, "\n\n").trim(), MAX_STORED_CHARS);
}

const SELF = "[Я]";
const PEER = "[СОБЕСЕДНИК]";

/** Swaps «[Я]» and «[СОБЕСЕДНИК]» in one pass. */
function swapRoles(text: string): string {
  return text.replace(/\[(?:Я|СОБЕСЕДНИК)\]/gu, (m) => (m === SELF ? PEER : SELF));
}

export interface RenderedContext {
  /**
   * Lines «[Я]: …» / «[СОБЕСЕДНИК]: …», oldest first, «[Я]» being the person asking — only the
   * messages whose authors agreed to share them; empty when nobody did.
   */
  text: string;
  /** The other person's shared message texts (for the feeling lexicon). */
  peerMessages: string[];
  /** Every shared message text, relative to the asker. */
  allMessages: string[];
  /** Categories of every message (shared or not), oldest first: what the conversation is about. */
  peerCategories: string[][];
  /** Feelings of the other person's messages, oldest first. */
  peerEmotions: string[];
  /** Some message was flagged as a crisis when it was stored. */
  hasCrisis: boolean;
}

export function renderContext(messages: readonly StoredMessage[], askerUserId: number): RenderedContext {
  const lines: string[] = [];
  const peerMessages: string[] = [];
  const allMessages: string[] = [];
  const peerCategories: string[][] = [];
  const peerEmotions: string[] = [];
  let hasCrisis = false;
  for (const m of messages) {
    if (m.c === 1) hasCrisis = true;
    const mine = m.a === askerUserId;
    if (!mine) {
      peerCategories.push(m.k ?? []);
      if (m.e) peerEmotions.push(m.e);
    }
    if (m.t === undefined) continue;
    // A message by the peer calls the peer «[Я]»: from the asker's side that is «[СОБЕСЕДНИК]».
    const text = mine ? m.t : swapRoles(m.t);
    lines.push(`${mine ? SELF : PEER}: ${text.replace(/\n+/g, " ")}`);
    allMessages.push(text);
    if (!mine) peerMessages.push(text);
  }
  return { text: lines.join("\n"), peerMessages, allMessages, peerCategories, peerEmotions, hasCrisis };
}

export function parseStoredMessage(raw: string): StoredMessage | null {
  try {
    const v = JSON.parse(raw) as Partial<StoredMessage> | null;
    if (typeof v !== "object" || v === null || typeof v.a !== "number") return null;
    if (v.t !== undefined && typeof v.t !== "string") return null;
    const out: StoredMessage = { a: v.a };
    if (typeof v.t === "string") out.t = v.t;
    if (Array.isArray(v.k)) out.k = v.k.filter((x): x is string => typeof x === "string").slice(0, 8);
    if (typeof v.e === "string") out.e = v.e;
    if (v.c === 1) out.c = 1;
    return out;
  } catch {
    // A corrupted entry is skipped, not fatal.
  }
  return null;
}

/** Word overlap of a sent message with a shown hint: did the person send (an edit of) the hint? */
export function resemblesHint(message: string, hint: string): boolean {
  const words = (s: string) =>
    new Set(
      s
        .toLowerCase()
        .replace(/ё/g, "е")
        .match(/\p{L}{3,}/gu) ?? [],
    );
  const m = words(message);
  const h = words(hint);
  if (h.size === 0 || m.size === 0) return false;
  let shared = 0;
  for (const x of h) if (m.has(x)) shared++;
  return shared / h.size >= 0.6 && shared / m.size >= 0.3;
}
