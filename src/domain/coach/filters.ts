/**
 * Post-filters for generated hints (pure). A hint from a model is shown only when it is short, in
 * Russian, free of personal data and placeholders, not toxic, and gives no diagnosis, no medical or
 * legal advice and no promise. A refused hint is replaced by a library hint of the same kind.
 *
 * Boundary reminders may name what not to do («Не обещай, что всё будет хорошо», «Не ставь ярлыков
 * вроде «у тебя депрессия»»): a match right after such a cue in the same clause is allowed.
 */
import { findAnonymizableSpans } from "../anonymize.ts";
import { classifyMessage } from "../safety/index.ts";
import type { FilterReason } from "./types.ts";

export const MIN_HINT_LENGTH = 10;
export const MAX_HINT_LENGTH = 220;
/** Share of Cyrillic among letters. */
export const MIN_CYRILLIC_SHARE = 0.8;

const w = (alternatives: string) => new RegExp(String.raw`(?<![\p{L}\d])(?:${alternatives})`, "gu");

const DIAGNOSIS = w(
  [
    "депресси\\p{L}*",
    "депрессивн\\p{L}*",
    "биполяр\\p{L}*",
    "бар(?![\\p{L}])",
    "птср",
    "посттравматическ\\p{L}*",
    "прл(?![\\p{L}])",
    "пограничн\\p{L}* расстройств\\p{L}*",
    "расстройств\\p{L}* (?:личности|пищевого|настроения|тревожн\\p{L}*)",
    "\\p{L}+ расстройств\\p{L}*",
    "сдвг",
    "окр(?![\\p{L}])",
    "шизофрен\\p{L}*",
    "невроз\\p{L}*",
    "психоз\\p{L}*",
    "психопат\\p{L}*",
    "социопат\\p{L}*",
    "нарцисс\\p{L}*",
    "аутизм\\p{L}*",
    "ангедони\\p{L}*",
    "клиническ\\p{L}*",
    "у тебя (?:\\p{L}+ )?(?:синдром|болезнь|заболевание|диагноз|патологи)\\p{L}*",
    "это (?:\\p{L}+ )?(?:синдром|болезнь|заболевание|патологи)\\p{L}*",
  ].join("|"),
);

const DRUGS =
  "феназепам|амитриптилин|кветиапин|сероквел|сертралин|флуоксетин|прозак|пароксетин|эсциталопрам|ципралекс|тразодон|миртазапин|прегабалин|габапентин|трамадол|парацетамол|ибупрофен|нурофен|аспирин|анальгин|зопиклон|золпидем|реланиум|диазепам|клоназепам|ксанакс|алпразолам|галоперидол|аминазин|карбамазепин|финлепсин|корвалол|валокордин|фенобарбитал|донормил|мелатонин|афобазол|новопассит|персен|глицин|валерьян|валериан|пустырник|тенотен|атаракс|гидроксизин";
const MEDICAL = w(
  [
    "выпей\\p{L}*",
    "выпить",
    "попей",
    "прими(?:те)? (?:\\p{L}+ )?(?:таблет|лекарств|успоко|снотвор|капл|препарат)\\p{L}*",
    "таблет\\p{L}*",
    "лекарств\\p{L}*",
    "препарат\\p{L}*",
    "дозировк\\p{L}*",
    "доз[аыуе](?![\\p{L}])",
    "мг(?![\\p{L}])",
    "успокоительн\\p{L}*",
    "снотворн\\p{L}*",
    "антидепрессант\\p{L}*",
    "транквилизатор\\p{L}*",
    "нейролептик\\p{L}*",
    "лечись|лечиться|полечи\\p{L}*",
    `(?:${DRUGS})\\p{L}*`,
  ].join("|"),
);

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
    "ук рф|гк рф|ск рф|тк рф|коап",
    "заявлени\\p{L}* в полици\\p{L}*",
    "юридическ\\p{L}*",
    "адвокат\\p{L}*",
    "нотариус\\p{L}*",
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
    "гарантир\\p{L}*",
    "(?:точно|обязательно|непременно) (?:справишься|получится|наладится|пройд[её]т|станет легче)",
    "скоро (?:пройд[её]т|станет легче|вс[её] закончится)",
  ].join("|"),
);

/** «Не обещай…», «Не ставь ярлыков вроде…», «Избегай фраз…», «Вместо…». */
const CUE =
  /(?:не (?:советуй|предлагай|рекомендуй|ставь|обещай|уверяй|говори|называй|давай|уговаривай)|вместо|избегай)/u;

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
export function checkHint(raw: string): HintCheck {
  const text = raw.trim();
  const length = [...text].length;
  if (length < MIN_HINT_LENGTH || length > MAX_HINT_LENGTH) return { ok: false, reason: "length" };
  if (/[\p{Cc}\p{Co}\u202A-\u202E\u2066-\u2069]/u.test(text.replace(/\n/g, "")))
    return { ok: false, reason: "language" };
  if (PLACEHOLDER.test(text)) return { ok: false, reason: "placeholder" };
  if (findAnonymizableSpans(text).length > 0) return { ok: false, reason: "personal_data" };
  if (cyrillicShare(text) < MIN_CYRILLIC_SHARE) return { ok: false, reason: "language" };
  const folded = fold(text);
  if (hasUncuedMatch(DIAGNOSIS, folded)) return { ok: false, reason: "diagnosis" };
  if (hasUncuedMatch(MEDICAL, folded)) return { ok: false, reason: "medical" };
  if (hasUncuedMatch(LEGAL, folded)) return { ok: false, reason: "legal" };
  if (hasUncuedMatch(PROMISE, folded)) return { ok: false, reason: "promise" };
  const verdict = classifyMessage(text);
  if (verdict.toxic) return { ok: false, reason: "toxic" };
  if (verdict.crisis) return { ok: false, reason: "crisis_language" };
  return { ok: true };
}
