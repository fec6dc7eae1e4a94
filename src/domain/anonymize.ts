/**
 * Replaces personal data in chat text with placeholders before it leaves the chat (AI-coach context,
 * moderation queues, logs). Contacts come from `findPersonalData`; documents, street addresses and
 * personal names are found here. Everything else is kept word for word.
 *
 * Pure: no I/O.
 */

import { findPersonalData, type PersonalDataKind } from "./pii.ts";
import { AMBIGUOUS_NAMES, NAME_FORMS } from "./safety/names.ts";

export interface AnonymizeOptions {
  /** Pseudonyms of the person whose text this is → «[Я]». */
  selfNames?: string[];
  /** Pseudonyms of the other person in the chat → «[СОБЕСЕДНИК]». */
  peerNames?: string[];
}

export type Kind = PersonalDataKind | "document" | "address" | "name" | "self" | "peer";

const PLACEHOLDER: Record<Kind, string> = {
  self: "[Я]",
  peer: "[СОБЕСЕДНИК]",
  phone: "[ТЕЛЕФОН]",
  email: "[EMAIL]",
  link: "[ССЫЛКА]",
  username: "[НИК]",
  card: "[КАРТА]",
  document: "[ДОКУМЕНТ]",
  address: "[АДРЕС]",
  name: "[ИМЯ]",
};

