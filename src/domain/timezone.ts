/**
 * Time zones for the profile: city buttons, free-text parsing (cities, IANA names, UTC offsets) and
 * display. Zones are IANA names accepted by Node 20's ICU; Kyiv is stored as «Europe/Kiev», which
 * every ICU and PostgreSQL accept («Europe/Kyiv» is missing from older ones).
 */

export interface CityZone {
  /** Russian name shown to people; data, not a locale string. */
  label: string;
  zone: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
}

/** Cities for the time-zone keyboard, west to east within Russia, then the other countries. */
export const CITY_ZONES: readonly CityZone[] = [
  { label: "Калининград", zone: "Europe/Kaliningrad", country: "RU" },
  { label: "Москва", zone: "Europe/Moscow", country: "RU" },
  { label: "Санкт-Петербург", zone: "Europe/Moscow", country: "RU" },
  { label: "Самара", zone: "Europe/Samara", country: "RU" },
  { label: "Екатеринбург", zone: "Asia/Yekaterinburg", country: "RU" },
  { label: "Омск", zone: "Asia/Omsk", country: "RU" },
  { label: "Новосибирск", zone: "Asia/Novosibirsk", country: "RU" },
  { label: "Красноярск", zone: "Asia/Krasnoyarsk", country: "RU" },
  { label: "Иркутск", zone: "Asia/Irkutsk", country: "RU" },
  { label: "Якутск", zone: "Asia/Yakutsk", country: "RU" },
  { label: "Владивосток", zone: "Asia/Vladivostok", country: "RU" },
  { label: "Магадан", zone: "Asia/Magadan", country: "RU" },
  { label: "Камчатка", zone: "Asia/Kamchatka", country: "RU" },
  { label: "Минск", zone: "Europe/Minsk", country: "BY" },
  { label: "Киев", zone: "Europe/Kiev", country: "UA" },
  { label: "Алматы", zone: "Asia/Almaty", country: "KZ" },
  { label: "Астана", zone: "Asia/Almaty", country: "KZ" },
  { label: "Ташкент", zone: "Asia/Tashkent", country: "UZ" },
  { label: "Бишкек", zone: "Asia/Bishkek", country: "KG" },
  { label: "Душанбе", zone: "Asia/Dushanbe", country: "TJ" },
  { label: "Ереван", zone: "Asia/Yerevan", country: "AM" },
  { label: "Тбилиси", zone: "Asia/Tbilisi", country: "GE" },
  { label: "Баку", zone: "Asia/Baku", country: "AZ" },
  { label: "Кишинёв", zone: "Europe/Chisinau", country: "MD" },
  { label: "Рига", zone: "Europe/Riga", country: "LV" },
  { label: "Вильнюс", zone: "Europe/Vilnius", country: "LT" },
  { label: "Таллин", zone: "Europe/Tallinn", country: "EE" },
];

type AliasRow = readonly [label: string, zone: string, country: string, aliases: readonly string[]];

/**
 * Free-text names: the button cities under other spellings, more cities, and places where many
 * Russian speakers live. Keys are normalised by `normalizePlace` (lower case, ё→е, hyphens→spaces).
 */
