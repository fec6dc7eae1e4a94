/**
 * Replaces personal data in chat text with placeholders before it leaves the chat (AI-coach context,
 * moderation queues, logs). Contacts come from `findPersonalData`; documents, street addresses and
 * personal names are found here. Everything else is kept word for word.
 *
 * Pure: no I/O.
 */

import { findPersonalData, type PersonalDataKind } from "./pii.ts";
import { namePartsOf } from "./safety/morph.ts";
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

/** «Серия паспорта 4508 номер 123456»: the series and the number are masked apart, the words kept. */
const DOC_SERIES_NUMBER =
  /(?:сери[яиюей])[^\d\n]{0,20}?(\d{2}\s?\d{2})[^\d\n]{0,15}?(?:номер|№|н\.)\s*:?\s*(\d{6})(?!\d)/giu;
/** Driving licences and vehicle papers with letters («77 АВ 123456»), car plates («А123ВС77»). */
const DOC_WITH_LETTERS = /(?<![\p{L}\p{N}])\d{2}\s?[А-ЯЁA-Z]{2}\s?\d{6}(?![\p{L}\p{N}])/gu;
const CAR_PLATE =
  /(?<![\p{L}\p{N}])[АВЕКМНОРСТУХABEKMHOPCTYX]\s?\d{3}\s?[АВЕКМНОРСТУХABEKMHOPCTYX]{2}\s?\d{2,3}(?![\p{L}\p{N}])/gu;

/**
 * Card numbers the contact detector leaves alone because the check digit fails (a typo, or a made-up
 * example): sixteen digits in four groups of four, or 16–19 digits right after a card word. The relay's
 * privacy nudge stays strict; the anonymiser would rather remove one number too many.
 */
const CARD_GROUPED = /(?<![\d\p{L}])\d{4}([ \u00A0-])\d{4}\1\d{4}\1\d{4}(?![\d\p{L}])/gu;
const CARD_AFTER_WORD =
  /(?:карт\p{L}*|сбер\p{L}*|тинькофф\p{L}*|тиньк\p{L}*|visa|виз[аеуы]|mastercard|мастеркард\p{L}*|maestro|маэстро)[^\d\n]{0,20}(\d(?:[ \u00A0-]?\d){15,18})(?!\d)/giu;
const DOC_KEYWORD_BEFORE =
  /(?:паспорт\p{L}*|серия|снилс\p{L}*|инн|полис\p{L}*|омс|дмс|удостоверени\p{L}*|свидетельств\p{L}*|водительск\p{L}*|права|договор\p{L}*|лицев\p{L}*|документ\p{L}*)[^\d\n]{0,25}$/iu;

/**
 * Handles without «@» after the name of a network: «мой инстаграм nastya_k_90», «пиши в тг: olga_smile»,
 * «вк — ivan.petrov90». Up to three short words may stand between («ник в телеге — sad_bunny»).
 */
const NETWORK = String.raw`инст\p{L}*|insta\w*|тг|тгк|телег\p{L}*|телеграм\p{L}*|telegram|tg|вк|вконтакт\p{L}*|vk|vkontakte|тикток\p{L}*|tiktok|ник\p{L}*|никнейм\p{L}*|логин\p{L}*|твиттер\p{L}*|twitter|дискорд\p{L}*|discord|скайп\p{L}*|skype|снэпчат\p{L}*|snapchat|фейсбук\p{L}*|facebook|ютуб\p{L}*|youtube|твич\p{L}*|twitch|github|гитхаб\p{L}*|steam|стим\p{L}*`;
/** Words that may stand between the network and the handle: «мой ник в телеге — …», «в тг ищи меня: …». */
const HANDLE_FILLER = `мой|моя|мое|моё|мои|меня|мне|там|тут|это|вот|же|ищи|пиши|найди|добавь|заходи|подпишись|акк|аккаунт|профиль|страница|страничка|есть|в|во|на|у|я|под|ником|называюсь|${NETWORK}`;
const HANDLE_AFTER_NETWORK = new RegExp(
  String.raw`(?<![\p{L}])(?:${NETWORK})(?![\p{L}])(?:[\s:—–\-,]+(?:${HANDLE_FILLER})(?![\p{L}])){0,3}[\s:—–\-,]+@?([A-Za-z][A-Za-z0-9_.]{2,31})(?![A-Za-z0-9_@])`,
  "giu",
);
const NOT_A_HANDLE =
  /^(?:story|stories|reels?|posts?|live|stream|bio|direct|dm|chat|channel|bot|app|web|online|premium|plus|pro|video|photo|shorts)$/iu;

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
  String.raw`(?<![\p{L}])[А-ЯЁ][\p{L}\-]+\s+(?:улиц(?:а|ы|е|у|ей)|проспект(?:а|у|ом|е)?|переул(?:ок|ка|ке|ку|ком)|бульвар(?:а|у|ом|е)?|шоссе|набережн(?:ая|ой|ую)|площад(?:ь|и|ью)|проезд(?:а|у|ом|е)?|(?:пр|ул|пер|наб|пл|просп|ш)\.|пр-к?т|б-р)(?![\p{L}])${HOUSE}`,
  "gu",
);
/**
 * No street-type word: «живу на Пушкина 10», «на Садовой, 15», «адрес — Садовая 12». A capitalised word
 * (two at most) and a house number right after «на», «по», «живу» or «адрес»; a number followed by a
 * unit or a date is not a house.
 */