export interface Span {
  kind: Kind;
  start: number;
  end: number;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * A pseudonym and its case forms: each word of four letters or more may change its last letter and
 * take up to three more («Ромашка» → «Ромашке», «Ромашкой»).
 */
function pseudonymRegex(name: string): RegExp | null {
  const words = name
    .trim()
    .split(/[\s_-]+/u)
    .filter(Boolean);
  if (words.length === 0) return null;
  const parts = words.map((w) => {
    const lower = w.toLowerCase().replace(/ё/g, "е");
    const e = escapeRe(lower).replace(/е/g, "[её]");
    if (/^\p{L}{4,}$/u.test(lower) && /[аеёиоуыэюяйь]$/u.test(lower))
      return escapeRe(lower.slice(0, -1)).replace(/е/g, "[её]") + "\\p{L}{0,3}";
    if (/^\p{L}{4,}$/u.test(lower)) return e + "\\p{L}{0,3}";
    return e;
  });
  return new RegExp(
    String.raw`(?<![\p{L}\p{N}_])${parts.join(String.raw`[\s_\-]+`)}(?![\p{L}\p{N}_])`,
    "giu",
  );
}

// Documents. Passport: «45 06 123456» always; «4510 654321» or ten bare digits after a keyword.
const PASSPORT_SPACED = /(?<![\d-])\d{2} \d{2} ?\d{6}(?![\d-])/gu;
const SNILS = /(?<![\d-])\d{3}[- ]\d{3}[- ]\d{3}[- ]\d{2}(?![\d-])/gu;
const DOC_AFTER_KEYWORD =
  /(?:паспорт\p{L}*|серия|снилс\p{L}*|инн|полис\p{L}*|удостоверени\p{L}*|свидетельств\p{L}*|водительск\p{L}*|права|номер договора|лицев\p{L}* сч[её]т\p{L}*|документ\p{L}*)[^\d\n]{0,25}(\d[\d -]{4,22}\d)/giu;

const cap = (word: string) => `[${word[0]!.toUpperCase()}${word[0]}]${escapeRe(word.slice(1))}`;
const STREET_TYPES = [
  String.raw`ул\.?`,
  "[Уу]лиц(?:а|ы|е|у|ей|ею)",
  String.raw`пр-(?:к)?т\.?`,
  String.raw`просп\.`,
  "[Пп]роспект(?:а|у|ом|е)?",
  String.raw`пер\.`,
  "[Пп]ереул(?:ок|ка|ке|ку|ком)",
  "б-р",
  "[Бб]ульвар(?:а|у|ом|е)?",
  String.raw`ш\.`,
  "[Шш]оссе",
  String.raw`наб\.`,
  "[Нн]абережн(?:ая|ой|ую)",
  String.raw`пл\.`,
  "[Пп]лощад(?:ь|и|ью)",
  String.raw`мкр(?:-н|\.)?`,
  "[Мм]икрорайон(?:а|у|ом|е)?",
  "[Пп]роезд(?:а|у|ом|е)?",
  "[Тт]упик(?:а|у|ом|е)?",
  cap("аллея"),
  cap("аллее"),
].join("|");
const STREET_NAME = String.raw`(?:\d{1,2}-?(?:я|й|ая|ий|ой|го|ей)\s+)?[А-ЯЁ0-9][\p{L}\d\-]*(?:\s+[А-ЯЁ][\p{L}\-]*){0,2}`;
const HOUSE = String.raw`(?:,?\s*(?:д\.|дом|д)?\s*\d{1,4}(?:\s?[а-яА-Я](?![\p{L}]))?(?:\/\d{1,4})?(?:\s*,?\s*(?:корп\.?|к\.|стр\.|строение|корпус)\s*\d{1,3})?(?:\s*,?\s*(?:кв\.?|квартира)\s*\d{1,4})?)?`;
/** «ул. Ленина, д. 5, кв. 12», «проспекте Мира 10», «пр-т Победы, 45». */
const ADDRESS_TYPE_FIRST = new RegExp(
  String.raw`(?<![\p{L}])(?:${STREET_TYPES})\s*${STREET_NAME}${HOUSE}`,
  "gu",
);
/** «Красном проспекте, 25», «Ленинский проспект 5». */
const ADDRESS_NAME_FIRST = new RegExp(
  String.raw`(?<![\p{L}])[А-ЯЁ][\p{L}\-]+\s+(?:улиц(?:а|ы|е|у|ей)|проспект(?:а|у|ом|е)?|переул(?:ок|ка|ке|ку|ком)|бульвар(?:а|у|ом|е)?|шоссе|набережн(?:ая|ой|ую)|площад(?:ь|и|ью)|проезд(?:а|у|ом|е)?)(?![\p{L}])${HOUSE}`,
  "gu",
);

const RELATION =
  /^(?:муж|мужа|мужу|мужем|жена|жены|жене|жену|женой|мама|мамы|маме|маму|мамой|папа|папы|папе|папу|папой|мать|отец|отца|отцу|отцом|сын|сына|сыну|сыном|дочь|дочери|дочерью|дочка|дочки|дочке|дочку|дочкой|брат|брата|брату|братом|сестра|сестры|сестре|сестру|сестрой|бабушка|бабушки|бабушке|бабушку|бабушкой|дедушка|дедушки|дедушке|дедушку|дедушкой|подруга|подруги|подруге|подругу|подругой|друг|друга|другу|другом|коллега|коллеги|коллеге|коллегу|коллегой|начальник|начальника|начальнику|начальница|свекровь|свекрови|свекор|теща|тещи|тесть|психолог|психолога|психологу|психологом|врач|врача|врачу|учительница|учитель|бывший|бывшего|бывшему|бывшим|бывшая|бывшей|бывшую|парень|парня|парню|парнем|девушка|девушки|девушке|девушку|девушкой|сосед|соседа|соседка|соседки|тетя|тети|тете|тетю|дядя|дяди|дяде|дядю|внук|внучка|директор|директора|сестренка|братишка|тренер|руководитель|сожитель|отчим|мачеха|ребенок|дети|детей|зовут|звали|имя)$/u;
const PATRONYMIC =
  /^[А-ЯЁ][а-яё]+(?:(?:ович|евич)(?:а|у|ем|е)?|(?:овн|евн|ичн|иничн)(?:а|ы|е|у|ой|ою)|(?:ильич|кузьмич|лукич|фомич|саввич|никитич)(?:а|у|ем|е)?)$/u;
const SURNAME_SHAPE =
  /^[А-ЯЁ][а-яё]+(?:(?:ов|ев|ин|ын)(?:|а|у|ым|ом|е|ой|ою|ы|ых)|(?:ск|цк)(?:ий|ая|ого|ому|им|ом|ой|ую|ие|их)|енко|чук|ук|юк|ян|янц|швили|дзе|ули|иани|ова|ева|ёв)$/u;
const WORD = /\p{L}[\p{L}'’-]*/gu;

interface NameToken {
  start: number;
  end: number;
  word: string;
  lower: string;
  capital: boolean;
}

const fold = (s: string) => s.toLowerCase().replace(/ё/g, "е");

function findNames(text: string): Span[] {
  const tokens: NameToken[] = [];
  for (const m of text.matchAll(WORD)) {
    const word = m[0].replace(/[-'’]+$/u, "");
    const start = m.index ?? 0;
    tokens.push({
      start,
      end: start + word.length,
      word,
      lower: fold(word),
      capital: /^[А-ЯЁ]/u.test(word) && !/^[А-ЯЁ]{2,}$/u.test(word),
    });
  }
  const gapIsSpace = (a: NameToken, b: NameToken) => /^[ \t\u00A0]+$/u.test(text.slice(a.end, b.start));
  const afterRelation = (i: number) => {
    const prev = tokens[i - 1];
    return (
      prev !== undefined &&
      RELATION.test(prev.lower) &&
      /^[\s,—–-]*$/u.test(text.slice(prev.end, tokens[i]!.start))
    );
  };
  const atMessageStartVocative = (i: number) =>
    i === 0 && /^\s*,/u.test(text.slice(tokens[0]!.end, tokens[0]!.end + 3));

  const isName = new Array<boolean>(tokens.length).fill(false);
  const isFirst = (t: NameToken) => NAME_FORMS.has(t.lower);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (PATRONYMIC.test(t.word)) {
      isName[i] = true;
      continue;
    }
    if (!isFirst(t)) continue;
    const neighbourIsName = [tokens[i - 1], tokens[i + 1]].some(
      (n) =>
        n?.capital &&
        (PATRONYMIC.test(n.word) ||
          SURNAME_SHAPE.test(n.word) ||
          (isFirst(n) && !AMBIGUOUS_NAMES.has(n.lower))) &&
        (n === tokens[i - 1] ? gapIsSpace(n, t) : gapIsSpace(t, n)),
    );
    if (AMBIGUOUS_NAMES.has(t.lower)) {
      if (t.capital && (neighbourIsName || afterRelation(i) || atMessageStartVocative(i))) isName[i] = true;
      continue;
    }
    if (t.capital || afterRelation(i)) isName[i] = true;
  }
  // Surnames: a surname-shaped capitalised word right next to a first name or patronymic.
  for (let i = 0; i < tokens.length; i++) {
    if (isName[i]) continue;
    const t = tokens[i]!;
    if (!t.capital || !SURNAME_SHAPE.test(t.word)) continue;
    const prev = tokens[i - 1];
    const next = tokens[i + 1];
    if ((prev && isName[i - 1] && gapIsSpace(prev, t)) || (next && isName[i + 1] && gapIsSpace(t, next)))
      isName[i] = true;
  }
  // Adjacent name words («Сергей Викторович Кузнецов») become one span.
  const spans: Span[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (!isName[i]) continue;
    const last = spans[spans.length - 1];
    const prev = tokens[i - 1];
    if (last && prev && isName[i - 1] && gapIsSpace(prev, tokens[i]!)) last.end = tokens[i]!.end;
    else spans.push({ kind: "name", start: tokens[i]!.start, end: tokens[i]!.end });
  }
  return spans;
}

function collect(re: RegExp, text: string, kind: Kind, group = 0): Span[] {
  const out: Span[] = [];
  re.lastIndex = 0;
  for (const m of text.matchAll(re)) {
    const g = m[group];
    if (g === undefined) continue;
    const start = (m.index ?? 0) + (group === 0 ? 0 : m[0].indexOf(g));
    let end = start + g.length;
    while (end > start && /[\s,.;:]/u.test(text[end - 1]!)) end--;
    if (end > start) out.push({ kind, start, end });
  }
  return out;
}

/** All personal-data spans of the text, in priority order resolved, sorted, never overlapping. */
export function findAnonymizableSpans(text: string, opts: AnonymizeOptions = {}): Span[] {
  const candidates: Span[][] = [];
  for (const [names, kind] of [
    [opts.selfNames ?? [], "self"],
    [opts.peerNames ?? [], "peer"],
  ] as const) {
    const spans: Span[] = [];
    for (const name of names) {
      const re = pseudonymRegex(name);
      if (re) spans.push(...collect(re, text, kind));
    }
    candidates.push(spans);
  }
  candidates.push(findPersonalData(text).map((m) => ({ kind: m.kind, start: m.start, end: m.end })));
  candidates.push([
    ...collect(SNILS, text, "document"),
    ...collect(PASSPORT_SPACED, text, "document"),
    ...collect(DOC_AFTER_KEYWORD, text, "document", 1),
  ]);
  candidates.push([
    ...collect(ADDRESS_TYPE_FIRST, text, "address"),
    ...collect(ADDRESS_NAME_FIRST, text, "address"),
  ]);
  candidates.push(findNames(text));

  const accepted: Span[] = [];
  const overlaps = (s: Span) => accepted.some((a) => s.start < a.end && a.start < s.end);
  for (const group of candidates) {
    group.sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start);
    for (const span of group) if (!overlaps(span)) accepted.push(span);
  }
  return accepted.sort((a, b) => a.start - b.start);
}

/** The text with personal data replaced by placeholders such as «[ИМЯ]», «[ТЕЛЕФОН]», «[АДРЕС]». */
export function anonymize(text: string, opts: AnonymizeOptions = {}): string {
  let out = "";
  let at = 0;
  for (const span of findAnonymizableSpans(text, opts)) {
    out += text.slice(at, span.start) + PLACEHOLDER[span.kind];
    at = span.end;
  }
  return out + text.slice(at);
}
