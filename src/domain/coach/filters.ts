/**
 * Post-filters for generated hints (pure). A hint from a model is shown only when it is short, in
 * Russian, free of personal data and placeholders, not toxic, and gives no diagnosis, no medical or
 * legal advice, no minimising, no orders about someone's life and no promise; a «Спросить» hint is a
 * question. Meaning is read by lemma in `advice.ts` (legal advice and stock promises by phrase there,
 * under the same cue rule). A refused hint is replaced by a library hint of the same kind.
 */
import { findAnonymizableSpans } from "../anonymize.ts";
import { classifyMessage } from "../safety/index.ts";
import { adviceProblem, isQuestion } from "./advice.ts";
import type { FilterReason, HintType } from "./types.ts";

export const MIN_HINT_LENGTH = 10;
export const MAX_HINT_LENGTH = 220;
/** Share of Cyrillic among letters. */
export const MIN_CYRILLIC_SHARE = 0.8;

const PLACEHOLDER = /\[(?:Я|СОБЕСЕДНИК|ИМЯ|ТЕЛЕФОН|EMAIL|ССЫЛКА|НИК|КАРТА|ДОКУМЕНТ|АДРЕС)\]/u;

export function cyrillicShare(text: string): number {
  const letters = text.match(/\p{L}/gu) ?? [];
  if (letters.length === 0) return 0;
  const cyr = text.match(/\p{Script=Cyrillic}/gu) ?? [];
  return cyr.length / letters.length;
}

export type HintCheck = { ok: true } | { ok: false; reason: FilterReason };

/** The first rule a hint breaks, cheapest first. */
export function checkHint(raw: string, type?: HintType): HintCheck {
  const text = raw.trim();
  const length = [...text].length;
  if (length < MIN_HINT_LENGTH || length > MAX_HINT_LENGTH) return { ok: false, reason: "length" };
  if (/[\p{Cc}\p{Co}\u202A-\u202E\u2066-\u2069]/u.test(text.replace(/\n/g, "")))
    return { ok: false, reason: "language" };
  if (PLACEHOLDER.test(text)) return { ok: false, reason: "placeholder" };
  if (findAnonymizableSpans(text).length > 0) return { ok: false, reason: "personal_data" };
  if (cyrillicShare(text) < MIN_CYRILLIC_SHARE) return { ok: false, reason: "language" };
  if (type === "question" && !isQuestion(text)) return { ok: false, reason: "not_a_question" };
  // Medical and legal advice, referrals as orders, diagnoses, minimising, directives, promises (advice.ts).
  const problem = adviceProblem(text);
  if (problem) return { ok: false, reason: problem };
  const verdict = classifyMessage(text);
  if (verdict.toxic) return { ok: false, reason: "toxic" };
  if (verdict.crisis) return { ok: false, reason: "crisis_language" };
  return { ok: true };
}
