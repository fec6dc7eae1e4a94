import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type E2E, startE2E } from "../helpers/bot-process.ts";
import { acceptRules, buttonsOf, registeredPerson } from "../helpers/people.ts";

const burnoutAndMove: Array<[string, string]> = [
  ["Работа и деньги", "Выгорание"],
  ["Переезд и новая жизнь", "Переезд"],
];

describe("matching 1-on-1 through the sandbox", () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await startE2E({ mode: "polling" });
  });
  afterAll(async () => {
    await e2e?.close();
  });

  it("tells a person what is missing before they can search", async () => {
    const person = await e2e.client.user("Вера");
    await acceptRules(person);
    await person.send("/find");
    await person.expectMessage(/не хватает: псевдонима, часового пояса, хотя бы 2 тем/);
  });

  it("pairs two people with 2 shared topics; both accept and get the intro and the rules", async () => {
    const anna = await registeredPerson(e2e.client, "Анна", {
      nickname: "Тихая Сова",
      topics: burnoutAndMove,
      bio: "Выгорела на работе",
    });
    const boris = await registeredPerson(e2e.client, "Борис", {
      nickname: "Смелый Кит",
      topics: burnoutAndMove,
    });

    await anna.send("/find");
    await anna.expectMessage(/Ищу собеседника/);
    await anna.send("/find");
    await anna.expectMessage(/Я уже ищу/);
    await boris.send("/find");

    const toBoris = await boris.expectMessage(/Нашёлся человек/, { timeoutMs: 10_000 });
    expect(toBoris.text).toContain("Тихая Сова");
    expect(toBoris.text).toMatch(/Общие темы: (Выгорание, Переезд|Переезд, Выгорание)/);
    expect(toBoris.text).toContain("Выгорела на работе");
    expect(toBoris.text).not.toContain("Анна");
    const toAnna = await anna.expectMessage(/Нашёлся человек/, { timeoutMs: 10_000 });
    expect(toAnna.text).toContain("Смелый Кит");
    expect(buttonsOf(toAnna)).toEqual(["✅ Принять", "➖ Пропустить"]);

    // While a proposal is open, another /find says so.
    await anna.send("/find");
    await anna.expectMessage(/уже пришло предложение/);

    await anna.click("✅ Принять");
    await anna.expectMessage(/Ждём ответа собеседника/);
    await boris.click("✅ Принять");
    const introB = await boris.expectMessage(/Собеседник — .*Тихая Сова/);
    expect(introB.text).toMatch(/\/end/);
    await anna.expectMessage(/Собеседник — .*Смелый Кит/);

    // The finished proposal's buttons change nothing; forged ids neither.
    const again = await anna.click({
      message_id: toAnna.message_id,
      data: `m:d:${/m:a:(\d+)/.exec(JSON.stringify(toAnna.reply_markup))?.[1]}`,
    });
    expect(again.text).toMatch(/кнопка уже не работает/);
    const forged = await anna.click({ message_id: toAnna.message_id, data: "m:a:999999" });
    expect(forged.text).toMatch(/кнопка уже не работает/);
    await anna.send("/find");
    await anna.expectMessage(/Ты уже в разговоре/);
  });

  it("a decline puts the other person back into the search and keeps the pair apart", async () => {
    const topics: Array<[string, string]> = [
      ["Отношения и семья", "Развод"],
      ["Утрата", "Потеря питомца"],
    ];
    const galina = await registeredPerson(e2e.client, "Галина", { nickname: "Ясная Лань", topics });
    const denis = await registeredPerson(e2e.client, "Денис", { nickname: "Добрый Барсук", topics });
    await galina.send("/find");
    await galina.expectMessage(/Ищу собеседника/);
    await denis.send("/find");
    await denis.expectMessage(/Нашёлся человек/, { timeoutMs: 10_000 });
    await galina.expectMessage(/Нашёлся человек/, { timeoutMs: 10_000 });
    await denis.click("➖ Пропустить");
    const declined = await denis.expectMessage(/пропускаем/);
    await galina.expectMessage(/не может начать разговор — так бывает. Продолжаю поиск/);
    const galinaCursor = (await galina.lastBotMessage())?.message_id ?? 0;

    // Denis searches again: Galina is still searching, but the 72 h cooldown keeps them apart.
    await denis.send("/find");
    await denis.expectMessage(/Ищу собеседника/);
    const elena = await registeredPerson(e2e.client, "Елена", { nickname: "Северная Рысь", topics });
    await elena.send("/find");
    const toElena = await elena.expectMessage(/Нашёлся человек/, { timeoutMs: 10_000 });
    expect(toElena.text).toMatch(/Ясная Лань|Добрый Барсук/);
    const proposalsAfter = async (p: typeof galina, after: number) =>
      (await p.chat(after)).filter((m) => m.from === "bot" && /Нашёлся человек/.test(m.text ?? ""));
    // Whoever Elena got, the other one is still waiting — and was never offered the person who declined.
    for (const m of await proposalsAfter(galina, galinaCursor)) expect(m.text).not.toContain("Добрый Барсук");
    for (const m of await proposalsAfter(denis, declined.message_id))
      expect(m.text).not.toContain("Ясная Лань");
  });
});
