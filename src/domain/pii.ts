/**
 * Detectors of contact details in free text (profile fields, the chat relay's privacy nudge, the
 * anonymiser). Pure and conservative: they aim at what a person types to share a contact, with
 * light obfuscation («ivan собака mail.ru», «site dot ru», digits split by spaces), and leave
 * dates, times, prices and abbreviations such as «т.е.» alone.
 *
 * Spans are UTF-16 offsets into the original text, `end` exclusive, sorted and never overlapping.
 */

export type PersonalDataKind = "phone" | "email" | "link" | "username" | "card";

export interface PersonalDataMatch {
  kind: PersonalDataKind;
  start: number;
  end: number;
}

/** Top-level domains that count on their own («site.ru», «сайт.рф»). */
// biome-ignore format: a word list reads better packed
const DOMAIN_TLDS = [
  // CIS and neighbours
  "ru", "su", "рф", "рус", "ua", "укр", "by", "бел", "kz", "қаз", "uz", "kg", "tj", "tm", "az", "ge", "md",
  "lv", "lt", "ee", "il", "tr", "ae",
  // generic, not everyday English words
  "com", "net", "org", "info", "biz", "xyz", "site", "online", "website", "tech", "dev", "icu", "moscow",
  "tatar", "yandex", "google",
  // popular ccTLDs and short-link hosts
  "io", "ly", "gl", "gg", "cc", "co", "tv", "fm", "ai", "pw", "ws", "tk", "ml", "ga", "cf", "gq", "de", "uk",
  "fr", "pl", "cz", "es", "eu", "nl", "ch", "ca", "jp", "cn", "kr", "vn", "th",
];

/**
 * Top-level domains that are also everyday words («did it.It», «tired.Life»): they count only when a path
 * follows («t.me/name», «vk.me/x»), or after a scheme or www.
 */
// biome-ignore format: a word list reads better packed
const AMBIGUOUS_TLDS = [
  "me", "to", "in", "it", "is", "at", "be", "no", "so", "do", "my", "us", "am", "an", "as", "go", "im",
  "top", "one", "fun", "win", "work", "live", "life", "world", "news", "page", "team", "group", "today",
  "chat", "link", "space", "store", "shop", "club", "cloud", "host", "media", "email", "studio", "social",
  "digital", "pro", "app", "vip", "blog",
];

const byLengthDesc = (a: string, b: string) => b.length - a.length || a.localeCompare(b);
const alternation = (words: readonly string[]) => [...new Set(words)].sort(byLengthDesc).join("|");

const KNOWN_TLD = alternation(DOMAIN_TLDS);
const AMBIGUOUS_TLD = alternation(AMBIGUOUS_TLDS);

/** A DNS label: letters or digits of any script, inner hyphens. */
const LABEL = String.raw`[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?`;
/** «.», « dot », « точка », «(dot)», «[точка]». */
const DOT = String.raw`(?:\.|\s*[(\[{]\s*(?:dot|точка)\s*[)\]}]\s*|\s+(?:dot|точка)\s+)`;
/** «@» (spaces allowed), «(at)», «[собака]», « собака », « at ». */
const AT = String.raw`(?:\s*@\s*|\s*[(\[{<]\s*(?:at|собака|собачка)\s*[)\]}>]\s*|\s+(?:at|собака|собачка)\s+)`;
const LOCAL_PART = String.raw`[\p{L}\p{N}_%+\-]{1,64}(?:(?:\.|\s+(?:dot|точка)\s+)[\p{L}\p{N}_%+\-]{1,64}){0,4}`;
const NOT_WORD_AFTER = String.raw`(?![\p{L}\p{N}_\-])`;
const URL_TAIL = String.raw`[^\s<>"«»]`;

const PLAIN_EMAIL = new RegExp(
  String.raw`(?<![\p{L}\p{N}._%+\-])[\p{L}\p{N}_%+\-][\p{L}\p{N}._%+\-]{0,63}@(?:${LABEL}\.){1,8}\p{L}{2,24}${NOT_WORD_AFTER}`,
  "giu",
);
const OBFUSCATED_EMAIL = new RegExp(
  String.raw`(?<![\p{L}\p{N}._%+\-])${LOCAL_PART}(${AT})((?:${LABEL}${DOT}){1,8})(?:${KNOWN_TLD})${NOT_WORD_AFTER}`,
  "giu",
);
const SCHEME_LINK = new RegExp(String.raw`(?<![\p{L}\p{N}])(?:https?|ftp|tg):\/\/${URL_TAIL}+`, "giu");
const WWW_LINK = new RegExp(String.raw`(?<![\p{L}\p{N}.\-])www\d{0,3}\.${URL_TAIL}+`, "giu");
const BARE_DOMAIN = new RegExp(
  String.raw`(?<![\p{L}\p{N}_@.\-/])(?:${LABEL}${DOT}){1,8}` +
    String.raw`(?:(?:${KNOWN_TLD})${NOT_WORD_AFTER}|(?:${AMBIGUOUS_TLD})(?=\/${URL_TAIL}))` +
    String.raw`(?::\d{1,5})?(?:[/?#]${URL_TAIL}*)?`,
  "giu",
);
/** Telegram usernames: 5–32 of [A-Za-z0-9_], starting with a letter; an e-mail's «@» is excluded. */
const USERNAME = /(?<![A-Za-z0-9._%+\-@])@[A-Za-z][A-Za-z0-9_]{4,31}(?![A-Za-z0-9_@])/g;

