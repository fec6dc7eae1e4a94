import { describe, expect, it } from "vitest";
import {
  AVATAR_EMOJI,
  allPseudonyms,
  avatarFor,
  generatePseudonyms,
  graphemeCount,
  type NicknameRejection,
  PSEUDONYM_ADJECTIVE_COUNT,
  PSEUDONYM_COMBINATIONS,
  PSEUDONYM_NOUN_COUNT,
  validateNickname,
} from "../../../src/domain/nickname.ts";

/** Deterministic [0, 1) source, so failures reproduce. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe("validateNickname accepts and normalises", () => {
  const accepted: Array<[string, string, string]> = [
    ["plain Cyrillic", "Аня", "Аня"],
    ["two letters", "Ян", "Ян"],
    ["trimmed and inner spaces collapsed", "  Тихий    Ёж  ", "Тихий Ёж"],
    ["tabs and line breaks collapse to a space", "Тихий\t\nЁж", "Тихий Ёж"],
    ["non-breaking and ideographic spaces", "Тихий\u00A0\u3000Ёж", "Тихий Ёж"],
    ["Latin", "Quiet_Fox-7", "Quiet_Fox-7"],
    ["Latin and Cyrillic mixed", "Лис Fox", "Лис Fox"],
    ["four digits are fine", "Ёж 2024", "Ёж 2024"],
    ["Ukrainian", "Їжачок", "Їжачок"],
    ["Kazakh", "Қасқыр", "Қасқыр"],
    ["Georgian", "ზღარბი", "ზღარბი"],
    ["Armenian", "Ոզնի", "Ոզնի"],
    ["Hebrew letters (RTL script, no marks)", "קיפוד", "קיפוד"],
    ["Arabic letters", "قنفذ", "قنفذ"],
    ["Hindi with combining marks", "साही", "साही"],
    ["decomposed й is composed (NFC)", "Ии\u0306", "Ий"],
    ["decomposed ё is composed (NFC)", "Е\u0308ж", "Ёж"],
    ["exactly 32 characters", "Я".repeat(32), "Я".repeat(32)],
    ["32 graphemes with marks, more code units", "и\u0306".repeat(32), "й".repeat(32)],
    ["32 graphemes of astral letters", "𐐀".repeat(32), "𐐀".repeat(32)],
    ["contains «бадминтон», not «админ»", "Бадминтон Ёж", "Бадминтон Ёж"],
    ["Latin badminton", "BadmintonFan", "BadmintonFan"],
    ["word containing «мод»", "Модный Кот", "Модный Кот"],
  ];

  it.each(accepted)("%s", (_name, raw, value) => {
    expect(validateNickname(raw)).toEqual({ ok: true, value });
  });
});

describe("validateNickname rejects with a precise reason", () => {
  const rejected: Array<[string, string, NicknameRejection]> = [
    ["empty", "", "too_short"],
    ["blank", "   \t ", "too_short"],
    ["one letter", "Я", "too_short"],
    ["one letter after trimming", "  Я  ", "too_short"],
    ["one grapheme made of two code points", "и\u0306", "too_short"],
    ["33 letters", "Я".repeat(33), "too_long"],
    ["33 graphemes with marks", "й".normalize("NFD").repeat(33), "too_long"],
    ["10 000 characters", "а".repeat(10_000), "too_long"],
    ["10 000 characters of junk", "!@#$".repeat(2_500), "too_long"],
    // invisible characters, checked before anything else
    ["zero-width space", "Ё\u200Bж", "invisible"],
    ["zero-width non-joiner", "Ё\u200Cж", "invisible"],
    ["zero-width joiner", "Ё\u200Dж", "invisible"],
    ["LRM", "\u200EЁж", "invisible"],
    ["RLM", "Ёж\u200F", "invisible"],
    ["word joiner", "Ё\u2060ж", "invisible"],
    ["invisible plus", "Ё\u2064ж", "invisible"],
    ["BOM at the start (trim would hide it)", "\uFEFFЁж", "invisible"],
    ["RLO override", "\u202EжЁ", "invisible"],
    ["LRE embedding", "\u202AЁж", "invisible"],
    ["RLI isolate", "\u2067Ёж\u2069", "invisible"],
    ["Arabic letter mark", "\u061Cقنفذ", "invisible"],
    ["NUL", "Ёж\u0000", "invisible"],
    ["escape", "\u001B[31mЁж", "invisible"],
    ["DEL", "Ёж\u007F", "invisible"],
    ["C1 control", "Ёж\u0085", "invisible"],
    ["soft hyphen", "Ё\u00ADж", "invisible"],
    ["Hangul filler (blank letter)", "\u3164\u3164", "invisible"],
    ["braille blank", "\u2800\u2800", "invisible"],
    ["variation selector", "Ёж\uFE0F", "invisible"],
    ["tag character", "Ёж\u{E0041}", "invisible"],
    ["invisible beats too_long", `${"а".repeat(100)}\u200B`, "invisible"],
    // contacts
    ["domain", "site.ru", "link"],
    ["obfuscated domain", "ivan dot ru", "link"],
    ["t.me link", "t.me/ivan", "link"],
    ["e-mail", "ivan@mail.ru", "link"],
    ["at sign", "@ivan_petrov", "at_sign"],
    ["at sign inside", "Ёж@Лес", "at_sign"],
    ["fullwidth at sign", "Ёж＠Лес", "at_sign"],
    ["phone", "Ёж 89991234567", "phone"],
    ["five digits", "Ёж12345", "phone"],
    ["five digits spread out", "1Ё2ж3 4-5", "phone"],
    ["five non-ASCII digits", "Ёж ٠١٢٣٤", "phone"],
    // characters
    ["emoji", "Ёж 🦔", "bad_chars"],
    ["punctuation", "Ёж!", "bad_chars"],
    ["dot", "Ё.ж", "bad_chars"],
    ["brackets", "(Ёж)", "bad_chars"],
    ["math symbol", "Ёж+", "bad_chars"],
    ["only separators", "__--", "bad_chars"],
    ["only digits", "2024", "bad_chars"],
    ["Zalgo text", "Ё\u0301\u0302\u0303\u0304ж", "bad_chars"],
    ["mark after a space", "Ёж \u0301x", "bad_chars"],
    // impersonation
    ["модератор", "Модератор", "reserved"],
    ["админ", "админ", "reserved"],
    ["админ inside", "ГлавныйАдмин", "reserved"],
    ["администрация", "Администрация бота", "reserved"],
    ["поддержка", "Служба поддержки", "reserved"],
    ["service name", "Ты не один", "reserved"],
    ["service name, other spacing", "ты_не-одна", "reserved"],
    ["service name transliterated", "Ty ne odin", "reserved"],
    ["admin", "Admin", "reserved"],
    ["ADMIN capitals", "ADMIN", "reserved"],
    ["moderator", "moderator_1", "reserved"],
    ["support", "Support Team", "reserved"],
    ["Latin look-alikes in Cyrillic word", "Aдмин", "reserved"],
    ["Latin look-alikes in «модератор»", "MOДEPATOP", "reserved"],
    ["Cyrillic look-alikes in «admin»", "аdmin", "reserved"],
    ["Cyrillic look-alikes in «support»", "suррort", "reserved"],
    ["digit look-alikes", "adm1n", "reserved"],
    ["fullwidth letters", "ａｄｍｉｎ", "reserved"],
    ["mathematical bold letters", "𝐬𝐮𝐩𝐩𝐨𝐫𝐭", "reserved"],
    ["l for i", "admln", "reserved"],
    ["short form as the whole name", "Мод", "reserved"],
    ["short Latin form", "mod", "reserved"],
    ["bot", "Бот", "reserved"],
    ["official", "Официальный", "reserved"],
  ];

  it.each(rejected)("%s", (_name, raw, reason) => {
    expect(validateNickname(raw)).toEqual({ ok: false, reason });
  });
});

describe("graphemeCount", () => {
  it.each([
    ["", 0],
    ["Ёж", 2],
    ["й", 1],
    ["и\u0306", 1],
    ["👨‍👩‍👧", 1],
    ["🇷🇺", 1],
    ["𐐀𐐀", 2],
  ])("%j has %i graphemes", (text, n) => expect(graphemeCount(text)).toBe(n));
});

describe("generatePseudonyms", () => {
  it("has at least 40 adjectives and 60 nouns", () => {
    expect(PSEUDONYM_ADJECTIVE_COUNT).toBeGreaterThanOrEqual(40);
    expect(PSEUDONYM_NOUN_COUNT).toBeGreaterThanOrEqual(60);
    expect(PSEUDONYM_COMBINATIONS).toBe(PSEUDONYM_ADJECTIVE_COUNT * PSEUDONYM_NOUN_COUNT);
  });

  it("suggests calm names of nature and things: nothing playful, no animals", () => {
    const all = allPseudonyms();
    for (const playful of ["Весёлый", "Весёлая", "Озорной", "Шустрая", "Бодрый"]) {
      expect(
        all.some((n) => n.startsWith(`${playful} `)),
        playful,
      ).toBe(false);
    }
    for (const animal of ["Дельфин", "Ёж", "Лиса", "Попугай", "Кот"]) {
      expect(
        all.some((n) => n.endsWith(` ${animal}`)),
        animal,
      ).toBe(false);
    }
  });

  it("every possible pseudonym is distinct and passes validateNickname unchanged", () => {
    const all = allPseudonyms();
    expect(new Set(all).size).toBe(all.length);
    for (const name of all) expect(validateNickname(name)).toEqual({ ok: true, value: name });
  });

  it("adjectives agree with the noun's gender", () => {
    const names = allPseudonyms();
    const feminine = ["Ива", "Гавань", "Ель", "Сосна", "Свеча", "Тропа", "Капля"];
    const masculine = ["Клён", "Ветер", "Камень", "Месяц", "Ручей", "Колокольчик", "Мох"];
    for (const name of names) {
      const [adjective, noun] = name.split(" ");
      expect(adjective).toMatch(/^[А-ЯЁ][а-яё]+$/);
      if (feminine.includes(noun!)) expect(adjective, name).toMatch(/(ая|яя)$/);
      if (masculine.includes(noun!)) expect(adjective, name).toMatch(/(ый|ий|ой)$/);
    }
    expect(names).toContain("Тихий Клён");
    expect(names).toContain("Добрая Гавань");
    expect(names).toContain("Искренняя Ива");
    expect(names).toContain("Осенний Лист");
  });

  it.each([0, 1, 5, 100])("returns %i distinct names", (count) => {
    const names = generatePseudonyms(count, seeded(count + 1));
    expect(names).toHaveLength(count);
    expect(new Set(names).size).toBe(count);
  });

  it("can return every combination exactly once", () => {
    const names = generatePseudonyms(PSEUDONYM_COMBINATIONS, seeded(7));
    expect(new Set(names)).toEqual(new Set(allPseudonyms()));
  });

  it("is deterministic for the same random source and varies with it", () => {
    expect(generatePseudonyms(10, seeded(1))).toEqual(generatePseudonyms(10, seeded(1)));
    expect(generatePseudonyms(10, seeded(1))).not.toEqual(generatePseudonyms(10, seeded(2)));
  });

  it("stays distinct with a degenerate random source", () => {
    for (const value of [0, 0.999999999, 1, -1, Number.NaN]) {
      const names = generatePseudonyms(50, () => value);
      expect(new Set(names).size, String(value)).toBe(50);
    }
  });

  it("spreads over adjectives and nouns", () => {
    const names = generatePseudonyms(400, seeded(3));
    const adjectives = new Set(names.map((n) => n.split(" ")[0]!.slice(0, -2)));
    const nouns = new Set(names.map((n) => n.split(" ")[1]));
    expect(adjectives.size).toBeGreaterThan(PSEUDONYM_ADJECTIVE_COUNT * 0.8);
    expect(nouns.size).toBeGreaterThan(PSEUDONYM_NOUN_COUNT * 0.8);
  });

  it.each([-1, 1.5, Number.NaN, PSEUDONYM_COMBINATIONS + 1])("rejects count %s", (count) => {
    expect(() => generatePseudonyms(count, Math.random)).toThrow(RangeError);
  });
});

describe("avatarFor", () => {
  it("offers at least 30 distinct emoji", () => {
    expect(new Set(AVATAR_EMOJI).size).toBeGreaterThanOrEqual(30);
    expect(AVATAR_EMOJI.length).toBe(new Set(AVATAR_EMOJI).size);
  });

  it.each([
    ["Тихий Ёж", "🦔"],
    ["тихий ёж", "🦔"],
    ["Тихий Еж", "🦔"],
    ["Добрая Сова", "🦉"],
    ["Рыжий Лис", "🦊"],
    ["Смелая Лиса", "🦊"],
    ["Кит_Синий", "🐋"],
    ["  Мудрая   Черепаха ", "🐢"],
    ["Ласковая Кошка", "🐈"],
  ])("%s → %s (an animal of earlier suggestions keeps its emoji)", (name, emoji) =>
    expect(avatarFor(name)).toBe(emoji),
  );

  it("uses the noun's emoji for every generated pseudonym", () => {
    for (const name of allPseudonyms()) expect(AVATAR_EMOJI).toContain(avatarFor(name));
    expect(avatarFor("Тихий Клён")).toBe("🍁");
    expect(avatarFor("Тёплая Свеча")).toBe("🕯️");
    expect(avatarFor("Весёлый Пингвин")).toBe("🐧");
  });

  it("is stable and within the set for other names", () => {
    const names = ["Аня", "Quiet_Fox", "Ёжик", "Мечтатель", "ზღარბი", "Ян 2024", "x".repeat(32)];
    for (const name of names) {
      const emoji = avatarFor(name);
      expect(AVATAR_EMOJI).toContain(emoji);
      expect(avatarFor(name)).toBe(emoji);
      expect(avatarFor(`  ${name}  `)).toBe(emoji);
    }
  });

  it("spreads hashed names over many emoji", () => {
    const emoji = new Set(Array.from({ length: 500 }, (_, i) => avatarFor(`Человек ${i}`)));
    expect(emoji.size).toBeGreaterThanOrEqual(25);
  });
});
