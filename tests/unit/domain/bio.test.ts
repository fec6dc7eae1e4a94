import { describe, expect, it } from "vitest";
import { BIO_MAX_GRAPHEMES, type BioRejection, validateBio } from "../../../src/domain/bio.ts";

describe("validateBio accepts", () => {
  const accepted: Array<[string, string, string | null]> = [
    ["empty is no bio", "", null],
    ["blank is no bio", "  \n\t \n ", null],
    ["plain text", "Люблю кошек и долгие прогулки.", "Люблю кошек и долгие прогулки."],
    ["trimmed", "   Привет   ", "Привет"],
    ["inner spaces and tabs collapsed", "Привет,\t\tмир   !", "Привет, мир !"],
    ["CRLF normalised", "Строка 1\r\nСтрока 2", "Строка 1\nСтрока 2"],
    ["three line breaks", "a\nb\nc\nd", "a\nb\nc\nd"],
    ["spaces around line breaks dropped", "a  \n  b", "a\nb"],
    ["runs of empty lines become one empty line", "a\n\n\n\n\nb", "a\n\nb"],
    ["emoji", "Люблю 🐈 и ☕️", "Люблю 🐈 и ☕️"],
    ["emoji ZWJ family", "Семья: 👨‍👩‍👧", "Семья: 👨‍👩‍👧"],
    ["emoji ZWJ with variation selector", "🏳️‍🌈 рядом", "🏳️‍🌈 рядом"],
    ["subdivision flag with tag characters", "Из 🏴󠁧󠁢󠁳󠁣󠁴󠁿", "Из 🏴󠁧󠁢󠁳󠁣󠁴󠁿"],
    ["skin tones", "👋🏽 привет", "👋🏽 привет"],
    ["Latin and Cyrillic mixed", "Работаю в IT, love music", "Работаю в IT, love music"],
    ["Hebrew and Arabic without control marks", "שלום и مرحبا", "שלום и مرحبا"],
    [
      "dates, times and prices",
      "С 23.11.2026, по вечерам с 18:00, 500 рублей на кофе",
      "С 23.11.2026, по вечерам с 18:00, 500 рублей на кофе",
    ],
    ["abbreviations", "Студент, т.е. учусь, и т.д.", "Студент, т.е. учусь, и т.д."],
    ["decomposed letters composed", "Ёлка".normalize("NFD"), "Ёлка"],
    ["exactly 160 graphemes", "я".repeat(BIO_MAX_GRAPHEMES), "я".repeat(BIO_MAX_GRAPHEMES)],
    ["160 emoji graphemes", "👨‍👩‍👧".repeat(BIO_MAX_GRAPHEMES), "👨‍👩‍👧".repeat(BIO_MAX_GRAPHEMES)],
  ];

  it.each(accepted)("%s", (_name, raw, value) => {
    expect(validateBio(raw)).toEqual({ ok: true, value });
  });
});

describe("validateBio rejects", () => {
  const rejected: Array<[string, string, BioRejection]> = [
    ["161 graphemes", "я".repeat(BIO_MAX_GRAPHEMES + 1), "too_long"],
    ["161 emoji graphemes", "🐈".repeat(BIO_MAX_GRAPHEMES + 1), "too_long"],
    ["10 000 characters", "а".repeat(10_000), "too_long"],
    ["10 000 characters with a phone at the end", "а ".repeat(5_000) + "89991234567", "too_long"],
    ["four line breaks", "a\nb\nc\nd\ne", "too_long"],
    ["four line breaks with empty lines", "a\n\nb\n\nc", "too_long"],
    ["zero-width space", "При\u200Bвет", "invisible"],
    ["ZWJ between letters", "При\u200Dвет", "invisible"],
    ["ZWJ after an emoji but before a letter", "🐈\u200Dа", "invisible"],
    ["RLM", "\u200FПривет", "invisible"],
    ["LRM", "Привет\u200E", "invisible"],
    ["RLO override", "Привет \u202Eтевирп", "invisible"],
    ["isolates", "\u2066Привет\u2069", "invisible"],
    ["Arabic letter mark", "مرحبا\u061C", "invisible"],
    ["BOM", "\uFEFFПривет", "invisible"],
    ["word joiner", "При\u2060вет", "invisible"],
    ["NUL", "Привет\u0000", "invisible"],
    ["escape sequence", "\u001B[2JПривет", "invisible"],
    ["C1 control", "Привет\u0085", "invisible"],
    ["Hangul filler posing as text", "\u3164", "invisible"],
    ["braille blank posing as text", "\u2800\u2800", "invisible"],
    ["stray tag characters", "Привет\u{E0041}", "invisible"],
    ["invisible beats too_long", "я".repeat(500) + "\u200B", "invisible"],
    ["phone", "Пиши: +7 999 123-45-67", "phone"],
    ["phone with spaced digits", "8 9 9 9 1 2 3 4 5 6 7", "phone"],
    ["e-mail", "Почта ivan@mail.ru", "email"],
    ["obfuscated e-mail", "ivan собака mail.ru", "email"],
    ["link", "Мой блог: example.com", "link"],
    ["telegram link", "t.me/ivan_petrov", "link"],
    ["username", "Ник в телеге @ivan_petrov", "username"],
    ["card", "Донат: 4111 1111 1111 1111", "card"],
    ["first contact is the reason", "@ivan_petrov или 89991234567", "username"],
  ];

  it.each(rejected)("%s", (_name, raw, reason) => {
    expect(validateBio(raw)).toEqual({ ok: false, reason });
  });
});