/**
 * A run of digits joined by phone-style separators (spaces, dashes, dots, brackets), optionally with
 * a leading «+». Colons are not separators, so times («18:30») break runs.
 */
const DIGIT_RUN = /\+?\d(?:[ \t\u00A0\u2007\u2009\u202F\-\u2010\u2011\u2013\u2014.()]{1,4}\d|\d)*/g;
const WHITESPACE = /\s/u;
const CURRENCY_AFTER =
  /^\s*(?:₽|\$|€|£|₸|₴|%|руб|р\.|р(?![\p{L}])|rub|usd|eur|евро|долл|бакс|тыс|млн|млрд|тенге|сум|грн|byn|k(?![\p{L}])|к(?![\p{L}]))/iu;
const CURRENCY_BEFORE = /(?:₽|\$|€|£|₸|₴)\s*$/u;

/** Calling codes of the region with the full length of a number (code included), for numbers without «+». */
const CALLING_CODE_LENGTHS: ReadonlyArray<readonly [string, number]> = [
  ["375", 12], // Belarus
  ["380", 12], // Ukraine
  ["998", 12], // Uzbekistan
  ["996", 12], // Kyrgyzstan
  ["992", 12], // Tajikistan
  ["994", 12], // Azerbaijan
  ["995", 12], // Georgia
  ["993", 11], // Turkmenistan
  ["374", 11], // Armenia
  ["373", 11], // Moldova
  ["371", 11], // Latvia
  ["370", 11], // Lithuania
  ["372", 11], // Estonia (also 10, accepted only with «+»)
];

/** First digit of the area code after 7/8: 3xx, 4xx, 8xx (RU), 7xx (KZ), 9xx (mobile). */
const RU_AREA_FIRST = new Set(["3", "4", "7", "8", "9"]);

export function isLuhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

interface DigitGroup {
  start: number;
  end: number;
  digits: string;
}

