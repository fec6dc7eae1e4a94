import { describe, expect, it } from "vitest";
import { normalize, tokenize } from "../../../src/domain/safety/normalize.ts";

const known = (w: string) => ["тупая", "хуй", "дебил", "зануда"].includes(w);

describe("normalize undoes common obfuscation", () => {
  const cases: Array<[string, string, string]> = [
    ["lower case and ё", "ЁЖИК Ёлкин", "ежик елкин"],
    ["Latin look-alikes inside a Cyrillic word", "тупaя", "тупая"],
    ["Latin look-alikes with a leading Latin letter", "tы", "ты"],
    ["pure Latin words stay Latin", "ok sex", "ok sex"],
    ["digits inside a Cyrillic word", "3ануда", "зануда"],
    ["an ambiguous digit resolved by the lexicon", "д3бил", "дебил"],
    ["plain numbers stay numbers", "в 2024 году", "в 2024 году"],
    ["spaced letters join", "с у к а", "сука"],
    ["dotted letters join", "д.у.р.а", "дура"],
    ["short abbreviations do not join", "т.е. и т.д.", "т.е. и т.д."],
    ["single-letter words do not join", "а я в шоке", "а я в шоке"],
    ["stretched letters squeeze", "дуууура", "дура"],
    ["double letters stay", "длинный", "длинный"],
    ["zero-width and bidi characters vanish", "ду\u200Bра\u202E", "дура"],
    ["combining stress marks vanish", "за\u0301мок", "замок"],
    ["«й» written with a combining breve survives", "мои\u0306", "мой"],
  ];
  it.each(cases)("%s", (_why, input, expected) => {
    expect(normalize(input, { isKnownWord: known })).toBe(expected);
  });

  it("resolves a masked letter to a lexicon word, or leaves a mask without a lexicon", () => {
    expect(normalize("т*пая", { isKnownWord: known })).toBe("тупая");
    expect(normalize("х*й", { isKnownWord: known })).toBe("хуй");
    expect(normalize("т*пая")).toBe("т*пая");
  });

  it("cuts a spelt-out run into lexicon words, joins split syllables, reads transliteration", () => {
    const lexicon = (w: string) => ["тупая", "тварь", "дура", "ты", "покончить", "собой"].includes(w);
    expect(normalize("т у п а я т в а р ь", { isKnownWord: lexicon })).toBe("тупая тварь");
    expect(normalize("п о к о н ч и т ь с с о б о й", { isKnownWord: lexicon })).toBe("покончить с собой");
    expect(normalize("ты ду-ра", { isKnownWord: lexicon })).toBe("ты дура");
    expect(normalize("ty dura", { isKnownWord: lexicon })).toBe("ты дура");
    // Without a lexicon, or when the result is not a known word, nothing changes.
    expect(normalize("ты ду-ра")).toBe("ты ду-ра");
    expect(normalize("кто-то из-за", { isKnownWord: lexicon })).toBe("кто-то из-за");
    expect(normalize("ok hello", { isKnownWord: lexicon })).toBe("ok hello");
  });

  it("reads «y» before a vowel as one letter, digits for letters, «oo» and Latin look-alikes in all-Latin words", () => {
    const lexicon = (w: string) => ["тупая", "сука", "сучка", "пидор", "ты"].includes(w);
    expect(normalize("ty tupaya", { isKnownWord: lexicon })).toBe("ты тупая");
    expect(normalize("sooka", { isKnownWord: lexicon })).toBe("сука");
    expect(normalize("cyka cy4ka", { isKnownWord: lexicon })).toBe("сука сучка");
    expect(normalize("p1d0r", { isKnownWord: lexicon })).toBe("пидор");
    // Look-alikes need four letters («ty» would read «ту»), and nothing changes when no reading is known.
    expect(normalize("ty", { isKnownWord: (w) => w === "ту" })).toBe("ty");
    expect(normalize("covid19 mp3 hello", { isKnownWord: lexicon })).toBe("covid19 mp3 hello");
  });
});

describe("tokenize keeps positions in the original text", () => {
  it("maps each word back to its source span, across invisible characters and joined letters", () => {
    const text = "Ну\u200B ты д.у.р.а!";
    const tokens = tokenize(text);
    expect(tokens.map((t) => t.norm)).toEqual(["ну", "ты", "дура"]);
    expect(tokens.map((t) => text.slice(t.start, t.end))).toEqual(["Ну", "ты", "д.у.р.а"]);
    expect(tokens[2]!.masked).toBe(true);
  });
  it("covers astral characters whole", () => {
    const text = "привет 𝐚";
    for (const t of tokenize(text))
      expect(() => encodeURIComponent(text.slice(t.start, t.end))).not.toThrow();
  });
});
