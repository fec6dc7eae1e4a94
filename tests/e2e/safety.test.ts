import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SandboxUserHandle } from "../../sandbox/index.ts";
import { type E2E, startE2E } from "../helpers/bot-process.ts";
import { dumpDatabase } from "../helpers/db-dump.ts";
import { matchedPair } from "../helpers/people.ts";

describe("safety and privacy, through the sandbox", () => {
  let e2e: E2E;
  let moderator: SandboxUserHandle;
  beforeAll(async () => {
    e2e = await startE2E({
      mode: "polling",
      // The moderators' chat: here a moderator's private chat with the bot (a group works the same).
      beforeStart: async (client) => {
        moderator = await client.user("Модератор");
        return { MOD_CHAT_ID: String(moderator.id) };
      },
    });
    await moderator.send("/help");
    await moderator.expectMessage(/Команды/);
  });
  afterAll(async () => {
    await e2e?.close();
  });

  it("/sos lists hotlines for the person's country, with a way to pick another", async () => {
    const guest = await e2e.client.user("Гость");
    await guest.send("/sos");
    const list = await guest.expectMessage(/8-800-2000-122/);
    expect(list.text).toContain("112");
    expect(list.text).toContain("8-800-7000-600");
    await guest.click("🌍 Другая страна");
    await guest.click("Беларусь");
    const by = await guest.expectMessage(/Страна: Беларусь/);
    expect(by.text).toContain("112");
    expect(by.text).not.toContain("8-800-2000-122");
  });

  it("withholds a toxic message with the reason, delivers a crisis message with support for both and alerts moderators", async () => {
    const [kira, lev] = await matchedPair(e2e.client, ["Кира", "Лев"], ["Тихая Сова", "Смелый Кит"]);
    const before = (await lev.lastBotMessage())?.message_id ?? 0;
    await kira.send("ты тупая дура, заткнись");
    await kira.expectMessage(/не доставлено: в нём (оскорбление|давление или травля)/);
    expect((await lev.chat(before)).filter((m) => m.from === "bot")).toEqual([]);
    await kira.send("т*п@я д у р а");
    await kira.expectMessage(/не доставлено/);

    await kira.send("я больше не хочу жить, купила две пачки феназепама");
    await lev.expectMessage(/не хочу жить/);
    await kira.expectMessage(/в одиночку не нужно[\s\S]*8-800-2000-122/);
    // The peer: how to respond and «🆘 Помощь» — never a list of numbers (theirs or anyone's country).
    const note = await lev.expectMessage(/просто будь рядом[\s\S]*🆘 Помощь/);
    expect(note.text).not.toMatch(/112|8-800/);
    await moderator.expectMessage(/Признаки кризиса \(тяжесть 3/);
    // The menu is there for both, so help is one tap away whatever the detector saw.
    await kira.send("🆘 Помощь");
    await kira.expectMessage(/8-800-2000-122/);
    expect(
      (await lev.chat(before)).filter(
        (m) => m.from === "bot" && /🆘 Помощь/.test(m.text ?? "") && !/будь рядом/.test(m.text ?? ""),
      ),
    ).toEqual([]);
    // The peer ends the chat: they rate as usual; the person in crisis gets no rating and no tips,
    // help and the offer of a check-in tomorrow.
    const kiraBefore = (await kira.lastBotMessage())?.message_id ?? 0;
    await lev.send("/end");
    await lev.click("Да, завершить");
    await lev.expectMessage(/Насколько этот разговор тебе помог/);
    const offer = await kira.expectMessage(/Хочешь, я напишу тебе завтра/);
    await kira.click({ message_id: offer.message_id, button_text: "Да, напиши завтра" });
    await kira.expectMessage(/Напишу завтра/);
    const kiraAfter = (await kira.chat(kiraBefore)).filter((m) => m.from === "bot").map((m) => m.text ?? "");
    expect(kiraAfter.join("\n")).not.toMatch(/\/tips|Насколько этот разговор/);
  });

  it("reads misspelt and Latin-written insults as the words they spell, and always delivers a bare reply", async () => {
    const [nina, petr] = await matchedPair(e2e.client, ["Нина", "Пётр"], ["Тёплый Лис", "Тихий Ёж"]);
    const before = (await petr.lastBotMessage())?.message_id ?? 0;
    await nina.send("ну ты и придурак");
    await nina.expectMessage(/не доставлено/);
    await nina.send("ty tupaya");
    await nina.expectMessage(/не доставлено/);
    expect((await petr.chat(before)).filter((m) => m.from === "bot")).toEqual([]);
    await nina.send("ага");
    await petr.expectMessage(/^ага$/);
  });

  it("a long story the detector lets through: the peer taps «💛 Беспокоюсь за собеседника» and the writer gets help", async () => {
    const [mira, oleg] = await matchedPair(e2e.client, ["Мира", "Олег"], ["Ясная Звезда", "Добрый Ёж"]);
    // Risk only a reader sees: no word of death, and the detector lets it through as ordinary talk.
    // (If a later model catches it, the flow below holds all the same.)
    await mira.send(
      "Сходила в банк, указала сестру выгодоприобретателем по вкладу. Собаку с пятницы заберут на передержку, оплатила месяц. Когда решение принято, всё становится простым. Пятница — хороший день.",
    );
    await oleg.expectMessage(/выгодоприобретателем/);
    await oleg.send("🆘 Помощь");
    await oleg.click("💛 Беспокоюсь за собеседника");
    await oleg.expectMessage(/Написать собеседнику, что ты за него беспокоишься/);
    await oleg.click("Да, написать");
    await oleg.expectMessage(/Спасибо за заботу[\s\S]*просто будь рядом/);
    await mira.expectMessage(/беспокоится о тебе[\s\S]*8-800-2000-122/);
    await moderator.expectMessage(/Признаки кризиса \(тяжесть 3/);
    // Mira's end is the gentle one: help and a check-in, no rating.
    await mira.send("/end");
    await mira.click("Да, завершить");
    await mira.expectMessage(/Хочешь, я напишу тебе завтра/);
  });

  it("a report ends the chat for both, reaches the moderators with evidence, and they can ban; the banned person appeals once", async () => {
    const [mila, nikita] = await matchedPair(e2e.client, ["Мила", "Никита"], ["Ясная Лань", "Добрый Барсук"]);
    await nikita.send("Продаю курсы по саморазвитию, скидка 50% только сегодня");
    const evidence = await mila.expectMessage(/курсы по саморазвитию/);
    await mila.send("/report");
    await mila.click("Спам или реклама");
    await mila.expectMessage(/переслать сюда сообщения/);
    // Forwarding the peer's message from the chat: it goes to the moderators, never to the peer.
    await mila.forward(evidence.message_id);
    await mila.expectMessage(/прикреплено к жалобе/);
    await mila.send("Он мне что-то продаёт");
    await mila.expectMessage(/Комментарий добавлен/);
    await mila.click("Отправить жалобу");
    await mila.expectMessage(/Спасибо, жалоба отправлена/);
    await nikita.expectMessage(/Разговор завершён/);
    const alert = await moderator.expectMessage(/Жалоба #\d+: Спам или реклама[\s\S]*кнопкой «📝 Текст»/);
    expect(alert.text).not.toContain("что-то продаёт");
    // Ids and categories only: the post outlives both people's /delete.
    expect(alert.text).not.toContain("Добрый Барсук");
    // Each piece says who wrote it: this one came through the bot, so it is the peer's words.
    await moderator.expectMessage(/Доказательства к жалобе[\s\S]*1\. из разговора/);
    await moderator.expectMessage(/курсы по саморазвитию/);
    // The reporter's words are not posted; a moderator reads them on request, as a pop-up.
    expect((await moderator.click({ message_id: alert.message_id, button_text: "📝 Текст" })).text).toMatch(
      /что-то продаёт/,
    );
    // The copy appears a moment before its row is stored: ask until the bot knows it is there.
    await expect
      .poll(
        async () =>
          (await moderator.click({ message_id: alert.message_id, button_text: "📎 Доказательства" })).text,
      )
      .toMatch(/уже в чате/);
    // A second report on the same conversation is refused.
    await mila.send("/report");
    await mila.expectMessage(/Что случилось/);
    await mila.click("Спам или реклама");
    await mila.click("Отправить жалобу");
    await mila.expectMessage(/Жалоба на этот разговор уже отправлена/);

    await moderator.click({ message_id: alert.message_id, button_text: "Заблокировать" });
    await nikita.expectMessage(/закрыли для тебя доступ/);
    await nikita.send("/find");
    await nikita.expectMessage(/закрыт решением модераторов/);
    await nikita.send("/appeal");
    await nikita.expectMessage(/почему решение стоит пересмотреть/);
    await nikita.send("Я погорячился, больше не буду");
    await nikita.expectMessage(/Апелляция передана/);
    const appeal = await moderator.expectMessage(/Апелляция #\d+/);
    expect(appeal.text).not.toContain("погорячился");
    expect((await moderator.click({ message_id: appeal.message_id, button_text: "📝 Текст" })).text).toMatch(
      /погорячился/,
    );
    await nikita.send("/appeal");
    await nikita.expectMessage(/почему решение/);
    await nikita.send("Ещё раз прошу");
    await nikita.expectMessage(/Апелляция на это решение уже отправлена/);
    await moderator.click({ message_id: appeal.message_id, button_text: "Удовлетворить" });
    await nikita.expectMessage(/приняли апелляцию/);
  });

  it("/block ends the chat at once; the blocked person is told only that the chat ended", async () => {
    const [olesya, pyotr] = await matchedPair(e2e.client, ["Олеся", "Пётр"], ["Северная Рысь", "Тёплый Лис"]);
    await olesya.send("/block");
    await olesya.click("Да, заблокировать");
    await olesya.expectMessage(/собеседник заблокирован/);
    const told = await pyotr.expectMessage(/Разговор завершён/);
    expect(told.text).not.toMatch(/заблокир/);
    // Blocking first does not take away the other's right to report the conversation.
    await pyotr.send("/report");
    await pyotr.click("Оскорбления");
    await pyotr.expectMessage(/переслать сюда сообщения/);
    // A comment over the limit is refused before it is kept: the draft survives.
    await pyotr.send("очень длинно ".repeat(50));
    await pyotr.expectMessage(/до 500 символов/);
    await pyotr.send("Она меня оскорбляла");
    await pyotr.expectMessage(/Комментарий добавлен/);
    await pyotr.click("Отправить жалобу");
    await pyotr.expectMessage(/Спасибо, жалоба отправлена/);
    const second = await moderator.expectMessage(/Жалоба #\d+: Оскорбления/);
    expect((await moderator.click({ message_id: second.message_id, button_text: "📝 Текст" })).text).toMatch(
      /Она меня оскорбляла/,
    );
  });

  it("a ban and an appeal decided through the admin API tell the people concerned, like the moderators' chat", async () => {
    const [taisia, ulyan] = await matchedPair(
      e2e.client,
      ["Таисия", "Ульян"],
      ["Звонкий Дрозд", "Хмурый Ёж"],
    );
    const admin = { authorization: `Bearer ${e2e.adminToken}`, "content-type": "application/json" };
    const list = (await (await fetch(`${e2e.bot.url}/admin/users?limit=100`, { headers: admin })).json()) as {
      items: Array<{ id: number; nickname: string | null }>;
    };
    const target = list.items.find((u) => u.nickname === "Хмурый Ёж");
    expect(target).toBeDefined();

    const ban = await fetch(`${e2e.bot.url}/admin/users/${target?.id}/actions`, {
      method: "POST",
      headers: admin,
      body: JSON.stringify({ action: "ban", reason: "угрозы" }),
    });
    expect(ban.status).toBe(200);
    const told = await taisia.expectMessage(/Разговор завершён/);
    expect(told.text).not.toMatch(/модератор|заблокир/);
    await ulyan.expectMessage(/закрыли для тебя доступ/);

    await ulyan.send("/appeal");
    await ulyan.expectMessage(/почему решение стоит пересмотреть/);
    await ulyan.send("Прошу пересмотреть");
    await ulyan.expectMessage(/Апелляция передана/);
    const appeals = (await (await fetch(`${e2e.bot.url}/admin/appeals`, { headers: admin })).json()) as {
      items: Array<{ id: number; user_id: number }>;
    };
    const appeal = appeals.items.find((a) => a.user_id === target?.id);
    expect(appeal).toBeDefined();
    const decision = await fetch(`${e2e.bot.url}/admin/appeals/${appeal?.id}/decision`, {
      method: "POST",
      headers: admin,
      body: JSON.stringify({ grant: false }),
    });
    expect(decision.status).toBe(200);
    await ulyan.expectMessage(/оставили решение в силе/);
  });

  it("/export returns the person's data; /delete leaves no row tied to them", async () => {
    const [rosa, semyon] = await matchedPair(
      e2e.client,
      ["Роза", "Семён"],
      ["Мудрая Черепаха", "Быстрый Заяц"],
    );
    await rosa.send("/export");
    const file = await rosa.expectMessage((m) => m.media?.type === "document");
    expect(file.media?.file_name).toBe("ty-ne-odin-my-data.json");
    await rosa.send("/delete");
    await rosa.click("Да, удалить всё");
    await rosa.expectMessage(/данные удалены/);
    await semyon.expectMessage(/Разговор завершён/);
    await rosa.send("/profile");
    await rosa.expectMessage(/познакомимся с правилами/);
    if (!e2e.dbUrl) await e2e.bot.stop();
    const dump = await dumpDatabase({ ...(e2e.dbUrl ? { url: e2e.dbUrl } : {}), dataDir: e2e.dataDir });
    expect(dump).not.toContain(String(rosa.id));
    expect(dump).not.toContain("Мудрая Черепаха");
    expect(dump).toContain("Быстрый Заяц");
  });
});
