import { describe, expect, it } from "vitest";
import {
  CITY_ALIASES,
  CITY_ZONES,
  canonicalZone,
  formatUtcOffset,
  formatZone,
  parseTimeZone,
  utcOffsetMinutes,
} from "../../../src/domain/timezone.ts";

const WINTER = new Date("2026-01-15T12:00:00Z");
const SUMMER = new Date("2026-07-15T12:00:00Z");

/** Offset from scratch with the «longOffset» time-zone name, independent of the module's method. */
function offsetByName(zone: string, at: Date): number {
  const name =
    new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" })
      .formatToParts(at)
      .find((p) => p.type === "timeZoneName")?.value ?? "";
  const m = /^GMT(?:([+-])(\d{2}):(\d{2}))?$/.exec(name);
  if (!m) throw new Error(`unexpected offset name ${name}`);
  if (!m[1]) return 0;
  return (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

describe("CITY_ZONES", () => {
  const required = [
    "Москва",
    "Санкт-Петербург",
    "Калининград",
    "Самара",
    "Екатеринбург",
    "Омск",
    "Новосибирск",
    "Красноярск",
    "Иркутск",
    "Якутск",
    "Владивосток",
    "Магадан",
    "Камчатка",
    "Минск",
    "Киев",
    "Алматы",
    "Астана",
    "Ташкент",
    "Бишкек",
    "Душанбе",
    "Ереван",
    "Тбилиси",
    "Баку",
    "Кишинёв",
    "Рига",
    "Вильнюс",
    "Таллин",
  ];

  it("has every required city once", () => {
    expect(CITY_ZONES.map((c) => c.label).sort()).toEqual([...required].sort());
  });

  it.each(CITY_ZONES.map((c) => [c.label, c.zone, c.country]))(
    "%s: %s is accepted by Intl as written, country %s is alpha-2",
    (_label, zone, country) => {
      expect(() => new Intl.DateTimeFormat(undefined, { timeZone: zone })).not.toThrow();
      expect(canonicalZone(zone)).toBe(zone);
      expect(country).toMatch(/^[A-Z]{2}$/);
    },
  );

  it.each([
    ["Москва", 180, 180],
    ["Калининград", 120, 120],
    ["Самара", 240, 240],
    ["Екатеринбург", 300, 300],
    ["Новосибирск", 420, 420],
    ["Владивосток", 600, 600],
    ["Камчатка", 720, 720],
    ["Минск", 180, 180],
    ["Киев", 120, 180],
    ["Кишинёв", 120, 180],
    ["Рига", 120, 180],
    ["Ереван", 240, 240],
    ["Тбилиси", 240, 240],
  ])("%s is UTC%+i min in winter and %+i min in summer", (label, winter, summer) => {
    const zone = CITY_ZONES.find((c) => c.label === label)!.zone;
    expect(utcOffsetMinutes(zone, WINTER)).toBe(winter);
    expect(utcOffsetMinutes(zone, SUMMER)).toBe(summer);
  });
});

describe("CITY_ALIASES", () => {
  it("has at least 80 entries, each with a valid zone and country", () => {
    expect(CITY_ALIASES.size).toBeGreaterThanOrEqual(80);
    for (const [alias, city] of CITY_ALIASES) {
      expect(canonicalZone(city.zone), alias).not.toBeNull();
      expect(city.country, alias).toMatch(/^[A-Z]{2}$/);
    }
  });

  it("names the same zone as the button for every button city", () => {
    for (const city of CITY_ZONES) {
      const parsed = parseTimeZone(city.label, WINTER);
      expect(parsed).toEqual({ ok: true, zone: city.zone, label: city.label, country: city.country });
    }
  });
});

describe("utcOffsetMinutes", () => {
  const zones = [...new Set([...CITY_ZONES, ...CITY_ALIASES.values()].map((c) => c.zone))];
  const instants = [
    WINTER,
    SUMMER,
    new Date("2026-03-29T00:59:59Z"),
    new Date("2026-03-29T01:00:00Z"),
    new Date("2026-10-25T00:30:00Z"),
  ];

  it("agrees with Intl's offset names for every known zone at several instants", () => {
    for (const zone of [
      ...zones,
      "Asia/Kolkata",
      "Asia/Kathmandu",
      "America/St_Johns",
      "Etc/GMT-5",
      "Etc/GMT+12",
      "UTC",
    ]) {
      for (const at of instants)
        expect(utcOffsetMinutes(zone, at), `${zone} ${at.toISOString()}`).toBe(offsetByName(zone, at));
    }
  });

  it.each([
    // Moldova switches at 00:00 UTC (02:00 local in spring, 03:00 in autumn), an hour before the EU.
    ["Europe/Chisinau", "2026-03-28T23:59:59Z", 120],
    ["Europe/Chisinau", "2026-03-29T00:00:00Z", 180],
    ["Europe/Chisinau", "2026-10-24T23:59:59Z", 180],
    ["Europe/Chisinau", "2026-10-25T00:00:00Z", 120],
    ["Europe/Riga", "2026-03-29T00:59:59Z", 120],
    ["Europe/Riga", "2026-03-29T01:00:00Z", 180],
    ["Etc/GMT-5", "2026-01-01T00:00:00Z", 300],
    ["Etc/GMT+4", "2026-01-01T00:00:00Z", -240],
    ["Asia/Kolkata", "2026-01-01T00:00:00.999Z", 330],
    ["America/New_York", "2026-01-01T00:00:00Z", -300],
  ])("%s at %s is %i", (zone, iso, minutes) => expect(utcOffsetMinutes(zone, new Date(iso))).toBe(minutes));

  it("throws for an unknown zone", () => {
    expect(() => utcOffsetMinutes("Mars/Olympus", WINTER)).toThrow(RangeError);
  });
});

describe("parseTimeZone: cities", () => {
  it.each([
    ["Москва", "Europe/Moscow", "Москва", "RU"],
    ["  москва  ", "Europe/Moscow", "Москва", "RU"],
    ["МОСКВА", "Europe/Moscow", "Москва", "RU"],
    ["г. Москва", "Europe/Moscow", "Москва", "RU"],
    ["г.Москва", "Europe/Moscow", "Москва", "RU"],
    ["город Москва", "Europe/Moscow", "Москва", "RU"],
    ["мск", "Europe/Moscow", "Москва", "RU"],
    ["Moscow", "Europe/Moscow", "Москва", "RU"],
    ["спб", "Europe/Moscow", "Санкт-Петербург", "RU"],
    ["Питер", "Europe/Moscow", "Санкт-Петербург", "RU"],
    ["санкт петербург", "Europe/Moscow", "Санкт-Петербург", "RU"],
    ["St. Petersburg", "Europe/Moscow", "Санкт-Петербург", "RU"],
    ["нск", "Asia/Novosibirsk", "Новосибирск", "RU"],
    ["екб", "Asia/Yekaterinburg", "Екатеринбург", "RU"],
    ["Ёбург", "Asia/Yekaterinburg", "Екатеринбург", "RU"],
    ["Кишинев", "Europe/Chisinau", "Кишинёв", "MD"],
    ["кишинёв", "Europe/Chisinau", "Кишинёв", "MD"],
    ["Kyiv", "Europe/Kiev", "Киев", "UA"],
    ["Алма-Ата", "Asia/Almaty", "Алматы", "KZ"],
    ["Нур-Султан", "Asia/Almaty", "Астана", "KZ"],
    ["ростов-на-дону", "Europe/Moscow", "Ростов-на-Дону", "RU"],
    ["Южно-Сахалинск", "Asia/Sakhalin", "Южно-Сахалинск", "RU"],
    ["Петропавловск-Камчатский", "Asia/Kamchatka", "Камчатка", "RU"],
    ["Уфа", "Asia/Yekaterinburg", "Уфа", "RU"],
    ["Тель-Авив", "Asia/Jerusalem", "Тель-Авив", "IL"],
  ])("%j → %s", (input, zone, label, country) => {
    expect(parseTimeZone(input, WINTER)).toEqual({ ok: true, zone, label, country });
  });
});

describe("parseTimeZone: IANA names", () => {
  it.each([
    ["Europe/Moscow", "Europe/Moscow", "Москва", "RU"],
    ["europe/moscow", "Europe/Moscow", "Москва", "RU"],
    ["ASIA/VLADIVOSTOK", "Asia/Vladivostok", "Владивосток", "RU"],
    ["Europe/Berlin", "Europe/Berlin", "Берлин", "DE"],
    ["America/Sao_Paulo", "America/Sao_Paulo", "America/Sao_Paulo", undefined],
  ])("%j → %s", (input, zone, label, country) => {
    const parsed = parseTimeZone(input, WINTER);
    expect(parsed).toEqual(country ? { ok: true, zone, label, country } : { ok: true, zone, label });
  });

  it("returns ICU's canonical name for a link and finds its city", () => {
    const parsed = parseTimeZone("Europe/Kyiv", WINTER);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(canonicalZone(parsed.zone)).toBe(parsed.zone);
    expect(utcOffsetMinutes(parsed.zone, SUMMER)).toBe(180);
    expect(parsed.label).toBe("Киев");
  });

  it.each([["UTC"], ["utc"], ["Etc/UTC"], ["GMT"]])("%j is UTC+0", (input) => {
    const parsed = parseTimeZone(input, WINTER);
    expect(parsed.ok && utcOffsetMinutes(parsed.zone, WINTER)).toBe(0);
    expect(parsed.ok && parsed.label).toBe("UTC+0");
  });
});

describe("parseTimeZone: offsets", () => {
  it.each([
    ["UTC+3", "Etc/GMT-3", 180],
    ["utc +3", "Etc/GMT-3", 180],
    ["GMT+3", "Etc/GMT-3", 180],
    ["UTC-4", "Etc/GMT+4", -240],
    ["UTC−4", "Etc/GMT+4", -240],
    ["+3", "Etc/GMT-3", 180],
    ["-4", "Etc/GMT+4", -240],
    ["+03:00", "Etc/GMT-3", 180],
    ["UTC+14", "Etc/GMT-14", 840],
    ["UTC-12", "Etc/GMT+12", -720],
    ["UTC 5", "Etc/GMT-5", 300],
    ["UTC+0", "UTC", 0],
    ["МСК+4", "Etc/GMT-7", 420],
    ["мск -1", "Etc/GMT-2", 120],
    ["MSK+9", "Etc/GMT-12", 720],
  ])("%j → %s", (input, zone, minutes) => {
    const parsed = parseTimeZone(input, WINTER);
    expect(parsed).toEqual({ ok: true, zone, label: formatUtcOffset(minutes) });
    if (parsed.ok) expect(utcOffsetMinutes(parsed.zone, SUMMER)).toBe(minutes);
  });

  it.each([
    ["GMT+05:30", 330],
    ["+0530", 330],
    ["UTC+5:45", 345],
    ["UTC+3:30", 210],
  ])("%j maps to a real zone with that offset", (input, minutes) => {
    const parsed = parseTimeZone(input, WINTER);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.zone.startsWith("Etc/")).toBe(false);
    expect(utcOffsetMinutes(parsed.zone, WINTER)).toBe(minutes);
    expect(parsed.label).toBe(formatUtcOffset(minutes));
  });

  it("the sign of Etc zones really is inverted", () => {
    const parsed = parseTimeZone("UTC+5", WINTER);
    expect(parsed.ok && parsed.zone).toBe("Etc/GMT-5");
    expect(offsetByName("Etc/GMT-5", WINTER)).toBe(300);
  });
});

describe("parseTimeZone rejects", () => {
  it.each([
    ["", "empty"],
    ["   ", "empty"],
    ["\n\t", "empty"],
    ["UTC+15", "unknown"],
    ["UTC-13", "unknown"],
    ["UTC+3:60", "unknown"],
    ["UTC+3:15", "unknown"],
    ["UTC+1:30", "unknown"],
    ["МСК+12", "unknown"],
    ["3", "unknown"],
    ["+", "unknown"],
    ["UTC+", "unknown"],
    ["Мордор", "unknown"],
    ["Mars/Olympus", "unknown"],
    ["Europe/Moskow", "unknown"],
    ["Europe/../etc/passwd", "unknown"],
    ["+03:00:00", "unknown"],
    ["москва москва", "unknown"],
    ["\u202EМосква", "unknown"],
    ["а".repeat(10_000), "unknown"],
    ["Europe/Moscow".repeat(1_000), "unknown"],
  ])("%j → %s", (input, reason) => {
    expect(parseTimeZone(input, WINTER)).toEqual({ ok: false, reason });
  });
});

describe("formatZone", () => {
  it.each([
    ["Europe/Moscow", WINTER, "Москва (UTC+3)"],
    ["Asia/Vladivostok", WINTER, "Владивосток (UTC+10)"],
    ["Europe/Kaliningrad", SUMMER, "Калининград (UTC+2)"],
    ["Europe/Chisinau", WINTER, "Кишинёв (UTC+2)"],
    ["Europe/Chisinau", SUMMER, "Кишинёв (UTC+3)"],
    ["Asia/Almaty", WINTER, "Алматы (UTC+5)"],
    ["Europe/Berlin", SUMMER, "Берлин (UTC+2)"],
    ["America/New_York", WINTER, "Нью-Йорк (UTC-5)"],
    ["America/Sao_Paulo", WINTER, "America/Sao_Paulo (UTC-3)"],
    ["Asia/Kolkata", WINTER, "Asia/Kolkata (UTC+5:30)"],
    ["Etc/GMT-5", WINTER, "UTC+5"],
    ["Etc/GMT+4", WINTER, "UTC-4"],
    ["UTC", WINTER, "UTC+0"],
  ])("%s at %s → %s", (zone, at, text) => expect(formatZone(zone, at)).toBe(text));

  it("formats every parsed city as «label (UTC±N)»", () => {
    for (const city of CITY_ZONES) {
      const label = formatZone(city.zone, WINTER);
      expect(label).toMatch(/^[А-ЯЁ][а-яё-]+(?:-[А-ЯЁа-яё]+)? \(UTC[+-]\d{1,2}\)$/);
    }
  });
});
