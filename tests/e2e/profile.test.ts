import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SandboxUserHandle } from "../../sandbox/index.ts";
import { type E2E, startE2E } from "../helpers/bot-process.ts";
import {
  ACCEPT_RULES,
  acceptRules,
  buttonsOf as buttons,
  chooseTopics,
  registeredPerson,
} from "../helpers/people.ts";

describe("onboarding and the anonymous profile, through the sandbox", () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await startE2E({ mode: "polling" });
  });
  afterAll(async () => {
    await e2e?.close();
  });

  interface SavedProfile {
    nickname: string | null;
    tz: string | null;
    bio_short: string | null;
    topics: Record<string, number>;
    wishlist: number;
    flows: number;
  }

  /**
   * What the database holds for these people. On PGlite the bot process owns the files, so it is
   * stopped for the look and started again.
   */
  async function savedProfiles(tgIds: number[]): Promise<Array<SavedProfile | undefined>> {
    const sql = `select u.nickname, u.tz, u.bio_short,
        (select coalesce(json_object_agg(t.title, ut.weight), '{}'::json)
           from user_topics ut join topics t on t.id = ut.topic_id where ut.user_id = u.id) as topics,
        (select count(*)::int from user_wishlist_topics w where w.user_id = u.id) as wishlist,
        (select count(*)::int from flow_states f where f.user_id = u.id) as flows
      from users u where u.tg_id = $1`;
    if (e2e.dbUrl) {
      const client = new pg.Client({ connectionString: e2e.dbUrl });
      await client.connect();
      try {
        return await Promise.all(
          tgIds.map(async (id) => (await client.query<SavedProfile>(sql, [id])).rows[0]),
        );
      } finally {
        await client.end();
      }
    }
    await e2e.bot.stop();
    try {
      const db = await PGlite.create(join(e2e.dataDir, "pglite"));
      try {
        const out: Array<SavedProfile | undefined> = [];
        for (const id of tgIds) out.push((await db.query<SavedProfile>(sql, [id])).rows[0]);
        return out;
      } finally {
        await db.close();
      }
    } finally {
      await e2e.restart();
    }
  }

  /** Counts what the person does: every message sent and every button pressed is one action. */
  function counting(person: SandboxUserHandle) {
    let actions = 0;
    return {
      get actions() {
        return actions;
      },
      send: (text: string) => {
        actions++;
        return person.send(text);
      },
      click: (label: string) => {
        actions++;
        return person.click(label);
      },
    };
  }

  it("takes someone who accepts the defaults from /start to a running search in at most ten actions", async () => {
    const dasha = await e2e.client.user("Даша");
    const me = counting(dasha);
    await me.send("/start");
    const card = await dasha.expectMessage(/не психотерапия/);
    // One card: what this is, the rules, anonymity, help; 18+ and the rules are one answer.
    expect(card.text).toMatch(/Правила/);
    expect(card.text).toMatch(/🆘/);
    expect(buttons(card)).toEqual([ACCEPT_RULES, "Мне нет 18"]);
    await me.click(ACCEPT_RULES);
    // The menu comes with the first answer, so nobody has to know a command.
    const accepted = await dasha.expectMessage(/Три коротких шага/);
    const menu = (accepted.reply_markup?.keyboard ?? []) as Array<Array<{ text: string }>>;
    expect(menu.flat().map((b) => b.text)).toEqual(["🔍 Найти собеседника", "👤 Мой профиль", "🆘 Помощь"]);
    // A pseudonym: calm suggestions, accepted with one tap.
    const nickname = await dasha.expectMessage(/Шаг 1 из 3/);
    const suggestions = buttons(nickname).filter((b) => /^[А-ЯЁ][а-яё]+ [А-ЯЁ][а-яё]+$/.test(b));
    expect(suggestions).toHaveLength(4);
    await me.click(suggestions[0]!);
    // The time zone: the cities where Russian speakers live are one tap.
    const zone = await dasha.expectMessage(/Шаг 2 из 3/);
    for (const city of [
      "Тбилиси",
      "Ереван",
      "Алматы",
      "Белград",
      "Стамбул",
      "Берлин",
      "Тель-Авив",
      "Варшава",
      "Рига",
    ]) {
      expect(buttons(zone)).toContain(city);
    }
    await me.click("Тбилиси");
    await dasha.expectMessage(/Шаг 3 из 3/);
    await me.click("Работа и деньги");
    await me.click("Выгорание");
    await me.click("Потеря работы");
    await me.click("Готово ✓");
    const ready = await dasha.expectMessage(/Можно искать собеседника/);
    expect(buttons(ready)).toEqual(["🔍 Найти собеседника", "✍️ Рассказать о себе подробнее"]);
    await me.click("🔍 Найти собеседника");
    const searching = await dasha.expectMessage(/Ищу собеседника/);
    expect(me.actions).toBeLessThanOrEqual(10);
    // The rest of the profile is offered while the search runs.
    expect(buttons(searching)).toEqual(["Отменить поиск", "✍️ Рассказать о себе подробнее"]);
    await dasha.click("Отменить поиск");
    await dasha.expectMessage(/Поиск остановлен/);

    const [saved] = await savedProfiles([dasha.id]);
    expect(saved).toEqual({
      nickname: suggestions[0],
      tz: "Asia/Tbilisi",
      bio_short: null,
      topics: { Выгорание: 2, "Потеря работы": 2 },
      wishlist: 0,
      flows: 0,
    });
  });

  it("the first steps refuse every invalid input with a reason; «more» then tells the rest, each step its own", async () => {
    const lena = await e2e.client.user("Лена", { username: "lena_real_name" });
    await acceptRules(lena);

    // Nickname: each invalid input gets its reason and the question again.
    const badNames: Array<[string, RegExp]> = [
      ["Я", /хотя бы 2 символа/],
      ["x".repeat(4096), /не больше 32/],
      ["@lena_real", /@ нельзя/],
      ["Лена 89991234567", /номер телефона/],
      ["lena.example.com", /Ссылки/],
      ["Ле\u200Bна", /невидимые символы/],
      ["Ле\u202Eна", /невидимые символы/],
      ["Модератор", /запутать/],
      ["Лена!!!", /только буквы, цифры/],
    ];
    for (const [name, reason] of badNames) {
      await lena.send(name);
      await lena.expectMessage(reason);
      await lena.expectMessage(/Шаг 1 из 3/);
    }
    // «Другие варианты» offers four new pseudonyms in place; one of them is picked.
    const first = buttons(await lena.lastBotMessage());
    await lena.click("🎲 Другие варианты");
    const suggestions = buttons(await lena.lastBotMessage()).filter((b) =>
      /^[А-ЯЁ][а-яё]+ [А-ЯЁ][а-яё]+$/.test(b),
    );
    expect(suggestions).toHaveLength(4);
    expect(suggestions).not.toEqual(first.slice(0, 4));
    await lena.click(suggestions[0]!);
    await lena.expectMessage(/Шаг 2 из 3/);

    // Time zone: nonsense is refused, an offset is understood.
    await lena.send("Марс");
    await lena.expectMessage(/Не получилось понять «Марс»/);
    await lena.send("UTC+5");
    await lena.expectMessage(/Часовой пояс: .*UTC\+5/);
    await lena.expectMessage(/Шаг 3 из 3/);

    // Topics: fewer than two is refused.
    expect((await lena.click("Готово ✓")).text).toMatch(/хотя бы 2 темы/);
    await chooseTopics(lena, [["Работа и деньги", "Выгорание"]]);
    const tooFew = await lena.click("Готово ✓");
    expect(tooFew).toMatchObject({ show_alert: true });
    expect(tooFew.text).toMatch(/хотя бы 2 темы/);
    await chooseTopics(lena, [["Переезд и новая жизнь", "Переезд"]]);
    await lena.click("Готово ✓");
    await lena.expectMessage(/Можно искать собеседника/);

    // «more»: weights first — a tap opens the topic's three weights and sets exactly the one pressed.
    await lena.click("✍️ Рассказать о себе подробнее");
    const weights = await lena.expectMessage(/Подробнее о себе — 1 из 8/);
    expect(weights.text).toMatch(/Выгорание — важно/);
    await lena.click("Выгорание — важно");
    expect(buttons(await lena.lastBotMessage())).toEqual(
      expect.arrayContaining(["немного", "✅ важно", "очень важно"]),
    );
    await lena.click("очень важно");
    expect(buttons(await lena.lastBotMessage())).toContain("Выгорание — очень важно");
    // Looking at it again changes nothing: the weight stays what she chose.
    await lena.click("Выгорание — очень важно");
    expect(buttons(await lena.lastBotMessage())).toContain("✅ очень важно");
    await lena.click("← Ко всем темам");
    expect(buttons(await lena.lastBotMessage())).toContain("Выгорание — очень важно");
    await lena.click("Готово ✓");
    await lena.expectMessage(/Подробнее о себе — 2 из 8/);

    // Bio: contacts are refused with the reason.
    const badBios: Array<[string, RegExp]> = [
      ["Пишите +7 999 123-45-67", /номер телефона/],
      ["lena@example.com — пишите", /адрес почты/],
      ["Мой канал https://t.me/lena", /Ссылки нельзя/],
      ["Я тут @lena_real", /@username нельзя/],
      ["а".repeat(161), /160 символов/],
    ];
    for (const [bio, reason] of badBios) {
      await lena.send(bio);
      await lena.expectMessage(reason);
      await lena.expectMessage(/Подробнее о себе — 2 из 8/);
    }
    await lena.send("Пережила выгорание и переезд, теперь учусь отдыхать");
    await lena.expectMessage(/Подробнее о себе — 3 из 8/);
    await lena.click("Пропустить");
    await lena.expectMessage(/Подробнее о себе — 4 из 8/);
    await lena.click("Непростые — да");
    await lena.expectMessage(/Подробнее о себе — 5 из 8/);
    expect((await lena.click("Готово ✓")).text).toMatch(/хотя бы одно время/);
    await lena.click("Будни вечер");
    await lena.click("Выходные день");
    await lena.click("Готово ✓");
    await lena.expectMessage(/Подробнее о себе — 6 из 8/);
    await lena.click("Да, можно");
    await lena.expectMessage(/Подробнее о себе — 7 из 8[\s\S]*Раз в неделю напоминать, кто мне подходит/);
    await lena.click("Да, раз в неделю");
    await lena.expectMessage(/Темы на будущее/);
    await lena.click("Пропустить");
    await lena.expectMessage(/Спасибо, сохранено/);
    const card = await lena.expectMessage(/Темы:/);
    expect(card.text).toContain(suggestions[0]!);
    expect(card.text).toContain("Выгорание (очень важно), Переезд (важно)");
    expect(card.text).toContain("Пережила выгорание и переезд");
    expect(card.text).toMatch(/Будни вечер, Выходные день/);
    expect(card.text).toMatch(/UTC\+5/);
    expect(card.text).toMatch(/Раз в неделю — кто мне подходит: да/);
    // Nothing was told for the future: no empty line for it.
    expect(card.text).not.toMatch(/Темы на будущее/);
    // The profile never shows the Telegram name or username.
    expect(card.text).not.toContain("lena_real_name");

    // /start now greets her back by pseudonym.
    await lena.send("/start");
    await lena.expectMessage(new RegExp(`С возвращением, ${suggestions[0]}`));
  });

  it("edits every field from the profile card, and Отмена changes nothing", async () => {
    const oleg = await registeredPerson(e2e.client, "Олег", {
      nickname: "Тихий Ёж",
      topics: [
        ["Отношения и семья", "Развод"],
        ["Утрата", "Потеря питомца"],
      ],
    });
    await oleg.send("/profile");
    await oleg.expectMessage(/Тихий Ёж/);

    await oleg.click("✏️ Псевдоним");
    await oleg.send("@oleg");
    await oleg.expectMessage(/@ нельзя/);
    await oleg.send("Смелый Кит");
    await oleg.expectMessage(/Сохранено/);
    await oleg.expectMessage(/Смелый Кит/);

    await oleg.click("✏️ Часовой пояс");
    await oleg.click("Владивосток");
    await oleg.expectMessage(/Владивосток \(UTC\+10\)/);

    await oleg.click("✏️ Темы");
    await chooseTopics(oleg, [["Здоровье и состояние", "Тревога"]]);
    await oleg.click("Готово ✓");
    await oleg.click("Тревога — важно");
    await oleg.click("немного");
    await oleg.click("Готово ✓");
    await oleg.expectMessage(/Тревога \(немного\)/);

    await oleg.click("✏️ О себе");
    await oleg.send("Развёлся два года назад");
    await oleg.expectMessage(/Развёлся два года назад/);
    await oleg.click("✏️ О себе");
    await oleg.click("Убрать описание");
    const noBio = await oleg.expectMessage(/Темы:/);
    expect(noBio.text).not.toContain("О себе");

    await oleg.click("✏️ Цель");
    await oleg.click("Совета из опыта");
    await oleg.expectMessage(/Жду от разговора: Совета из опыта/);
    await oleg.click("✏️ Истории");
    await oleg.click("Любые, даже очень тяжёлые");
    await oleg.expectMessage(/Истории: Любые/);
    await oleg.click("✏️ Время");
    await oleg.click("Любое время");
    await oleg.click("✅ Будни утро");
    await oleg.click("✅ Будни ночь");
    await oleg.click("Готово ✓");
    await oleg.expectMessage(/Время: Будни день, Будни вечер, Выходные утро/);
    await oleg.click("✏️ Предложения");
    await oleg.click("Да, можно");
    await oleg.expectMessage(/Предложения, когда не ищу: да/);
    await oleg.click("✏️ Темы на будущее");
    await chooseTopics(oleg, [["Работа и деньги", "Смена профессии"]]);
    await oleg.click("Готово ✓");
    await oleg.expectMessage(/Темы на будущее: Смена профессии/);

    // Отмена in the middle of an edit keeps the old value.
    await oleg.click("✏️ Псевдоним");
    await oleg.click("Отмена");
    await oleg.expectMessage(/Ничего не поменяли/);
    await oleg.expectMessage(/Смелый Кит/);

    // A button from a finished step changes nothing.
    const stale = await oleg.click("Совета из опыта");
    expect(stale.text).toBe("Эта кнопка уже не работает.");
  });

  it("a tap on a topic never lowers its weight: untick and tick again brings the weight back", async () => {
    const roma = await registeredPerson(e2e.client, "Рома", {
      nickname: "Речной Рома",
      topics: [
        ["Работа и деньги", "Выгорание"],
        ["Утрата", "Потеря питомца"],
      ],
    });
    await roma.send("/profile");
    await roma.expectMessage(/Темы:/);
    await roma.click("✏️ Темы");
    await roma.click("Готово ✓");
    await roma.click("Выгорание — важно");
    await roma.click("очень важно");
    await roma.click("Готово ✓");
    await roma.expectMessage(/Выгорание \(очень важно\)/);

    await roma.click("✏️ Темы");
    await roma.click("Работа и деньги (1)");
    await roma.click("✅ Выгорание");
    await roma.click("Выгорание");
    await roma.click("Готово ✓");
    const weights = await roma.expectMessage(/Какие темы для тебя важнее/);
    expect(buttons(weights)).toContain("Выгорание — очень важно");
  });

  it("«Назад» at every step shows the previous step with the earlier choices kept; «Отмена» saves nothing", async () => {
    const varya = await e2e.client.user("Варя");
    await acceptRules(varya);
    // Step 1 has nowhere to go back to; it can only be cancelled.
    expect(buttons(await varya.lastBotMessage())).not.toContain("← Назад");
    await varya.send("Ясный День");
    await varya.expectMessage(/Шаг 2 из 3/);

    // Time zone → nickname, which shows the pseudonym already given.
    await varya.click("← Назад");
    let back = await varya.expectMessage(/Шаг 1 из 3/);
    expect(back.text).toContain("Сейчас: Ясный День");
    await varya.send("Ясный День");
    await varya.expectMessage(/Шаг 2 из 3/);
    await varya.click("Самара");
    await varya.expectMessage(/Шаг 3 из 3/);

    // Inside a topic group: Назад and Отмена are there too; the chosen topic survives the way back.
    await varya.click("Работа и деньги");
    await varya.click("Выгорание");
    expect(buttons(await varya.lastBotMessage())).toEqual(expect.arrayContaining(["← Назад", "Отмена"]));
    await varya.click("← Назад");
    back = await varya.expectMessage(/Шаг 2 из 3/);
    expect(back.text).toMatch(/Сейчас: Самара/);
    await varya.click("Самара");
    const topics = await varya.expectMessage(/Шаг 3 из 3/);
    expect(topics.text).toMatch(/Выбрано \(1\): Выгорание/);
    expect(buttons(topics)).toEqual(expect.arrayContaining(["Работа и деньги (1)", "← Назад", "Отмена"]));
    await chooseTopics(varya, [
      ["Переезд и новая жизнь", "Переезд"],
      ["Утрата", "Потеря питомца"],
    ]);
    await varya.click("Готово ✓");
    await varya.expectMessage(/Можно искать собеседника/);

    // «more»: weights → bio → back to weights, with the weight as set.
    await varya.click("✍️ Рассказать о себе подробнее");
    await varya.click("Выгорание — важно");
    await varya.click("немного");
    await varya.click("Готово ✓");
    await varya.expectMessage(/Подробнее о себе — 2 из 8/);
    await varya.click("← Назад");
    const weights = await varya.expectMessage(/Подробнее о себе — 1 из 8/);
    expect(buttons(weights)).toEqual(
      expect.arrayContaining(["Выгорание — немного", "Переезд — важно", "Потеря питомца — важно"]),
    );
    await varya.click("Готово ✓");
    await varya.send("Учусь отдыхать");
    await varya.expectMessage(/Подробнее о себе — 3 из 8/);

    // Purpose → bio, with the bio shown and «Убрать описание» offered.
    await varya.click("← Назад");
    back = await varya.expectMessage(/Подробнее о себе — 2 из 8/);
    expect(back.text).toContain("Сейчас: Учусь отдыхать");
    expect(buttons(back)).toContain("Убрать описание");
    await varya.click("Пропустить");
    await varya.click("Совета из опыта");
    await varya.expectMessage(/Подробнее о себе — 4 из 8/);

    // Sensitivity → purpose.
    await varya.click("← Назад");
    back = await varya.expectMessage(/Подробнее о себе — 3 из 8/);
    expect(back.text).toContain("Сейчас: Совета из опыта");
    await varya.click("Совета из опыта");
    await varya.click("Любые, даже очень тяжёлые");
    await varya.expectMessage(/Подробнее о себе — 5 из 8/);

    // Availability → sensitivity; the windows ticked but not yet saved are there on the way forward.
    await varya.click("Будни вечер");
    await varya.click("← Назад");
    back = await varya.expectMessage(/Подробнее о себе — 4 из 8/);
    expect(back.text).toContain("Сейчас: Любые, даже очень тяжёлые");
    await varya.click("Любые, даже очень тяжёлые");
    const availability = await varya.expectMessage(/Подробнее о себе — 5 из 8/);
    expect(buttons(availability)).toContain("✅ Будни вечер");
    await varya.click("Готово ✓");
    await varya.click("Да, можно");
    await varya.expectMessage(/Подробнее о себе — 7 из 8/);
    await varya.click("Нет, не нужно");
    await varya.expectMessage(/Темы на будущее/);

    // Wishlist (inside a group) → the weekly digest, and the choice survives the way back.
    await varya.click("Здоровье и состояние");
    await varya.click("Бессонница");
    await varya.click("← Назад");
    back = await varya.expectMessage(/Подробнее о себе — 7 из 8/);
    expect(back.text).toContain("Сейчас: Нет, не нужно");
    await varya.click("Нет, не нужно");
    const wishlist = await varya.expectMessage(/Темы на будущее/);
    expect(wishlist.text).toMatch(/Выбрано \(1\): Бессонница/);

    // Отмена on the wishlist: Бессонница is not saved; the answered steps are.
    await varya.click("Отмена");
    await varya.expectMessage(/остановимся/);
    const card = await varya.expectMessage(/Темы:/);
    expect(card.text).not.toContain("Бессонница");
    expect(card.text).toContain("Выгорание (немного)");

    // Отмена inside a topic group of the first steps: no topic is saved.
    const grisha = await e2e.client.user("Гриша");
    await acceptRules(grisha);
    await grisha.send("Гром Гриша");
    await grisha.click("Екатеринбург");
    await grisha.click("Утрата");
    await grisha.click("Утрата близкого");
    await grisha.click("Отмена");
    await grisha.expectMessage(/остановимся/);
    await grisha.send("/profile");
    const restarted = await grisha.expectMessage(/Шаг 3 из 3/);
    expect(restarted.text).toMatch(/Пока ничего не выбрано/);

    const [savedVarya, savedGrisha] = await savedProfiles([varya.id, grisha.id]);
    expect(savedVarya).toEqual({
      nickname: "Ясный День",
      tz: "Europe/Samara",
      bio_short: "Учусь отдыхать",
      topics: { Выгорание: 1, Переезд: 2, "Потеря питомца": 2 },
      wishlist: 0,
      flows: 0,
    });
    expect(savedGrisha).toMatchObject({
      nickname: "Гром Гриша",
      tz: "Asia/Yekaterinburg",
      topics: {},
      flows: 1,
    });
  });

  it("refuses forged callback data and keeps people who did not accept the rules out", async () => {
    const stranger = await e2e.client.user("Гость");
    await stranger.send("/profile");
    await stranger.expectMessage(/познакомимся с правилами/);
    await stranger.send("привет");
    const gate = await stranger.expectMessage(/познакомимся с правилами/);
    const forged = await stranger.click({ message_id: gate.message_id, data: "p:card:edit:nickname" });
    expect(forged).toMatchObject({ show_alert: true });
    expect(forged.text).toMatch(/познакомимся с правилами/);
  });

  it("points a person under 18 to the children's helpline and does not register them", async () => {
    const teen = await e2e.client.user("Миша");
    await teen.send("/start");
    await teen.click("Мне нет 18");
    expect((await teen.lastBotMessage())?.text).toMatch(/8-800-2000-122/);
    await teen.send("/profile");
    await teen.expectMessage(/познакомимся с правилами/);
  });

  it("resumes at the same step after a restart mid-flow", async () => {
    const nina = await e2e.client.user("Нина");
    await acceptRules(nina);
    await nina.send("Нина Тихая");
    await nina.click("Самара");
    await nina.expectMessage(/Шаг 3 из 3/);
    await chooseTopics(nina, [["Утрата", "Утрата близкого"]]);

    await e2e.restart();

    await nina.send("/profile");
    const resumed = await nina.expectMessage(/Шаг 3 из 3/);
    expect(resumed.text).toMatch(/Выбрано \(1\): Утрата близкого/);
    await chooseTopics(nina, [["Утрата", "Потеря питомца"]]);
    await nina.click("Готово ✓");
    await nina.expectMessage(/Можно искать собеседника/);
  });
});