const ALIAS_ROWS: readonly AliasRow[] = [
  ["Москва", "Europe/Moscow", "RU", ["москва", "мск", "msk", "moscow", "moskva", "масква"]],
  [
    "Санкт-Петербург",
    "Europe/Moscow",
    "RU",
    [
      "санкт петербург",
      "спб",
      "питер",
      "петербург",
      "ленинград",
      "с петербург",
      "спиб",
      "spb",
      "saint petersburg",
      "st petersburg",
      "sankt peterburg",
      "piter",
      "petersburg",
    ],
  ],
  ["Калининград", "Europe/Kaliningrad", "RU", ["калининград", "kaliningrad", "кенигсберг"]],
  ["Самара", "Europe/Samara", "RU", ["самара", "samara"]],
  [
    "Екатеринбург",
    "Asia/Yekaterinburg",
    "RU",
    ["екатеринбург", "екб", "екат", "ебург", "yekaterinburg", "ekaterinburg", "ekb"],
  ],
  ["Омск", "Asia/Omsk", "RU", ["омск", "omsk"]],
  ["Новосибирск", "Asia/Novosibirsk", "RU", ["новосибирск", "нск", "новосиб", "novosibirsk", "nsk"]],
  ["Красноярск", "Asia/Krasnoyarsk", "RU", ["красноярск", "krasnoyarsk", "крск"]],
  ["Иркутск", "Asia/Irkutsk", "RU", ["иркутск", "irkutsk"]],
  ["Якутск", "Asia/Yakutsk", "RU", ["якутск", "yakutsk"]],
  ["Владивосток", "Asia/Vladivostok", "RU", ["владивосток", "vladivostok", "влдв"]],
  ["Магадан", "Asia/Magadan", "RU", ["магадан", "magadan"]],
  [
    "Камчатка",
    "Asia/Kamchatka",
    "RU",
    ["камчатка", "петропавловск камчатский", "kamchatka", "petropavlovsk kamchatsky"],
  ],
  ["Казань", "Europe/Moscow", "RU", ["казань", "kazan"]],
  ["Нижний Новгород", "Europe/Moscow", "RU", ["нижний новгород", "нижний", "н новгород", "nizhny novgorod"]],
  ["Воронеж", "Europe/Moscow", "RU", ["воронеж", "voronezh"]],
  ["Ростов-на-Дону", "Europe/Moscow", "RU", ["ростов на дону", "ростов", "rostov"]],
  ["Краснодар", "Europe/Moscow", "RU", ["краснодар", "krasnodar"]],
  ["Сочи", "Europe/Moscow", "RU", ["сочи", "sochi"]],
  ["Волгоград", "Europe/Volgograd", "RU", ["волгоград", "volgograd"]],
  ["Саратов", "Europe/Saratov", "RU", ["саратов", "saratov"]],
  ["Ульяновск", "Europe/Ulyanovsk", "RU", ["ульяновск", "ulyanovsk"]],
  ["Астрахань", "Europe/Astrakhan", "RU", ["астрахань", "astrakhan"]],
  ["Киров", "Europe/Kirov", "RU", ["киров", "kirov"]],
  ["Ижевск", "Europe/Samara", "RU", ["ижевск", "izhevsk"]],
  ["Тольятти", "Europe/Samara", "RU", ["тольятти", "togliatti"]],
  ["Уфа", "Asia/Yekaterinburg", "RU", ["уфа", "ufa"]],
  ["Пермь", "Asia/Yekaterinburg", "RU", ["пермь", "perm"]],
  ["Челябинск", "Asia/Yekaterinburg", "RU", ["челябинск", "chelyabinsk", "челяба"]],
  ["Тюмень", "Asia/Yekaterinburg", "RU", ["тюмень", "tyumen"]],
  ["Оренбург", "Asia/Yekaterinburg", "RU", ["оренбург", "orenburg"]],
  ["Сургут", "Asia/Yekaterinburg", "RU", ["сургут", "surgut"]],
  ["Томск", "Asia/Tomsk", "RU", ["томск", "tomsk"]],
  ["Барнаул", "Asia/Barnaul", "RU", ["барнаул", "barnaul"]],
  ["Кемерово", "Asia/Novokuznetsk", "RU", ["кемерово", "kemerovo"]],
  ["Новокузнецк", "Asia/Novokuznetsk", "RU", ["новокузнецк", "novokuznetsk"]],
  ["Норильск", "Asia/Krasnoyarsk", "RU", ["норильск", "norilsk"]],
  ["Улан-Удэ", "Asia/Irkutsk", "RU", ["улан удэ", "ulan ude"]],
  ["Чита", "Asia/Chita", "RU", ["чита", "chita"]],
  ["Благовещенск", "Asia/Yakutsk", "RU", ["благовещенск", "blagoveshchensk"]],
  ["Хабаровск", "Asia/Vladivostok", "RU", ["хабаровск", "khabarovsk"]],
  ["Южно-Сахалинск", "Asia/Sakhalin", "RU", ["южно сахалинск", "сахалин", "yuzhno sakhalinsk"]],
  ["Анадырь", "Asia/Anadyr", "RU", ["анадырь", "чукотка", "anadyr"]],
  ["Мурманск", "Europe/Moscow", "RU", ["мурманск", "murmansk"]],
  ["Архангельск", "Europe/Moscow", "RU", ["архангельск", "arkhangelsk"]],
  ["Ярославль", "Europe/Moscow", "RU", ["ярославль", "yaroslavl"]],
  ["Тула", "Europe/Moscow", "RU", ["тула", "tula"]],
  ["Рязань", "Europe/Moscow", "RU", ["рязань", "ryazan"]],
  ["Тверь", "Europe/Moscow", "RU", ["тверь", "tver"]],
  ["Смоленск", "Europe/Moscow", "RU", ["смоленск", "smolensk"]],
  ["Белгород", "Europe/Moscow", "RU", ["белгород", "belgorod"]],
  ["Курск", "Europe/Moscow", "RU", ["курск", "kursk"]],
  ["Пенза", "Europe/Moscow", "RU", ["пенза", "penza"]],
  ["Махачкала", "Europe/Moscow", "RU", ["махачкала", "makhachkala"]],
  ["Минск", "Europe/Minsk", "BY", ["минск", "мінск", "minsk"]],
  ["Гомель", "Europe/Minsk", "BY", ["гомель", "gomel"]],
  ["Брест", "Europe/Minsk", "BY", ["брест", "brest"]],
  ["Гродно", "Europe/Minsk", "BY", ["гродно", "grodno"]],
  ["Киев", "Europe/Kiev", "UA", ["киев", "київ", "kiev", "kyiv"]],
  ["Харьков", "Europe/Kiev", "UA", ["харьков", "харків", "kharkiv", "kharkov"]],
  ["Одесса", "Europe/Kiev", "UA", ["одесса", "одеса", "odesa", "odessa"]],
  ["Днепр", "Europe/Kiev", "UA", ["днепр", "дніпро", "dnipro"]],
  ["Львов", "Europe/Kiev", "UA", ["львов", "львів", "lviv"]],
  ["Алматы", "Asia/Almaty", "KZ", ["алматы", "алма ата", "almaty"]],
  ["Астана", "Asia/Almaty", "KZ", ["астана", "нур султан", "astana"]],
  ["Шымкент", "Asia/Almaty", "KZ", ["шымкент", "shymkent"]],
  ["Караганда", "Asia/Almaty", "KZ", ["караганда", "karaganda"]],
  ["Актобе", "Asia/Aqtobe", "KZ", ["актобе", "aktobe"]],
  ["Атырау", "Asia/Atyrau", "KZ", ["атырау", "atyrau"]],
  ["Ташкент", "Asia/Tashkent", "UZ", ["ташкент", "tashkent", "toshkent"]],
  ["Самарканд", "Asia/Samarkand", "UZ", ["самарканд", "samarkand"]],
  ["Бишкек", "Asia/Bishkek", "KG", ["бишкек", "bishkek"]],
  ["Душанбе", "Asia/Dushanbe", "TJ", ["душанбе", "dushanbe"]],
  ["Ашхабад", "Asia/Ashgabat", "TM", ["ашхабад", "ashgabat"]],
  ["Ереван", "Asia/Yerevan", "AM", ["ереван", "yerevan"]],
  ["Тбилиси", "Asia/Tbilisi", "GE", ["тбилиси", "tbilisi"]],
  ["Батуми", "Asia/Tbilisi", "GE", ["батуми", "batumi"]],
  ["Баку", "Asia/Baku", "AZ", ["баку", "baku"]],
  ["Кишинёв", "Europe/Chisinau", "MD", ["кишинев", "кишинэу", "chisinau", "kishinev"]],
  ["Рига", "Europe/Riga", "LV", ["рига", "riga"]],
  ["Вильнюс", "Europe/Vilnius", "LT", ["вильнюс", "vilnius"]],
  ["Таллин", "Europe/Tallinn", "EE", ["таллин", "таллинн", "tallinn"]],
  ["Берлин", "Europe/Berlin", "DE", ["берлин", "berlin"]],
  ["Прага", "Europe/Prague", "CZ", ["прага", "prague"]],
  ["Варшава", "Europe/Warsaw", "PL", ["варшава", "warsaw"]],
  ["Белград", "Europe/Belgrade", "RS", ["белград", "belgrade"]],
  ["Лондон", "Europe/London", "GB", ["лондон", "london"]],
  ["Париж", "Europe/Paris", "FR", ["париж", "paris"]],
  ["Стамбул", "Europe/Istanbul", "TR", ["стамбул", "istanbul"]],
  ["Анталья", "Europe/Istanbul", "TR", ["анталья", "анталия", "antalya"]],
  ["Тель-Авив", "Asia/Jerusalem", "IL", ["тель авив", "израиль", "tel aviv"]],
  ["Лимасол", "Asia/Nicosia", "CY", ["лимасол", "limassol", "никосия", "nicosia", "кипр", "cyprus"]],
  ["Дубай", "Asia/Dubai", "AE", ["дубай", "dubai"]],
  ["Бангкок", "Asia/Bangkok", "TH", ["бангкок", "пхукет", "таиланд", "bangkok", "phuket"]],
  ["Нью-Йорк", "America/New_York", "US", ["нью йорк", "new york"]],
  ["Лос-Анджелес", "America/Los_Angeles", "US", ["лос анджелес", "los angeles"]],
];

