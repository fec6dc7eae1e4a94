import { describe, expect, it } from "vitest";
import { checkHint, cyrillicShare } from "../../../src/domain/coach/filters.ts";

describe("safety filter on generated hints", () => {
  it.each([
    ["Похоже, у тебя депрессия, это стоит проверить.", "diagnosis"],
    ["Мне кажется, это биполярка или что-то такое.", "diagnosis"],
    ["То, что ты описываешь, очень похоже на ПТСР.", "diagnosis"],
    ["Может, у тебя тревожное расстройство?", "diagnosis"],
    ["Твой бывший — типичный нарцисс, беги от него.", "diagnosis"],
    ["Выпей чего-нибудь успокоительного и ложись спать.", "medical"],
    ["Попробуй феназепам, мне он помогал заснуть.", "medical"],
    ["Прими таблетку и постарайся отдохнуть сегодня.", "medical"],
    ["Тебе нужно подобрать дозировку снотворного.", "medical"],
    ["Подай в суд, у тебя есть все шансы выиграть.", "legal"],
    ["По закону он обязан платить алименты, не сдавайся.", "legal"],
    ["Всё будет хорошо, вот увидишь.", "promise"],
    ["Я тебе обещаю, что мы справимся с этим вместе.", "promise"],
    ["Не переживай, я всё исправлю.", "promise"],
    ["Всё наладится, поверь мне на слово.", "promise"],
    ["Напиши мне на ivan.petrov@mail.ru, поговорим.", "personal_data"],
    ["Позвони мне: +7 916 123-45-67, я помогу.", "personal_data"],
    ["Загляни на сайт podderzhka.ru, там много всего.", "personal_data"],
    ["Передай привет Марине Сергеевне от меня.", "personal_data"],
    ["Ну ты и дура, раз так сделала.", "toxic"],
    ["I hear you, this sounds really hard for you.", "language"],
    ["Ok", "length"],
    ["Коротко", "length"],
    ["Понимаю тебя. ".repeat(20), "length"],
    ["Передай [СОБЕСЕДНИК], что ты рядом и слушаешь.", "placeholder"],
    ["Спроси, как [ИМЯ] себя чувствует сегодня.", "placeholder"],
    // Reviewer probes (v3).
    ["Может, тебе стоит сходить к психиатру и попросить рецепт?", "medical"],
    ["Похоже, у тебя паническая атака", "diagnosis"],
    ["Кажется, у тебя тревожность, это лечится", "diagnosis"],
    ["Попробуй пить магний", "medical"],
    ["Сходи к неврологу, пусть назначит обследование.", "medical"],
    ["Напиши заявление участковому, пусть разберётся.", "legal"],
    ["Ты справишься, я уверен на сто процентов", "promise"],
    ["Пропей курс витаминов, станет легче.", "medical"],
    ["Обратись в полицию и сними побои.", "legal"],
    ["Уверена, что ты справишься.", "promise"],
  ])("refuses «%s» (%s)", (text, reason) => {
    expect(checkHint(text)).toEqual({ ok: false, reason });
  });

  it.each([
    "Похоже, тебе сейчас очень непросто. Я рядом и слушаю.",
    "Что сейчас даётся тяжелее всего?",
    "Не обещай, что всё будет хорошо: честнее сказать, что ты рядом.",
    "Не ставь ярлыков вроде «у тебя депрессия» — просто слушай.",
    "Не советуй лекарства и дозировки — это вопрос к врачу.",
    "Не давай советов про суд и алименты — это вопросы к юристу.",
    "Избегай фраз «всё наладится» — лучше признать, как это тяжело.",
    "Прими мои соболезнования, это огромная утрата.",
    "Ты на сто процентов права, что злишься.",
    "Может, стоит поговорить с психологом?",
    "Похоже, тебе сейчас очень тревожно. Это понятная реакция.",
    "Не советуй сходить к психиатру — это решает сам человек.",
    "Я уверена в тебе, правда.",
  ])("accepts «%s»", (text) => {
    expect(checkHint(text)).toEqual({ ok: true });
  });

  it("a cue in another clause does not excuse a diagnosis or a promise", () => {
    expect(checkHint("Не ставь диагнозов, но похоже у тебя депрессия.")).toEqual({
      ok: false,
      reason: "diagnosis",
    });
    expect(checkHint("Не обещай ничего. Всё будет хорошо.")).toEqual({ ok: false, reason: "promise" });
  });

  it("counts length in characters and trims", () => {
    expect(checkHint(`   ${"а".repeat(9)}   `).ok).toBe(false);
    expect(checkHint("Я слышу тебя").ok).toBe(true);
    expect(checkHint(`Я слышу тебя ${"очень ".repeat(29)}`.trim()).ok).toBe(true);
    expect(checkHint(`Я слышу тебя ${"очень ".repeat(40)}`.trim())).toEqual({ ok: false, reason: "length" });
  });

  it("refuses control characters and RTL marks, measures the Cyrillic share", () => {
    expect(checkHint("Я рядом\u202Eи слушаю тебя")).toEqual({ ok: false, reason: "language" });
    expect(cyrillicShare("привет hello")).toBeCloseTo(6 / 11, 5);
    expect(cyrillicShare("12345")).toBe(0);
  });
});