/**
 * An address without a street word: «на/по/живу» or «адрес:» before a capitalised name and a house
 * number. The lead-in is matched (not looked behind), so a long run of letters costs linear time.
 */
const ADDRESS_BARE =
  /(?:(?<![^\s,(])(?:[Нн]а|[Пп]о|[Жж]иву|[Жж]ивём|[Жж]ивем|[Жж]ила|[Жж]ил)\s+|[Аа]дрес\p{L}*\s*[:—–-]?\s*)([А-ЯЁ][а-яё]+(?:-[А-ЯЁа-яё][а-яё]+)?(?:\s+[А-ЯЁ][а-яё]+)?,?\s*(?:д\.|дом)?\s*\d{1,4}(?:\s?[а-я](?![\p{L}]))?(?:\/\d{1,4})?(?:\s*,?\s*(?:корп\.?|к\.|стр\.|строение|корпус)\s*\d{1,3})?(?:\s*,?\s*(?:кв\.?|квартира)\s*\d{1,4})?)(?![\d:.,]\d)(?!\s*(?:%|₽|\$|€|руб|р\.|лет|год|раз|час|мин|сек|дн|день|дня|недел|месяц|человек|чел|кг|км|м(?![\p{L}])|см|штук|шт|числ|январ|феврал|март|апрел|ма[яй]|июн|июл|август|сентябр|октябр|ноябр|декабр|утра|вечера|ночи|серии|сери|глав|страниц|стр(?![\p{L}])|балл|очк|мест|класс|курс|этаж|уров|тыс|млн|к(?![\p{L}])))/gu;

const RELATION =
  /^(?:муж|мужа|мужу|мужем|жена|жены|жене|жену|женой|мама|мамы|маме|маму|мамой|папа|папы|папе|папу|папой|мать|отец|отца|отцу|отцом|сын|сына|сыну|сыном|дочь|дочери|дочерью|дочка|дочки|дочке|дочку|дочкой|брат|брата|брату|братом|сестра|сестры|сестре|сестру|сестрой|бабушка|бабушки|бабушке|бабушку|бабушкой|дедушка|дедушки|дедушке|дедушку|дедушкой|подруга|подруги|подруге|подругу|подругой|друг|друга|другу|другом|коллега|коллеги|коллеге|коллегу|коллегой|начальник|начальника|начальнику|начальница|свекровь|свекрови|свекор|теща|тещи|тесть|психолог|психолога|психологу|психологом|врач|врача|врачу|учительница|учитель|бывший|бывшего|бывшему|бывшим|бывшая|бывшей|бывшую|парень|парня|парню|парнем|девушка|девушки|девушке|девушку|девушкой|сосед|соседа|соседка|соседки|тетя|тети|тете|тетю|дядя|дяди|дяде|дядю|внук|внучка|директор|директора|сестренка|братишка|тренер|руководитель|сожитель|отчим|мачеха|ребенок|дети|детей|зовут|звали|имя)$/u;
const PATRONYMIC =
  /^(?:[А-ЯЁ][а-яё]+(?:(?:ович|евич)(?:а|у|ем|е)?|(?:овн|евн|ичн|иничн)(?:а|ы|е|у|ой|ою)|(?:ильич|кузьмич|лукич|фомич|саввич|никитич)(?:а|у|ем|е)?)|(?:Ильич|Кузьмич|Лукич|Фомич|Саввич|Никитич)(?:а|у|ем|е)?)$/u;
const SURNAME_SHAPE =
  /^[А-ЯЁ][а-яё]+(?:(?:ов|ев|ин|ын)(?:|а|у|ым|ом|е|ой|ою|ы|ых)|(?:ск|цк)(?:ий|ая|ого|ому|им|ом|ой|ую|ие|их)|енко|чук|ук|юк|ян|янц|швили|дзе|ули|иани|ова|ева|ёв)$/u;
/** Surname endings, loose: only used next to a first name and patronymic. */
const LOOSE_SURNAME =
  /(?:ов|ев|ин|ын|ий|ой|ый|ко|ук|юк|ян|дзе|швили|ич|их|ых|ец|ман|берг)(?:а|у|ым|ом|е|ой|ою|ы|ых)?$/u;
const WORD = /\p{L}[\p{L}'’-]*/gu;

interface NameToken {
  start: number;
  end: number;
  word: string;
  lower: string;
  capital: boolean;
}

const fold = (s: string) => s.toLowerCase().replace(/ё/g, "е");

/** Words that open «меня зовут …»-like introductions. */
const INTRO_BEFORE = /(?:^|[^\p{L}])(?:зовут|звать|имя|я)\s*[—–-]?\s*$/iu;
const CALLED =
  /(?:^|[^\p{L}])(?:(?:меня|мою|моего|его|её|ее|их|друга|подругу|маму|папу|мужа|жену|сына|дочь)\s+(?:зовут|звали)|(?:зовут|звали)\s+(?:меня|его|её|ее))\s*[—–-]?\s*$/iu;
const GREETING =
  /(?:^|[^\p{L}])(?:привет|здравствуй|здравствуйте|добрый (?:день|вечер|утро)|доброе утро|хай|салам|салют|обнимаю|спасибо)\s*,\s*$/iu;
const SIGN_OFF = /(?:^|[^\p{L}])(?:с уважением|обнимаю|твоя|твой|ваша|ваш)\s*,?\s*$/iu;
/** Capitalised words that are never a name where a name would stand («я Москва» aside, these are common). */
const NOT_A_NAME = new Set([
  "не",
  "очень",
  "тоже",
  "уже",
  "просто",
  "так",
  "тут",
  "здесь",
  "сейчас",
  "сегодня",
  "спасибо",
  "да",
  "нет",
  "вот",
  "ну",
  "бог",
  "господи",
  "мама",
  "папа",
  "москва",
  "россия",
]);

function isNamedByPosition(text: string, tokens: readonly NameToken[], i: number): boolean {
  const t = tokens[i]!;
  if (NOT_A_NAME.has(t.lower) || t.word.length < 2) return false;
  const before = text.slice(Math.max(0, t.start - 40), t.start);
  // «меня зовут Кырылбек» (a name there needs no capital: people type «меня зовут кырылбек»).
  if (CALLED.test(before)) return true;
  if (!t.capital) return false;
  // «я — Ульмас», «я Ульмас,», «Я Дильноза.»: «я» + a capitalised word that is no ordinary word.
  if (INTRO_BEFORE.test(before)) return !isOrdinaryWord(t.lower);
  if (GREETING.test(before)) return !isOrdinaryWord(t.lower);
  // A signature: the last word, alone on its line or after a dash or a sign-off.
  if (i === tokens.length - 1) {
    const lineStart = text.lastIndexOf("\n", t.start - 1) + 1;
    const line = text.slice(lineStart, t.start);
    if (/^\s*[—–-]?\s*$/u.test(line) && lineStart > 0) return !isOrdinaryWord(t.lower);
    if (/[—–-]\s*$/u.test(line) || SIGN_OFF.test(line)) return !isOrdinaryWord(t.lower);
  }
  return false;
}

/**
 * A word the dictionary knows as something other than a person's name («Москва», «Работа»); a word
 * that is only ever a name there, or unknown to it, is not ordinary.
 */
function isOrdinaryWord(lower: string): boolean {
  const p = namePartsOf(lower);
  return p.known && !p.only;
}

/**
 * Names of people in a text: capitalised words that the dictionary knows as a first name, surname or
 * patronymic, and their neighbours. Long because it is one left-to-right scan with a case per kind of
 * name; splitting it would pass the scan state between functions.
 */
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
  // The curated list, or the morphology dictionary (OpenCorpora) when the word is only ever a name
  // there — Фарход, Дильноза, Айгерим, Тарас; «Надежда», «Роман» stay ambiguous and need evidence.
  const parts = (t: NameToken) => (t.capital || t.lower.length > 2 ? namePartsOf(t.lower) : null);
  const isFirst = (t: NameToken) => NAME_FORMS.has(t.lower) || (parts(t)?.name ?? false);
  const isAmbiguous = (t: NameToken) =>
    AMBIGUOUS_NAMES.has(t.lower) || (!NAME_FORMS.has(t.lower) && !(parts(t)?.only ?? false));
  const isPatronymic = (t: NameToken) =>
    PATRONYMIC.test(t.word) || (t.capital && (parts(t)?.patronymic ?? false) && (parts(t)?.only ?? false));
  const isSurnameShaped = (t: NameToken) =>
    SURNAME_SHAPE.test(t.word) || ((parts(t)?.surname ?? false) && (parts(t)?.only ?? false));
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (isPatronymic(t)) {
      isName[i] = true;
      continue;
    }
    if (!isFirst(t)) continue;
    const neighbourIsName = [tokens[i - 1], tokens[i + 1]].some(
      (n) =>
        n?.capital &&
        (isPatronymic(n) || isSurnameShaped(n) || (isFirst(n) && !isAmbiguous(n))) &&
        (n === tokens[i - 1] ? gapIsSpace(n, t) : gapIsSpace(t, n)),
    );
    if (isAmbiguous(t)) {
      if (t.capital && (neighbourIsName || afterRelation(i) || atMessageStartVocative(i))) isName[i] = true;
      continue;
    }
    if (t.capital || afterRelation(i)) isName[i] = true;
  }
  // By position, known to no list: «меня зовут X», «я — X», «я X» opening a sentence, «Привет, X»,
  // a signature (a capitalised word alone at the end, or after a dash).
  for (let i = 0; i < tokens.length; i++) {
    if (!isName[i] && isNamedByPosition(text, tokens, i)) isName[i] = true;
  }
  // A capitalised word no dictionary knows as an ordinary word, right before a patronymic, is the first
  // name («Жылдыз Токтогуловна»); right after a first name, the surname («Андрюс Казлаускас»).
  for (let i = 0; i < tokens.length; i++) {
    if (isName[i] || !tokens[i]!.capital || isOrdinaryWord(tokens[i]!.lower)) continue;
    const t = tokens[i]!;
    const next = tokens[i + 1];
    const prev = tokens[i - 1];
    if (next && isPatronymic(next) && gapIsSpace(t, next)) isName[i] = true;
    else if (prev && isName[i - 1] && isFirst(prev) && !isAmbiguous(prev) && gapIsSpace(prev, t))
      isName[i] = true;
  }
  // Surnames: a surname-shaped capitalised word right next to a first name or patronymic.
  for (let i = 0; i < tokens.length; i++) {
    if (isName[i]) continue;
    const t = tokens[i]!;
    if (!t.capital || !isSurnameShaped(t)) continue;
    const prev = tokens[i - 1];
    const next = tokens[i + 1];
    if ((prev && isName[i - 1] && gapIsSpace(prev, t)) || (next && isName[i + 1] && gapIsSpace(t, next)))
      isName[i] = true;
  }
  // «Лев Николаевич Толстой», «Толстой Лев Николаевич»: a capitalised word right after a first name and
  // patronymic, or right before them, is the surname whatever its shape.
  for (let i = 0; i < tokens.length; i++) {
    if (isName[i] || !tokens[i]!.capital) continue;
    const t = tokens[i]!;
    const p1 = tokens[i - 1];
    const p2 = tokens[i - 2];
    const n1 = tokens[i + 1];
    const n2 = tokens[i + 2];
    const afterFull =
      p1 && p2 && PATRONYMIC.test(p1.word) && isName[i - 2] && gapIsSpace(p2, p1) && gapIsSpace(p1, t);
    // At the start of a sentence a capital proves nothing («Вчера Иван Петрович…»): there the word
    // must also end like a surname.
    const sentenceStart = /(?:^|[.!?…]\s*)$/u.test(text.slice(0, t.start).trimEnd());
    const beforeFull =
      n1 &&
      n2 &&
      isName[i + 1] &&
      PATRONYMIC.test(n2.word) &&
      gapIsSpace(t, n1) &&
      gapIsSpace(n1, n2) &&
      (!sentenceStart || LOOSE_SURNAME.test(t.word));
    if (afterFull || beforeFull) isName[i] = true;
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
  // Before the contact detector, so «4276 3800 1234 5678» is not read as a card-less phone tail.
  candidates.push(
    [...collect(CARD_GROUPED, text, "card"), ...collect(CARD_AFTER_WORD, text, "card", 1)].filter(
      (span) => !DOC_KEYWORD_BEFORE.test(text.slice(Math.max(0, span.start - 40), span.start)),
    ),
  );
  candidates.push(findPersonalData(text).map((m) => ({ kind: m.kind, start: m.start, end: m.end })));
  candidates.push(
    collect(HANDLE_AFTER_NETWORK, text, "username", 1).filter(
      (span) => !NOT_A_HANDLE.test(text.slice(span.start, span.end)),
    ),
  );
  candidates.push([
    ...collect(SNILS, text, "document"),
    ...collect(PASSPORT_SPACED, text, "document"),
    ...collect(DOC_SERIES_NUMBER, text, "document", 1),
    ...collect(DOC_SERIES_NUMBER, text, "document", 2),
    ...collect(DOC_WITH_LETTERS, text, "document"),
    ...collect(CAR_PLATE, text, "document"),
    ...collect(DOC_AFTER_KEYWORD, text, "document", 1),
  ]);
  candidates.push([
    ...collect(ADDRESS_TYPE_FIRST, text, "address"),
    ...collect(ADDRESS_NAME_FIRST, text, "address"),
    ...collect(ADDRESS_BARE, text, "address", 1),
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