/** Lower case, ё→е, NFC, punctuation and hyphens to spaces, single spaces, without «г.»/«город». */
export function normalizePlace(input: string): string {
  return input
    .normalize("NFC")
    .toLowerCase()
    .replace(/ё/g, "е")
    .replace(/[\s\-–—_.,;:!?'"«»()]+/gu, " ")
    .trim()
    .replace(/^(?:г|гор|город|city)\s+/u, "")
    .trim();
}

/** Free-text place names (normalised) to their city. */
export const CITY_ALIASES: ReadonlyMap<string, CityZone> = (() => {
  const map = new Map<string, CityZone>();
  for (const [label, zone, country, aliases] of ALIAS_ROWS) {
    const city = { label, zone, country };
    for (const alias of [label, ...aliases]) map.set(normalizePlace(alias), city);
  }
  return map;
})();

/** IANA links that ICU versions canonicalise differently, so labels are found either way. */
const ZONE_LINKS: Record<string, string> = {
  "Europe/Kyiv": "Europe/Kiev",
  "Asia/Kolkata": "Asia/Calcutta",
  "Asia/Kathmandu": "Asia/Katmandu",
  "Asia/Yangon": "Asia/Rangoon",
  "Asia/Ho_Chi_Minh": "Asia/Saigon",
  "Etc/UTC": "UTC",
};

const canonicalLink = (zone: string) => ZONE_LINKS[zone] ?? zone;

const cityByZone = (() => {
  const map = new Map<string, CityZone>();
  for (const city of [...CITY_ZONES, ...CITY_ALIASES.values()]) {
    if (!map.has(canonicalLink(city.zone))) map.set(canonicalLink(city.zone), city);
  }
  return map;
})();

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The zone's canonical name when ICU knows it, else null. */
export function canonicalZone(zone: string): string | null {
  try {
    return new Intl.DateTimeFormat(undefined, { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

export function isValidTimeZone(zone: string): boolean {
  return canonicalZone(zone) !== null;
}

/** Minutes east of UTC in `zone` at the instant `at` (Moscow: 180). Throws RangeError for an unknown zone. */
export function utcOffsetMinutes(zone: string, at: Date): number {
  const parts = formatterFor(zone).formatToParts(at);
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  const instant = Math.floor(at.getTime() / 1000) * 1000;
  return Math.round((wall - instant) / 60_000);
}

/** «UTC+3», «UTC-4», «UTC+5:30», «UTC+0». */
export function formatUtcOffset(minutes: number): string {
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(minutes);
  const h = Math.floor(abs / 60);
  const m = abs % 60;
  return `UTC${sign}${h}${m ? `:${String(m).padStart(2, "0")}` : ""}`;
}

const isFixedOffsetZone = (zone: string) =>
  zone === "UTC" || /^Etc\/(?:GMT|UTC|UCT|Universal|Zulu)/.test(zone);

/** «Москва (UTC+3)»; a zone without a known city shows its IANA name; fixed offsets show as «UTC+5». */
export function formatZone(zone: string, at: Date): string {
  const offset = formatUtcOffset(utcOffsetMinutes(zone, at));
  const canonical = canonicalZone(zone) ?? zone;
  if (isFixedOffsetZone(canonical)) return offset;
  const city = cityByZone.get(canonicalLink(canonical)) ?? cityByZone.get(canonicalLink(zone));
  return `${city ? city.label : zone} (${offset})`;
}

export type ParsedTimeZone =
  | { ok: true; zone: string; label: string; country?: string }
  | { ok: false; reason: "unknown" | "empty" };

const MIN_OFFSET_MINUTES = -12 * 60;
const MAX_OFFSET_MINUTES = 14 * 60;

/**
 * Real zones without daylight saving for the fractional offsets people do have. Used only when the
 * zone's offset at `now` equals the requested one.
 */
const FRACTIONAL_OFFSET_ZONES: Record<number, string> = {
  [3 * 60 + 30]: "Asia/Tehran",
  [4 * 60 + 30]: "Asia/Kabul",
  [5 * 60 + 30]: "Asia/Kolkata",
  [5 * 60 + 45]: "Asia/Kathmandu",
  [6 * 60 + 30]: "Asia/Yangon",
  [9 * 60 + 30]: "Australia/Darwin",
  [-(9 * 60 + 30)]: "Pacific/Marquesas",
};

// «UTC+3», «GMT +05:30», «+3», «-4», «UTC−3», «МСК+4», «MSK-1», «utc 3».
const OFFSET = /^(utc|gmt|мск|msk)?\s*([+\-−–])?\s*(\d{1,2})(?:[:.]?(\d{2}))?$/u;
const IANA_SHAPE = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+){0,2}$/;
const MAX_INPUT_LENGTH = 100;

function zoneForOffset(minutes: number, now: Date): string | null {
  if (minutes < MIN_OFFSET_MINUTES || minutes > MAX_OFFSET_MINUTES) return null;
  if (minutes === 0) return "UTC";
  if (minutes % 60 === 0) {
    // POSIX sign convention: Etc/GMT-3 is three hours AHEAD of UTC.
    const hours = minutes / 60;
    return `Etc/GMT${hours > 0 ? "-" : "+"}${Math.abs(hours)}`;
  }
  const zone = FRACTIONAL_OFFSET_ZONES[minutes];
  if (zone && isValidTimeZone(zone) && utcOffsetMinutes(zone, now) === minutes) return canonicalZone(zone);
  return null;
}

function parseOffset(text: string, now: Date): ParsedTimeZone | null {
  const compact = text.toLowerCase().replace(/\s+/g, " ");
  const m = OFFSET.exec(compact);
  if (!m) return null;
  const [, prefix, sign, hoursText, minutesText] = m;
  // A bare number («3») is too ambiguous; a sign or a prefix must say it is an offset.
  if (!prefix && !sign) return null;
  const hours = Number(hoursText);
  const mins = minutesText === undefined ? 0 : Number(minutesText);
  if (mins >= 60) return { ok: false, reason: "unknown" };
  const magnitude = hours * 60 + mins;
  let minutes = sign === "-" || sign === "−" || sign === "–" ? -magnitude : magnitude;
  if (prefix === "мск" || prefix === "msk") minutes += utcOffsetMinutes("Europe/Moscow", now);
  const zone = zoneForOffset(minutes, now);
  if (!zone) return { ok: false, reason: "unknown" };
  return { ok: true, zone, label: formatUtcOffset(minutes) };
}

/**
 * Understands what a person types for their time zone: a city (any case, ё or е, with or without
 * «г.»), an IANA name (returned in ICU's canonical form), or a UTC offset. Whole-hour offsets map to
 * `Etc/GMT∓N` (inverted sign), a few fractional ones to a real zone; the rest, and anything outside
 * UTC−12…UTC+14, is "unknown". `now` decides fractional-offset zones and «МСК±N».
 */
export function parseTimeZone(input: string, now: Date): ParsedTimeZone {
  const trimmed = input.normalize("NFC").trim();
  if (trimmed === "") return { ok: false, reason: "empty" };
  if (trimmed.length > MAX_INPUT_LENGTH) return { ok: false, reason: "unknown" };

  const city = CITY_ALIASES.get(normalizePlace(trimmed));
  if (city) return { ok: true, zone: city.zone, label: city.label, country: city.country };

  const offset = parseOffset(trimmed, now);
  if (offset) return offset;

  if (IANA_SHAPE.test(trimmed)) {
    const zone = canonicalZone(trimmed);
    if (zone && !zone.startsWith("+") && !zone.startsWith("-")) {
      if (isFixedOffsetZone(zone))
        return { ok: true, zone, label: formatUtcOffset(utcOffsetMinutes(zone, now)) };
      const known = cityByZone.get(canonicalLink(zone));
      return known
        ? { ok: true, zone, label: known.label, country: known.country }
        : { ok: true, zone, label: zone };
    }
  }
  return { ok: false, reason: "unknown" };
}
