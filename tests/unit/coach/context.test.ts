import { describe, expect, it } from "vitest";
import {
  MAX_STORED_CHARS,
  parseStoredMessage,
  prepareForStorage,
  renderContext,
  resemblesHint,
} from "../../../src/domain/coach/context.ts";
import { detectEmotion } from "../../../src/domain/coach/emotion.ts";
import { familyOfTopic, pickFamily } from "../../../src/domain/coach/topics.ts";

describe("context: anonymised before storage, rendered for the asker", () => {
  const names = { senderNickname: "Тихая Ромашка", recipientNickname: "Северный Ветер" };

  it("replaces both pseudonyms (in any case form), names, phones, e-mails and links", () => {
    const stored = prepareForStorage(
      "Северный Ветер, привет! Я Тихая Ромашка, но вообще Анна Петрова. Пиши на anna.p@yandex.ru или +7 912 345-67-89, vk.com/anna_p. Спасибо Северному Ветру!",
      names,
    )!;
    for (const leaked of [
      "Северный",
      "Ветр",
      "Ромашка",
      "Анна",
      "Петрова",
      "anna",
      "yandex",
      "912",
      "vk.com",
    ])
      expect(stored).not.toContain(leaked);
    expect(stored).toContain("[Я]");
    expect(stored).toContain("[СОБЕСЕДНИК]");
    expect(stored).toContain("[EMAIL]");
    expect(stored).toContain("[ТЕЛЕФОН]");
    expect(stored).toContain("[ССЫЛКА]");
  });

  it("sees through zero-width and bidi marks in nicknames and ignores empty text", () => {
    const stored = prepareForStorage("Спасибо, Ромашка!", { senderNickname: "Ром\u200Bашка\u202E" })!;
    expect(stored).not.toContain("Ромашка");
    expect(prepareForStorage(" \u200B\n ", names)).toBeNull();
  });

  it("cuts a 10 000-character message", () => {
    const stored = prepareForStorage("очень длинное сообщение ".repeat(420), names)!;
    expect(stored.length).toBeLessThanOrEqual(MAX_STORED_CHARS + 1);
  });

  it("renders [Я] as the person asking, whoever wrote the message", () => {
    const fromA = {
      a: 1,
      t: prepareForStorage("[собеседнику] Северный Ветер, мне грустно, Тихая Ромашка устала", names)!,
    };
    const fromB = {
      a: 2,
      t: prepareForStorage("Тихая Ромашка, я рядом. Северный Ветер слушает", {
        senderNickname: "Северный Ветер",
        recipientNickname: "Тихая Ромашка",
      })!,
    };
    const forA = renderContext([fromA, fromB], 1);
    expect(forA.text.split("\n")[0]).toMatch(/^\[Я\]: .*\[СОБЕСЕДНИК\], мне грустно, \[Я\] устала/);
    expect(forA.text.split("\n")[1]).toMatch(/^\[СОБЕСЕДНИК\]: \[Я\], я рядом\. \[СОБЕСЕДНИК\] слушает/);
    expect(forA.peerMessages).toHaveLength(1);
    const forB = renderContext([fromA, fromB], 2);
    expect(forB.text.split("\n")[0]).toMatch(/^\[СОБЕСЕДНИК\]: .*\[Я\], мне грустно, \[СОБЕСЕДНИК\] устала/);
    expect(forB.text.split("\n")[1]).toMatch(/^\[Я\]: \[СОБЕСЕДНИК\], я рядом\. \[Я\] слушает/);
  });

  it("skips corrupted stored entries", () => {
    expect(parseStoredMessage("{not json")).toBeNull();
    expect(parseStoredMessage('{"a":"1","t":"x"}')).toBeNull();
    expect(parseStoredMessage('{"a":1,"t":"x"}')).toEqual({ a: 1, t: "x" });
  });

  it("recognises a sent hint, edited or not, and not an unrelated message", () => {
    const hint = "Что сейчас даётся тяжелее всего?";
    expect(resemblesHint("Что сейчас даётся тебе тяжелее всего?", hint)).toBe(true);
    expect(resemblesHint(hint, hint)).toBe(true);
    expect(resemblesHint("Привет, как прошёл день на работе?", hint)).toBe(false);
  });
});

describe("feelings and topics", () => {
  it.each([
    ["мне так грустно и тоскливо", "sadness"],
    ["я всё время тревожусь, мне страшно", "anxiety"],
    ["меня это бесит, я так злюсь", "anger"],
    ["это моя вина, надо было раньше", "guilt"],
    ["мне одиноко, не с кем поговорить", "loneliness"],
    ["я так устала, сил нет совсем", "fatigue"],
    ["сегодня ходил в магазин", null],
  ])("«%s» → %s", (text, emotion) => {
    expect(detectEmotion([text])).toBe(emotion);
  });

  it("weighs the latest messages more", () => {
    expect(detectEmotion(["мне грустно", "а теперь ещё и страшно"])).toBe("anxiety");
  });

  it("maps catalogue topics to families and lets the conversation choose among them", () => {
    expect(familyOfTopic("pet-loss")).toBe("pet_loss");
    expect(familyOfTopic("divorce")).toBe("breakup");
    expect(familyOfTopic("unknown-topic")).toBe("general");
    expect(pickFamily(["burnout", "pet-loss"])).toBe("pet_loss");
    expect(pickFamily(["burnout", "relocation"], "после переезда в новом городе никого")).toBe("move");
    expect(pickFamily([], "у меня умер кот")).toBe("pet_loss");
    expect(pickFamily([])).toBe("general");
  });
});

describe("pseudonyms in any case form", () => {
  it.each([
    ["Северный Ветер", "Спасибо Северному Ветру и привет Северному ветру"],
    ["Северный Ветер", "Северного Ветра здесь нет"],
    ["Тихая Ромашка", "С Тихой Ромашкой легко, тихую ромашку все любят"],
    ["Ясный Огонёк", "Без Ясного Огонька темно, Огонька жду"],
    ["Горный Орёл", "Горному Орлу привет, Орёл!"],
    ["Тихий Ёж", "Тихий ёж, тихому Ежу привет"],
  ])("«%s» in «%s»", (nick, text) => {
    const out = prepareForStorage(text, { senderNickname: nick })!;
    const stems = nick.split(" ").map((w) => w.slice(0, 4));
    for (const stem of stems)
      expect(out.toLowerCase(), out).not.toContain(stem.toLowerCase().replace("ё", "е"));
  });

  it("a lower-case common word that is also the last word of a nickname stays", () => {
    expect(prepareForStorage("у меня вчера умер кот", { recipientNickname: "Рыжий Кот" })).toBe(
      "у меня вчера умер кот",
    );
    expect(prepareForStorage("Кот, привет!", { recipientNickname: "Рыжий Кот" })).toBe(
      "[СОБЕСЕДНИК], привет!",
    );
  });
});
