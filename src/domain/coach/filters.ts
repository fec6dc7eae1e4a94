/**
 * Post-filters for generated hints (pure). A hint from a model is shown only when it is short, in
 * Russian, free of personal data and placeholders, not toxic, and gives no diagnosis, no medical or
 * legal advice, no minimising, no orders about someone's life and no promise; a «Спросить» hint is a
 * question. Meaning is read by lemma (`advice.ts`); legal advice and promises are still phrase rules.
 * A refused hint is replaced by a library hint of the same kind.
 *
 * Boundary reminders may name what not to do («Не обещай, что всё будет хорошо», «Не ставь ярлыков
 * вроде «у тебя депрессия»»): a match right after such a cue in the same clause is allowed.
 */
import { findAnonymizableSpans } from "../anonymize.ts";
import { classifyMessage } from "../safety/index.ts";
import { adviceProblem, isQuestion } from "./advice.ts";
import type { FilterReason, HintType } from "./types.ts";

export const MIN_HINT_LENGTH = 10;
export const MAX_HINT_LENGTH = 220;
/** Share of Cyrillic among letters. */
export const MIN_CYRILLIC_SHARE = 0.8;

const w = (alternatives: string) => new RegExp(String.raw`(?<![\p{L}\d])(?:${alternatives})`, "gu");

const LEGAL = w(
  [
    "(?:подай|подавай|подать|подайте|обратись|обратиться) в суд",
    "в суд(?![\\p{L}])",
    "судись|судиться|засуди\\p{L}*|отсуди\\p{L}*",
    "иск(?:а|ом|у)?(?![\\p{L}])",
    "исков\\p{L}*",
    "алимент\\p{L}*",
    "по закону",
    "законн\\p{L}* прав\\p{L}*",
    "стать[яиеюь] \\d+",
    "ук рф|гк рф|ск рф|тк рф|коап|по тк(?![\\p{L}])",
    "в суде|через суд|оспор\\p{L}*|оспарива\\p{L}*|обжал\\p{L}*",
    "трудинспекц\\p{L}*|работодатель обязан|обязан\\p{L}* (?:выплатить|вернуть|компенсировать)|положен\\p{L}* (?:компенсаци|выплат)\\p{L}*",
    "заявлени\\p{L}* в полици\\p{L}*",
    "юридическ\\p{L}*",
    "адвокат\\p{L}*",
    "нотариус\\p{L}*",
    // Telling someone to go to the police or other authorities.
    "участков\\p{L}*",
    "прокуратур\\p{L}*",
    "(?:сними|снять|зафиксируй|зафиксировать) побои",
    "(?:напиши|написать|подай|подать|пиши|подавай) (?:\\p{L}+ ){0,2}(?:заявлени|жалоб)\\p{L}*",
    "(?:заявлени|жалоб)\\p{L}* (?:\\p{L}+ ){0,2}(?:в полици|в опек|в трудов|в прокуратур|участков)\\p{L}*",
    "(?:обратись|обратиться|иди|сходи|пойди|звони|позвони) (?:\\p{L}+ ){0,2}в (?:полици|опек|прокуратур|трудов\\p{L}* инспекци)\\p{L}*",
  ].join("|"),
);

const PROMISE = w(
  [
    "вс[её] будет (?:хорошо|нормально|в порядке|отлично)",
    "вс[её] наладится",
    "вс[её] пройд[её]т",
    "вс[её] получится",
    "вс[её] исправ\\p{L}*",
    "обещаю",
    "я (?:вс[её] )?исправлю",
    // «гарантирую», not the reminder's «не гарантируй».
    "гарантиру(?:ю|ем)|гарантированно|да(?:ю|[её]м) гаранти\\p{L}*",
    "(?:точно|обязательно|непременно) (?:справишься|получится|наладится|пройд[её]т|станет легче)",
    "скоро (?:пройд[её]т|станет легче|вс[её] закончится)",
    // Certainty about the outcome is a promise too.
    "(?:уверен\\p{L}*|обещаю|гарантирую|точно) (?:\\p{L}+ )?на (?:сто|100) (?:процентов|%)|на (?:сто|100) (?:процентов|%),? (?:\\p{L}+ )?(?:уверен\\p{L}*|справишься|получится|наладится|сможешь)|стопудов\\p{L}*|сто пудов",
    "уверен\\p{L}*,? (?:что )?(?:\\p{L}+ ){0,2}(?:справишься|получится|наладится|сможешь|выкарабкаешься|будет хорошо)",
    "(?:справишься|получится|наладится|сможешь),? (?:\\p{L}+ ){0,2}(?:уверен\\p{L}*|не сомневаюсь|знаю точно|точно знаю)",
    "без (?:всяких )?сомнени\\p{L}*,? (?:\\p{L}+ ){0,2}(?:справишься|получится|наладится|сможешь)",
    "(?:обязательно|непременно|100%) (?:\\p{L}+ )?(?:справишься|сможешь|победишь|выздоровеешь|вылечишься)",
  ].join("|"),
);

/** «Не обещай…», «Не ставь ярлыков вроде…», «Избегай фраз…», «Вместо…». */
const CUE =
  /(?:не (?:советуй|предлагай|рекомендуй|ставь|обещай|уверяй|говори|называй|давай|уговаривай|спеши|торопись|используй|обсуждай|навешивай|утешай|гарантируй|пиши)|вместо|избегай)/u;

const PLACEHOLDER = /\[(?:Я|СОБЕСЕДНИК|ИМЯ|ТЕЛЕФОН|EMAIL|ССЫЛКА|НИК|КАРТА|ДОКУМЕНТ|АДРЕС)\]/u;

const fold = (s: string) => s.toLowerCase().replace(/ё/g, "е");

/**
 * The clause a match sits in, up to the match. A comma ends a clause unless a subordinate clause
 * goes on («Не обещай, что всё будет хорошо»).
 */
function clauseBefore(before: string): string {
  const hard = Math.max(...[".", ";", ":", "!", "?", "—", "\n"].map((p) => before.lastIndexOf(p)));
  let clause = before.slice(hard + 1);
  for (const m of [...clause.matchAll(/,\s*(\p{L}*)/gu)].reverse()) {
    if (!/^(?:что|чтобы|будто|как|или|ни)$/u.test(m[1] ?? "")) {
      clause = clause.slice((m.index ?? 0) + 1);
      break;
    }
  }
  return clause;
}

/** True when some match of `re` is not preceded by a cue in its own clause. */
function hasUncuedMatch(re: RegExp, folded: string): boolean {
  re.lastIndex = 0;
  for (const m of folded.matchAll(re)) {
    const before = folded.slice(0, m.index ?? 0);
    if (!CUE.test(clauseBefore(before))) return true;
  }
  return false;
}

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
  // Medical advice, referrals as orders, diagnoses, minimising and directives: by meaning (advice.ts).
  const problem = adviceProblem(text);
  if (problem) return { ok: false, reason: problem };
  const folded = fold(text);
  if (hasUncuedMatch(LEGAL, folded)) return { ok: false, reason: "legal" };
  if (hasUncuedMatch(PROMISE, folded)) return { ok: false, reason: "promise" };
  const verdict = classifyMessage(text);
  if (verdict.toxic) return { ok: false, reason: "toxic" };
  if (verdict.crisis) return { ok: false, reason: "crisis_language" };
  return { ok: true };
}
