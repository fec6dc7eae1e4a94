import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type E2E, startE2E } from "../helpers/bot-process.ts";
import { type FakeOpenAi, startFakeOpenAi } from "../helpers/fake-openai.ts";
import { buttonsOf, matchedPair } from "../helpers/people.ts";

const MODEL_HINTS = [
  { type: "empathy", text: "Похоже, тебе сейчас очень непросто, и это понятно." },
  { type: "question", text: "Что сейчас помогает тебе хоть немного?" },
  { type: "boundary", text: "Не обещай, что всё быстро наладится — просто будь рядом." },
];

describe("the AI coach, through the sandbox, with a local OpenAI-compatible server", () => {
  let e2e: E2E;
  let model: FakeOpenAi;
  beforeAll(async () => {
    model = await startFakeOpenAi({ kind: "hints", hints: MODEL_HINTS });
    e2e = await startE2E({
      mode: "polling",
      env: {
        AI_COACH_ENABLED: "true",
        AI_COACH_ROLLOUT: "100",
        LLM_BASE_URL: model.baseUrl,
        LLM_MODEL: "fake",
        LLM_TIMEOUT_MS: "1500",
      },
    });
  });
  afterAll(async () => {
    await e2e?.close();
    await model?.close();
  });

  it("offers a hint to the recipient only, shows it only to the one who asked, and sends it only on their tap; the model never sees names or contacts", async () => {
    const [vika, yuri] = await matchedPair(e2e.client, ["Виктория", "Юрий"], ["Тихая Сова", "Смелый Кит"]);
    // The first contact-looking message waits for confirmation; later ones in the session go straight on.
    await vika.send("Мой телефон +7 912 555-44-33");
    await vika.click("Отправить всё равно");
    const copy = await yuri.expectMessage(/555-44-33/);
    expect(buttonsOf(copy)).toEqual(["💡 Подсказка"]);
    // Asked once whether her own words may help the model; she agrees. Yuri, asked too, says no.
    await vika.expectMessage(/Можно ли использовать твои сообщения/);
    await vika.click("Да, можно");
    await yuri.send("у меня было похоже, маркер-юрия-без-согласия");
    await vika.expectMessage(/маркер-юрия/);
    await yuri.expectMessage(/Можно ли использовать твои сообщения/);
    await yuri.click("Нет");
    await yuri.send("и про работу тоже маркер-юрия-второй");
    await vika.expectMessage(/маркер-юрия-второй/);
    await vika.send("Меня зовут Виктория, пиши на vika.real@example.com, мне очень тяжело после переезда");
    await yuri.expectMessage(/тяжело после переезда/);
    const vikaBefore = (await vika.lastBotMessage())?.message_id ?? 0;

    const hintStart = performance.now();
    await yuri.click({ message_id: copy.message_id, button_text: "💡 Подсказка" });
    await yuri.expectMessage(/предлагает ИИ — их видишь только ты/);
    const empathy = await yuri.expectMessage(/Поддержать: Похоже, тебе сейчас очень непросто/);
    expect(performance.now() - hintStart).toBeLessThan(10_000);
    expect(buttonsOf(empathy)).toEqual(["📋 Скопировать", "Отправить"]);
    await yuri.expectMessage(/Помни: Не обещай/);
    // Nothing reached Vika: hints are private.
    expect((await vika.chat(vikaBefore)).filter((m) => m.from === "bot")).toEqual([]);

    await yuri.click({ message_id: empathy.message_id, button_text: "Отправить" });
    await vika.expectMessage(/^Похоже, тебе сейчас очень непросто, и это понятно\.$/);
    const vikaChat = (await vika.chat(vikaBefore)).filter((m) => m.from === "bot").map((m) => m.text ?? "");
    expect(vikaChat.some((t) => /ИИ|подсказ/i.test(t))).toBe(false);

    expect(model.requests.length).toBeGreaterThan(0);
    const sentToModel = model.requests.map((r) => r.raw).join("\n");
    // Consent both ways: Yuri said no, so none of his words is in any request.
    expect(sentToModel).not.toContain("маркер-юрия");
    // The conversation did reach the model — anonymised.
    expect(sentToModel).toContain("тяжело после переезда");
    for (const secret of [
      "Виктория",
      "912 555-44-33",
      "555-44-33",
      "vika.real@example.com",
      "Тихая Сова",
      "Смелый Кит",
      "Юрий",
    ]) {
      expect(sentToModel, `the model saw «${secret}»`).not.toContain(secret);
    }
  });

  it("a crisis message suppresses generation and shows crisis guidance with the SOS list", async () => {
    const [zoya, artem] = await matchedPair(e2e.client, ["Зоя", "Артём"], ["Ясная Лань", "Добрый Барсук"]);
    await zoya.send("Привет, я давно хотела с кем-то поговорить");
    const first = await artem.expectMessage(/давно хотела/);
    expect(buttonsOf(first)).toEqual(["💡 Подсказка"]);
    const before = model.requests.length;
    await zoya.send("мне так плохо, хочу наглотаться таблеток и уснуть навсегда");
    const crisis = await artem.expectMessage(/наглотаться/);
    expect(buttonsOf(crisis)).toEqual([]);
    await artem.expectMessage(/просто будь рядом/);
    await artem.click({ message_id: first.message_id, button_text: "💡 Подсказка" });
    const guidance = await artem.expectMessage(/8-800-2000-122/);
    expect(guidance.text).not.toMatch(/Поддержать:/);
    // The model was never asked during the crisis.
    expect(model.requests.length).toBe(before);
  });

  it("a provider that hangs falls back to template hints within 3 s", async () => {
    const [ilona, kostya] = await matchedPair(
      e2e.client,
      ["Илона", "Костя"],
      ["Северная Рысь", "Тёплый Лис"],
    );
    model.respond({ kind: "hang" });
    await ilona.send("Сегодня опять не спала всю ночь, работа выжимает");
    const copy = await kostya.expectMessage(/не спала/);
    const started = performance.now();
    await kostya.click({ message_id: copy.message_id, button_text: "💡 Подсказка" }, { timeoutMs: 10_000 });
    await kostya.expectMessage(/Поддержать: /, { timeoutMs: 10_000 });
    // The service cuts the provider off at 2.8 s (tests/integration/coach); here, on a loaded machine and
    // through the sandbox round trips, only an upper bound that proves it did not wait for the model.
    expect(performance.now() - started).toBeLessThan(6_000);
    model.respond({ kind: "hints", hints: MODEL_HINTS });
  });
});

describe("with the AI coach off (the default)", () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await startE2E({ mode: "polling" });
  });
  afterAll(async () => {
    await e2e?.close();
  });

  it("shows no trace of it: no button, no /coach", async () => {
    const [a, b] = await matchedPair(e2e.client, ["Аня", "Боря"], ["Тихая Сова", "Смелый Кит"]);
    for (let i = 0; i < 4; i++) await a.send(`сообщение ${i}`);
    await b.expectMessage(/сообщение 3/, { timeoutMs: 10_000 });
    const all = await b.chat();
    expect(all.some((m) => buttonsOf(m).includes("💡 Подсказка"))).toBe(false);
    await b.send("/coach");
    await b.expectMessage(/Такой команды нет/);
  });
});
