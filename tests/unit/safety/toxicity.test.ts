import { describe, expect, it } from "vitest";
import { classifyToxicity } from "../../../src/domain/safety/index.ts";

describe("classifyToxicity withholds what is aimed at the reader", () => {
  const toxic: Array<[string, string, string]> = [
    // [why, text, expected label]
    ["insult with «ты»", "ты такая тупая", "insult"],
    ["insult in the instrumental case", "с тобой, идиотом, говорить бесполезно", "insult"],
    ["insult in the genitive plural via «таких»", "ты из тех кретинов, что всё знают", "insult"],
    ["bare vocative insult", "дебилка", "insult"],
    ["insult after an imperative", "отстань, придурок", "insult"],
    ["obscene imperative", "иди нахуй", "harassment"],
    ["shut up", "закрой свой рот", "harassment"],
    ["sexual demand", "скиньте фотку без белья", "sexual_demand"],
    ["sexual proposition", "хочу тебя раздеть", "sexual_demand"],
    ["threat in the future tense", "я тебя зарежу", "threat"],
    ["threat about where they live", "я знаю, где вы живёте", "threat"],
    ["urging suicide", "иди повесься", "harassment"],
    ["slur with a violent wish", "всех хачей надо выгнать", "hate"],
    ["group insult", "бабы тупые", "hate"],
    // Probes that try to slip past the screen: masks, bare vocatives, split syllables.
    ["animal noun after a masked adjective", "ты т*пая курица", "insult"],
    ["animal noun as a bare vocative", "тупая курица", "insult"],
    ["syllables split by a hyphen", "ты ду-ра", "insult"],
    ["two words spelt out with spaces", "т у п а я т в а р ь", "insult"],
    ["derived insult and a compound adjective", "ты криворукий дебилоид", "insult"],
    ["sexual demand, genitive plural", "скинь фотку сисек", "sexual_demand"],
    ["transliteration", "ty dura", "insult"],
    ["animal noun after «ты»", "безмозглый ты баран", "insult"],
    ["psychiatric slur", "отвали, психопатка", "insult"],
    ["«кусок дерьма»", "ты кусок дерьма", "insult"],
    ["«вместо мозгов»", "у тебя вместо мозгов опилки", "insult"],
    ["«совсем тупой?» after «ты что»", "ты что, совсем тупой?", "insult"],
    ["«долба-» spelling", "ты долбаёб", "insult"],
    ["threat with a body part", "я тебе голову оторву", "threat"],
    ["sexual demand with «кинь»", "кинь фотку в нижнем белье", "sexual_demand"],
    ["transliterated sexual imperative", "sosi", "sexual_demand"],
  ];
  it.each(toxic)("%s: «%s»", (_why, text, label) => {
    const r = classifyToxicity(text);
    expect(r.toxic).toBe(true);
    expect(r.severity).toBeGreaterThanOrEqual(2);
    expect(r.labels).toContain(label);
  });

  it("threats, hate with violence and sexual demands are severity 3; plain insults 2", () => {
    expect(classifyToxicity("я тебя убью").severity).toBe(3);
    expect(classifyToxicity("скинь нюдсы").severity).toBe(3);
    expect(classifyToxicity("ты дура").severity).toBe(2);
  });
});

describe("classifyToxicity sees through obfuscation", () => {
  const cases: Array<[string, string]> = [
    ["masked vowel", "ты т*пой"],
    ["masked with @", "ты т@пая"],
    ["Latin look-alikes", "ты дуpа"],
    ["all Latin look-alikes but one", "ты идиoт"],
    ["digits for letters", "ты д3бил"],
    ["spelt out with spaces", "т в а р ь"],
    ["spelt out with dots", "ты к.р.е.т.и.н"],
    ["stretched letters", "ты идииииот"],
    ["zero-width space inside", "ты ду\u200Bра"],
    ["soft hyphen inside", "ты ду\u00ADра"],
    ["upper case", "ТЫ ДУРА"],
    ["«ё» and a masked obscene stem", "отъ*бись от меня"],
    ["a misspelt insult", "ну ты и придурак"],
    ["a misspelt insult, inflected", "слышь, ты, дибила кусок"],
    ["transliterated, «ya» as one letter", "ty tupaya"],
    ["Latin look-alikes with a digit", "ty cy4ka"],
    ["an obscene derivation the dictionary lacks", "ты охуел совсем?"],
    ["told to cut their veins", "вскройся"],
  ];
  it.each(cases)("%s: «%s»", (_why, text) => {
    expect(classifyToxicity(text).toxic).toBe(true);
  });
});