/** What a part of a digit run looks like: a card, a phone, or nothing we should flag. */
function classifyDigits(
  digits: string,
  hasPlus: boolean,
  groups: readonly DigitGroup[],
  separators: readonly string[],
): "card" | "phone" | null {
  const len = digits.length;
  const first = digits[0] ?? "";
  if (!hasPlus && len >= 13 && len <= 19 && "23456".includes(first) && isLuhnValid(digits)) return "card";
  if (hasPlus) {
    if (len < 10 || len > 15) return null;
    if (first === "7") return len === 11 ? "phone" : null;
    const code = CALLING_CODE_LENGTHS.find(([prefix]) => digits.startsWith(prefix));
    if (code && code[0] !== "372") return len === code[1] ? "phone" : null;
    return "phone";
  }
  // «1 500 000», «80 000 000 000»: thousands grouping is an amount, not a phone.
  const lengths = groups.map((g) => g.digits.length);
  const isThousands =
    groups.length >= 2 &&
    (lengths[0] ?? 0) <= 3 &&
    lengths.slice(1).every((l) => l === 3) &&
    separators.every((s) => /^[\s,.']$/u.test(s));
  if (isThousands) return null;
  if (len === 11 && (first === "7" || first === "8") && RU_AREA_FIRST.has(digits[1] ?? "")) return "phone";
  if (len === 10 && first === "9") return "phone";
  if (len === 10 && "348".includes(first) && groups.length >= 2 && lengths[0] === 3) return "phone";
  const code = CALLING_CODE_LENGTHS.find(([prefix]) => digits.startsWith(prefix));
  if (code && len === code[1]) return "phone";
  // A city number written the classic way: 123-45-67.
  if (len === 7 && lengths.join() === "3,2,2" && separators.every((s) => s === "-")) return "phone";
  return null;
}

function isAmountContext(text: string, start: number, end: number): boolean {
  return (
    CURRENCY_AFTER.test(text.slice(end, end + 12)) ||
    CURRENCY_BEFORE.test(text.slice(Math.max(0, start - 3), start))
  );
}

/**
 * Phones and cards inside one digit run. A run may hold several numbers («звони 2 9991234567») or a
 * number glued to a date; sub-runs may only start and end at whitespace, so «23.11.2026» is never cut.
 */
function findNumbersInRun(text: string, runStart: number, run: string, out: PersonalDataMatch[]): void {
  const hasPlus = run.startsWith("+");
  const groups: DigitGroup[] = [];
  for (const m of run.matchAll(/\d+/g)) {
    const start = runStart + (m.index ?? 0);
    groups.push({ start, end: start + m[0].length, digits: m[0] });
  }
  const separators: string[] = [];
  for (let k = 1; k < groups.length; k++) separators.push(text.slice(groups[k - 1]!.end, groups[k]!.start));
  const canCut = (k: number) => WHITESPACE.test(separators[k] ?? "");

  let i = 0;
  while (i < groups.length) {
    if (i > 0 && !canCut(i - 1)) {
      i++;
      continue;
    }
    let best: { j: number; kind: "card" | "phone" } | null = null;
    let digits = "";
    const plus = hasPlus && i === 0;
    for (let j = i; j < groups.length; j++) {
      digits += groups[j]!.digits;
      if (digits.length > 19) break;
      if (j < groups.length - 1 && !canCut(j)) continue;
      const kind = classifyDigits(digits, plus, groups.slice(i, j + 1), separators.slice(i, j));
      if (!kind) continue;
      const start = plus ? runStart : groups[i]!.start;
      if (kind === "phone" && isAmountContext(text, start, groups[j]!.end)) continue;
      best = { j, kind };
    }
    if (best) {
      let start = plus ? runStart : groups[i]!.start;
      if (text[start - 1] === "(") start--; // «(495) 123-45-67»
      out.push({ kind: best.kind, start, end: groups[best.j]!.end });
      i = best.j + 1;
    } else {
      i++;
    }
  }
}

const TRAILING_PUNCTUATION = /[.,;:!?»"'”’)\]}>…]+$/u;

function trimUrl(text: string, start: number, end: number): number {
  const trimmed = text.slice(start, end).replace(TRAILING_PUNCTUATION, "");
  return start + trimmed.length;
}

function collect(
  re: RegExp,
  text: string,
  accept: (m: RegExpExecArray) => number | null,
): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const end = accept(m);
    if (end !== null && end > m.index) spans.push([m.index, end]);
    if (m[0].length === 0) re.lastIndex++;
  }
  return spans;
}

const isObfuscatedDot = (s: string) => /dot|точка/iu.test(s);

/** All contact details found, left to right; where detectors overlap, e-mail > link > username > card > phone. */
export function findPersonalData(text: string): PersonalDataMatch[] {
  const candidates: Array<{ kind: PersonalDataKind; spans: Array<[number, number]> }> = [];

  const emails = [
    ...collect(PLAIN_EMAIL, text, (m) => m.index + m[0].length),
    ...collect(OBFUSCATED_EMAIL, text, (m) => {
      // «look at example.com» is a link, not an address: a bare «at» needs an obfuscated dot too.
      const at = (m[1] ?? "").trim().toLowerCase();
      if (at === "at" && !isObfuscatedDot(m[2] ?? "")) return null;
      return m.index + m[0].length;
    }),
  ];
  candidates.push({ kind: "email", spans: emails });

  const links = [
    ...collect(SCHEME_LINK, text, (m) => trimUrl(text, m.index, m.index + m[0].length)),
    ...collect(WWW_LINK, text, (m) => trimUrl(text, m.index, m.index + m[0].length)),
    ...collect(BARE_DOMAIN, text, (m) => trimUrl(text, m.index, m.index + m[0].length)),
  ];
  candidates.push({ kind: "link", spans: links });

  candidates.push({ kind: "username", spans: collect(USERNAME, text, (m) => m.index + m[0].length) });

  const numbers: PersonalDataMatch[] = [];
  DIGIT_RUN.lastIndex = 0;
  for (let m = DIGIT_RUN.exec(text); m; m = DIGIT_RUN.exec(text))
    findNumbersInRun(text, m.index, m[0], numbers);
  candidates.push({
    kind: "card",
    spans: numbers.filter((n) => n.kind === "card").map((n) => [n.start, n.end]),
  });
  candidates.push({
    kind: "phone",
    spans: numbers.filter((n) => n.kind === "phone").map((n) => [n.start, n.end]),
  });

  const accepted: PersonalDataMatch[] = [];
  const overlaps = (s: number, e: number) => accepted.some((a) => s < a.end && a.start < e);
  for (const { kind, spans } of candidates) {
    // Longest first within a kind, so «ivan@mail.ru» beats a shorter overlapping reading.
    spans.sort((a, b) => b[1] - b[0] - (a[1] - a[0]) || a[0] - b[0]);
    for (const [start, end] of spans) if (!overlaps(start, end)) accepted.push({ kind, start, end });
  }
  return accepted.sort((a, b) => a.start - b.start);
}

export function hasPersonalData(text: string): boolean {
  return findPersonalData(text).length > 0;
}
