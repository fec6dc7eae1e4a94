import { describe, expect, it } from "vitest";
import {
  findPersonalData,
  hasPersonalData,
  isLuhnValid,
  type PersonalDataKind,
} from "../../../src/domain/pii.ts";

const found = (text: string) => findPersonalData(text).map((m) => [m.kind, text.slice(m.start, m.end)]);

/** Check digit computed from scratch here, so card tests do not trust the module's Luhn. */
function withCheckDigit(body: string): string {
  for (let d = 0; d <= 9; d++) {
    const digits = body + d;
    let sum = 0;
    for (let i = 0; i < digits.length; i++) {
      let v = Number(digits[digits.length - 1 - i]);
      if (i % 2 === 1) v = v * 2 > 9 ? v * 2 - 9 : v * 2;
      sum += v;
    }
    if (sum % 10 === 0) return digits;
  }
  throw new Error("unreachable");
}
const wrongCheckDigit = (valid: string) => valid.slice(0, -1) + ((Number(valid.at(-1)) + 1) % 10);
const groupsOf4 = (digits: string) => digits.replace(/(\d{4})(?=\d)/g, "$1 ");

describe("findPersonalData finds contacts", () => {
  const cases: Array<[string, string, PersonalDataKind, string]> = [
    // phones
    ["RU international, spaced and dashed", "звони +7 999 123-45-67 вечером", "phone", "+7 999 123-45-67"],
    ["RU with 8 and brackets", "мой 8(999)1234567", "phone", "8(999)1234567"],
    ["RU bare 11 digits", "89991234567", "phone", "89991234567"],
    ["RU bare with 7", "79991234567", "phone", "79991234567"],
    ["RU mobile without prefix", "номер 999 123 45 67!", "phone", "999 123 45 67"],
    ["RU dotted", "8.999.123.45.67", "phone", "8.999.123.45.67"],
    ["RU landline with area code", "(495) 123-45-67", "phone", "(495) 123-45-67"],
    ["RU toll-free", "8 800 555 35 35", "phone", "8 800 555 35 35"],
    ["RU +7 brackets", "+7(912)345-67-89.", "phone", "+7(912)345-67-89"],
    ["Belarus", "+375 29 123 45 67", "phone", "+375 29 123 45 67"],
    ["Belarus without plus", "375291234567", "phone", "375291234567"],
    ["Ukraine", "тел: +380 67 123 4567", "phone", "+380 67 123 4567"],
    ["Uzbekistan", "+998 90 123 45 67", "phone", "+998 90 123 45 67"],
    ["Kazakhstan", "+7 701 234 5678", "phone", "+7 701 234 5678"],
    ["Armenia", "+374 91 234567", "phone", "+374 91 234567"],
    ["Georgia", "+995 555 12 34 56", "phone", "+995 555 12 34 56"],
    ["digits split by spaces", "8 9 9 9 1 2 3 4 5 6 7", "phone", "8 9 9 9 1 2 3 4 5 6 7"],
    ["digits split by dashes", "8-9-9-9-1-2-3-4-5-6-7", "phone", "8-9-9-9-1-2-3-4-5-6-7"],
    ["city number", "домашний 123-45-67", "phone", "123-45-67"],
    ["glued to a word", "тел89991234567", "phone", "89991234567"],
    ["after a small number", "звони 2 9991234567", "phone", "9991234567"],
    [
      "non-breaking spaces",
      "8\u00A0999\u00A0123\u00A045\u00A067",
      "phone",
      "8\u00A0999\u00A0123\u00A045\u00A067",
    ],
    // e-mails
    ["plain e-mail", "пиши на ivan.petrov@mail.ru.", "email", "ivan.petrov@mail.ru"],
    ["e-mail with plus and caps", "Ivan+Tag@Gmail.COM", "email", "Ivan+Tag@Gmail.COM"],
    ["e-mail in a Cyrillic domain", "иван@почта.рф", "email", "иван@почта.рф"],
    ["e-mail with unusual TLD", "a.b@company.travel", "email", "a.b@company.travel"],
    ["собака for @", "ivan собака mail.ru", "email", "ivan собака mail.ru"],
    ["(собака) and точка", "ivan(собака)mail точка ru", "email", "ivan(собака)mail точка ru"],
    ["at and dot", "ivan at mail dot ru", "email", "ivan at mail dot ru"],
    ["[at] and [dot]", "ivan[at]gmail[dot]com", "email", "ivan[at]gmail[dot]com"],
    ["spaces around @", "ivan @ yandex.ru", "email", "ivan @ yandex.ru"],
    // links
    ["https", "see https://example.org/a?b=1#c)", "link", "https://example.org/a?b=1#c"],
    ["http in Cyrillic text", "тут http://сайт.рф/путь, ага", "link", "http://сайт.рф/путь"],
    ["tg scheme", "tg://resolve?domain=ivan", "link", "tg://resolve?domain=ivan"],
    ["www", "на www.example.org, там", "link", "www.example.org"],
    ["bare .com", "example.com", "link", "example.com"],
    ["t.me with path", "пиши в t.me/ivan_petrov", "link", "t.me/ivan_petrov"],
    ["vk.com profile", "vk.com/id123456789", "link", "vk.com/id123456789"],
    ["site.ru", "зайди на site.ru", "link", "site.ru"],
    ["сайт.рф", "сайт.рф", "link", "сайт.рф"],
    ["capitalised", "Mail.Ru", "link", "Mail.Ru"],
    ["subdomain and port", "a.b.example.net:8080/x", "link", "a.b.example.net:8080/x"],
    ["short link", "bit.ly/3abc", "link", "bit.ly/3abc"],
    ["word TLD with a path", "my.shop/item", "link", "my.shop/item"],
    ["dot obfuscation", "site dot ru", "link", "site dot ru"],
    ["точка obfuscation", "сайт точка рф", "link", "сайт точка рф"],
    ["bracketed dot", "example(dot)com", "link", "example(dot)com"],
    ["«at» before a plain domain is a link", "look at example.com", "link", "example.com"],
    // usernames
    ["username", "мой ник @ivan_petrov", "username", "@ivan_petrov"],
    ["username in brackets", "(@Anna2000)", "username", "@Anna2000"],
    ["username 32 chars", `@a${"b".repeat(31)}`, "username", `@a${"b".repeat(31)}`],
    // cards
    ["Visa test card", "4111 1111 1111 1111", "card", "4111 1111 1111 1111"],
    ["Mastercard without spaces", "5555555555554444", "card", "5555555555554444"],
    ["card with dashes", "5555-5555-5555-4444", "card", "5555-5555-5555-4444"],
    [
      "Mir card built here",
      `карта ${groupsOf4(withCheckDigit("220070123456789"))}`,
      "card",
      groupsOf4(withCheckDigit("220070123456789")),
    ],
    ["19-digit card", withCheckDigit("622126000000000000"), "card", withCheckDigit("622126000000000000")],
    ["13-digit card", withCheckDigit("422222222222"), "card", withCheckDigit("422222222222")],
  ];

  it.each(cases)("%s", (_name, text, kind, expected) => {
    expect(found(text)).toEqual([[kind, expected]]);
    expect(hasPersonalData(text)).toBe(true);
  });
});