describe("classifyToxicity delivers ordinary and quoted language", () => {
  const clean: Array<[string, string]> = [
    ["mild swearing", "блин, опять дождь"],
    ["obscene about life, not a person", "меня всё з*ебало на этой работе"],
    ["obscene intensifier", "это было охрененно тяжело"],
    ["self-talk", "я полная идиотка"],
    ["feeling like", "чувствую себя дурой"],
    ["quoted insult", "он написал мне «ты тупая», и я расплакалась"],
    ["reported insult", "свекровь обзывала меня дурой"],
    ["negated insult", "ты не дура, ты устала"],
    ["about a third person", "бывший муж — настоящий урод"],
    ["about a thing", "тупая ситуация"],
    ["a word discussed", "почему слово «идиот» так ранит?"],
    ["a caring message", "ты не одна, я рядом"],
    ["photo of a pet", "пришли фото собаки, пожалуйста"],
    ["reported threat", "бывший угрожал: «я тебя убью»"],
    ["adjective describing a noun", "ты больная тема для меня"],
    ["idiom «переспать с мыслью»", "давай переспим с этой мыслью"],
    // Hard negatives: ordinary speech that looks like the insults above.
    ["chicken as food, with «ты»", "ты купила курицу?"],
    ["chicken as food", "я купила курицу, ты будешь?"],
    ["reported animal insult", "он назвал меня тупой курицей"],
    ["negated animal insult", "ты не курица, ты умница"],
    ["a pet called names lovingly", "у меня кот — толстый баран, люблю его"],
    ["a third person", "мой брат псих, вечно орёт"],
    ["hyphenated ordinary words", "т.е. кто-то из-за этого"],
    ["stutter", "ты с-с-с-сильная"],
    ["transliterated kindness", "ty molodec"],
    ["gaming slang", "я режусь в доту"],
    ["dying of laughter", "умираю от смеха"],
    ["mild swearing", "блин, капец"],
    ["a photo of a cat with «кинь»", "кинь фотку твоего кота"],
    // One plain word is never withheld, whatever the model thinks of it.
    ["one-word reply", "ага"],
    ["one-word reply", "угу"],
    ["one-word reply", "понятно"],
    ["one-word reply", "слушай"],
    ["pizza is not a misspelt obscenity", "пизза"],
  ];
  it.each(clean)("%s: «%s»", (_why, text) => {
    const r = classifyToxicity(text);
    expect(r.toxic).toBe(false);
    expect(r.severity).toBeLessThanOrEqual(1);
  });

  it("strong obscenity not aimed at anyone is severity 1 «obscene», mild words are 0", () => {
    expect(classifyToxicity("пиздец, а не неделя")).toMatchObject({
      toxic: false,
      severity: 1,
      labels: ["obscene"],
    });
    expect(classifyToxicity("чёрт, опоздала")).toMatchObject({ toxic: false, severity: 0, labels: [] });
  });
});

describe("classifyToxicity on bad input", () => {
  it("handles empty, whitespace, control characters and RTL marks", () => {
    expect(classifyToxicity("")).toMatchObject({ toxic: false, severity: 0, labels: [] });
    expect(classifyToxicity("   \n\t")).toMatchObject({ toxic: false, severity: 0, labels: [] });
    expect(classifyToxicity("\u202Eты дура\u202C").toxic).toBe(true);
    expect(classifyToxicity("\u0000\u0007привет").toxic).toBe(false);
  });
  it("classifies a 10 000-character message with the insult at its end", () => {
    const long = "мне очень тяжело, но я держусь. ".repeat(320) + "ты дура";
    expect(classifyToxicity(long).toxic).toBe(true);
  });
});
