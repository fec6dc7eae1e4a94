import { describe, expect, it } from "vitest";
import { ASPECT_HINTS } from "../../../src/domain/coach/library.ts";
import { aspectsOf, situationOf } from "../../../src/domain/coach/situation.ts";
import { pickTemplateHints } from "../../../src/domain/coach/templates.ts";

describe("what a message is about", () => {
  it.each([
    ["Бабушки не стало в марте, до сих пор не верю", "grief"],
    ["Сегодня усыпили нашего пса, ему было четырнадцать", "pet_loss"],
    ["Кошка умерла, а я всё насыпаю корм по утрам", "pet_loss"],
    ["Мы с мужем разводимся после десяти лет брака", "breakup"],
    ["Меня сократили, и я полгода рассылаю резюме", "burnout"],
    ["Полгода в эмиграции, язык так и не идёт", "move"],
    ["Третью ночь просыпаюсь от панического страха", "anxiety"],
    ["Мне совсем некому позвонить вечером", "loneliness"],
  ])("«%s» → %s", (text, family) => {
    expect(situationOf(text)).toBe(family);
  });

  it("reads every inflection by lemma", () => {
    for (const text of ["Уволили вчера", "Меня уволят на днях", "Думаю уволиться"])
      expect(situationOf(text)).toBe("burnout");
  });

  it("a single weak sign counts only when nothing else points anywhere", () => {
    // «подруга» alone: loneliness; «подруга» next to «работа»: work names the situation.
    expect(situationOf("Подруга перестала отвечать")).toBe("loneliness");
    expect(situationOf("Подруга с работы перестала отвечать")).toBe("burnout");
  });

  it("nothing to go on is no situation", () => {
    expect(situationOf("Привет! Спасибо, что ты здесь")).toBeNull();
    expect(situationOf("")).toBeNull();
  });
});

describe("aspects: what inside the situation the message is about", () => {
  it.each([
    ["меня уволили, и я не знаю, как сказать жене", ["job_loss", "telling_family"]],
    ["Потеряла работу в марте, до сих пор ищу", ["job_loss"]],
    ["Не представляю, как признаться родителям, что бросила универ", ["telling_family"]],
    ["Кредит съедает половину зарплаты", ["money"]],
    ["Третью ночь не могу уснуть", ["sleep"]],
    ["Сегодня был хороший день", []],
  ])("«%s» → %j", (text, aspects) => {
    expect(aspectsOf(text).sort()).toEqual([...aspects].sort());
  });

  it("«сказать» with nobody of the family near is not telling the family", () => {
    expect(aspectsOf("Хочу сказать спасибо всем, кто тут пишет")).toEqual([]);
  });

  it("the aspect's hints come first, then the family's", () => {
    const hints = pickTemplateHints({
      family: "burnout",
      emotion: "sadness",
      aspects: ["job_loss"],
      seed: 3,
    });
    for (const h of hints) expect(ASPECT_HINTS.job_loss[h.type]).toContain(h.text);
    const plain = pickTemplateHints({ family: "burnout", emotion: null, seed: 3 });
    for (const h of plain) expect(ASPECT_HINTS.job_loss[h.type]).not.toContain(h.text);
  });
});
