import { describe, expect, it } from "vitest";
import { situationOf } from "../../../src/domain/coach/situation.ts";

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