describe("findPersonalData leaves ordinary text alone", () => {
  const negatives: Array<[string, string]> = [
    ["date with dots", "встреча 23.11.2026"],
    ["date with dashes", "2026-11-23"],
    ["date and time", "23.11.2026 18:30"],
    ["date and dotted time", "23.11.2026 18.30"],
    ["two dates", "с 01.01.2026 по 31.12.2026"],
    ["time range", "с 9:00 до 18:00"],
    ["years", "в 1990 году, в 2000-х, 2024 2025"],
    ["small numbers", "мне 25, ему 30, 3 кота и 12 рыбок"],
    ["price in roubles", "500 рублей"],
    ["price with thousands", "1 500 000 руб."],
    ["price with ₽", "12 345 678 ₽"],
    ["dollar price", "$ 89991234567"],
    ["big round number", "80 000 000 000"],
    ["amount that starts like a phone", "бюджет 79 900 000 000"],
    ["11 digits with no real area code", "70000000000 и 81234567890"],
    ["decimal fraction", "p = 0.9991234567"],
    ["phone-length tail of a dotted number", "1.89991234567"],
    ["percent", "99912345 %"],
    ["version", "v1.2.3 и 5.5"],
    ["abbreviations", "т.е. и т.д., т.к. и т.п., др. P.S. e.g. i.e."],
    ["city with dot", "г.Москва, ул.Ленина"],
    ["file names", "Node.js и readme.txt"],
    ["sentence without a space", "did it.It was fine"],
    ["Russian sentence without a space", "Привет.Как дела?"],
    ["@ inside an e-mail is not a username", "a@ivan_petrov"],
    ["username too short", "@ivan"],
    ["username too long", `@a${"b".repeat(32)}`],
    ["username starting with a digit", "@1ivanpetrov"],
    ["at-sign alone", "встречаемся @ 5"],
    ["card with a wrong check digit", groupsOf4(wrongCheckDigit(withCheckDigit("411111111111111")))],
    ["INN-like 10 digits", "7701234567"],
    ["passport-like", "45 12 345678"],
    ["score", "счёт 3-2, 10-12 лет"],
    ["собака as a word", "моя собака любит гулять"],
    ["точка as a word", "точка зрения"],
    ["dot as a word", "a dot on the map"],
    ["ambiguous TLD without a path", "did it.Me too"],
    ["English word TLD without a path", "so tired.Life goes on.Work tomorrow"],
    ["empty", ""],
    ["emoji and RTL marks", "\u200F😊🐈\u200Eשלום مرحبا"],
  ];

  it.each(negatives)("%s", (_name, text) => {
    expect(found(text)).toEqual([]);
    expect(hasPersonalData(text)).toBe(false);
  });
});

describe("findPersonalData spans", () => {
  it("returns every contact in order with exact offsets", () => {
    const text = "Я Аня, @anya_sun, пиши anya@mail.ru или звони +7 (999) 123-45-67, сайт anya.site/blog.";
    const result = findPersonalData(text);
    expect(result.map((m) => m.kind)).toEqual(["username", "email", "phone", "link"]);
    expect(result.map((m) => text.slice(m.start, m.end))).toEqual([
      "@anya_sun",
      "anya@mail.ru",
      "+7 (999) 123-45-67",
      "anya.site/blog",
    ]);
    for (let i = 1; i < result.length; i++)
      expect(result[i]!.start).toBeGreaterThanOrEqual(result[i - 1]!.end);
  });

  it("reports an e-mail once, not also its domain as a link or its @ as a username", () => {
    expect(found("ivan_petrov@mail.ru")).toEqual([["email", "ivan_petrov@mail.ru"]]);
  });

  it("reports a link once, not also digits in its path as a phone", () => {
    expect(found("vk.com/id89991234567")).toEqual([["link", "vk.com/id89991234567"]]);
  });

  it("finds two phones separated only by a space", () => {
    expect(found("89991234567 89997654321")).toEqual([
      ["phone", "89991234567"],
      ["phone", "89997654321"],
    ]);
  });

  it("offsets count UTF-16 units after astral emoji", () => {
    const text = "🐈🐈 ivan@mail.ru";
    const [m] = findPersonalData(text);
    expect(m).toEqual({ kind: "email", start: 5, end: text.length });
  });
});

describe("Luhn", () => {
  it.each([
    ["4111111111111111", true],
    ["4111111111111112", false],
    ["79927398713", true],
    ["", false],
    ["12a4", false],
  ])("%s → %s", (digits, valid) => expect(isLuhnValid(digits)).toBe(valid));

  it("agrees with the check digit computed in the test for random bodies", () => {
    let seed = 42;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < 200; i++) {
      const body = String(next()).padStart(10, "1") + String(next()).slice(0, 5);
      const valid = withCheckDigit(body);
      expect(isLuhnValid(valid)).toBe(true);
      expect(isLuhnValid(wrongCheckDigit(valid))).toBe(false);
    }
  });
});

describe("findPersonalData on long and hostile input", () => {
  const long: Array<[string, string]> = [
    ["10 000 letters", "а".repeat(10_000)],
    ["10 000 digits", "1".repeat(10_000)],
    ["10 000 dots and letters", "a.".repeat(5_000)],
    ["10 000 spaced digits", "1 ".repeat(5_000)],
    ["10 000 @", "@".repeat(10_000)],
    ["words with dots", "т.е. ".repeat(2_000)],
    ["dot words", "a dot ".repeat(1_700)],
    ["at words", "x at ".repeat(2_000)],
    ["labels with hyphens", "a-".repeat(5_000)],
  ];

  it.each(long)("%s: finishes quickly", (_name, text) => {
    const t0 = performance.now();
    findPersonalData(text);
    expect(performance.now() - t0).toBeLessThan(1_000);
  });

  it("finds a contact at the end of a 10 000-character message", () => {
    const text = "я ".repeat(5_000) + "ivan@mail.ru";
    expect(found(text)).toEqual([["email", "ivan@mail.ru"]]);
  });
});
