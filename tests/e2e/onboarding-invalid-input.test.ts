/**
 * Invalid input during onboarding and the profile, each checked three ways: the person reads the
 * reason in Russian, is asked the same question again, and the database holds nothing new.
 *
 * The app runs in this process (startApp, exactly as `src/main.ts` wires it, polling the local Bot
 * API sandbox), so every answer can be checked against its PGlite database at once instead of
 * stopping a child process for each look.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSandbox, type Sandbox, SandboxClient, type SandboxUserHandle } from "../../sandbox/index.ts";
import { type RunningApp, startApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { flowStates, matchQueue, users, userTopics, userWishlistTopics } from "../../src/db/schema.ts";
import { RULES_VERSION } from "../../src/services/profile.ts";
import { dumpDatabase } from "../helpers/db-dump.ts";
import {
  ACCEPT_RULES,
  acceptRules,
  buttonsOf,
  chooseTopics,
  fillProfile,
  registeredPerson,
} from "../helpers/people.ts";

describe("invalid input in onboarding and the profile: a reason, the question again, nothing saved", () => {
  let sandbox: Sandbox;
  let client: SandboxClient;
  let app: RunningApp;
  let dataDir: string;
  let stopped = false;

  beforeAll(async () => {
    sandbox = await createSandbox({ port: 0 });
    client = new SandboxClient(sandbox.url);
    dataDir = mkdtempSync(join(tmpdir(), "tno-input-"));
    const config = loadConfig({
      NODE_ENV: "test",
      LOG_LEVEL: "warn",
      BOT_MODE: "polling",
      TELEGRAM_BOT_TOKEN: sandbox.token,
      TELEGRAM_API_ROOT: sandbox.apiRoot,
      HOST: "127.0.0.1",
      PORT: "0",
      DATA_DIR: dataDir,
      TELEGRAM_PER_CHAT_MIN_MS: "0",
      ADMIN_TOKEN: "admin-token-for-input-tests",
      INTERNAL_API_SECRET: "internal-secret-for-input-tests",
    });
    const quiet = new Writable({ write: (_chunk, _enc, cb) => cb() });
    app = await startApp(config, { role: "all", logDestination: quiet });
  }, 60_000);

  afterAll(async () => {
    if (!stopped) await app?.stop();
    await sandbox?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const db = () => app.db.db;

  async function userRow(person: SandboxUserHandle) {
    const [row] = await db().select().from(users).where(eq(users.tgId, person.id));
    return row;
  }

  async function topicCount(person: SandboxUserHandle, table: typeof userTopics | typeof userWishlistTopics) {
    const row = await userRow(person);
    if (!row) return 0;
    const [c] = await db().select({ n: count() }).from(table).where(eq(table.userId, row.id));
    return c?.n ?? 0;
  }

  /** Opens a group (its button may carry a count) on the newest topics screen. */
  async function openGroup(person: SandboxUserHandle, group: string) {
    const label = buttonsOf(await person.lastBotMessage()).find(
      (b) => b === group || b.startsWith(`${group} (`),
    );
    await person.click(label ?? group);
  }

  const SEVEN: Array<[string, string]> = [
    ["Работа и деньги", "Выгорание"],
    ["Работа и деньги", "Потеря работы"],
    ["Переезд и новая жизнь", "Переезд"],
    ["Переезд и новая жизнь", "Одиночество"],
    ["Отношения и семья", "Развод"],
    ["Утрата", "Утрата близкого"],
    ["Здоровье и состояние", "Тревога"],
  ];

  it("a forged or stale «принимаю» registers no one and shows the card again", async () => {
    const fedya = await client.user("Федя");
    // A press without any /start card (forged data) is refused.
    await fedya.send("привет");
    const gate = await fedya.expectMessage(/познакомимся с правилами/);
    const forged = await fedya.click({ message_id: gate.message_id, data: "ob:accept" });
    expect(forged).toMatchObject({ show_alert: true });
    expect(forged.text).toMatch(/кнопка уже не работает/);
    await fedya.expectMessage(/не психотерапия/);
    expect(await userRow(fedya)).toBeUndefined();

    // «Мне нет 18» and then the accept button of the same card, forged: still no one is registered.
    await fedya.send("/start");
    const card = await fedya.expectMessage(/не психотерапия/);
    await fedya.click("Мне нет 18");
    const answered = (await fedya.chat()).find((e) => e.message_id === card.message_id);
    expect(answered?.text).toMatch(/8-800-2000-122/);
    const afterMinor = await fedya.click({ message_id: card.message_id, data: "ob:accept" });
    expect(afterMinor.text).toMatch(/кнопка уже не работает/);
    expect(await userRow(fedya)).toBeUndefined();
    await fedya.send("/profile");
    await fedya.expectMessage(/познакомимся с правилами/);

    // Card buttons that no card sends today (old messages still carry them) lead to today's card.
    const old = await fedya.click({ message_id: card.message_id, data: "ob:card:2" });
    expect(old.text).toMatch(/кнопка уже не работает/);
    expect(await userRow(fedya)).toBeUndefined();

    // The honest way still works.
    await fedya.send("/start");
    await fedya.click(ACCEPT_RULES);
    await fedya.expectMessage(/Шаг 1 из 3/);
    expect(await userRow(fedya)).toMatchObject({ safetyAck: true, rulesVersion: RULES_VERSION });
  });

  it("/find before the rules names the rules; /find with one topic names the topics; nothing is queued", async () => {
    const guest = await client.user("Гость");
    await guest.send("/find");
    await guest.expectMessage(/Сначала давай познакомимся с правилами — нажми \/start/);
    expect(await userRow(guest)).toBeUndefined();

    const rita = await client.user("Рита");
    await acceptRules(rita);
    await rita.send("Рыжая Лиса");
    await rita.click("Москва");
    await chooseTopics(rita, [["Утрата", "Потеря питомца"]]);
    await rita.send("/find");
    await rita.expectMessage(/не хватает: хотя бы 2 тем/);
    const row = await userRow(rita);
    const queued = await db().select().from(matchQueue).where(eq(matchQueue.userId, row!.id));
    expect(queued).toEqual([]);
  });

  it("more than 7 topics is refused with the reason, the choice stays at 7, and nothing is saved until Готово", async () => {
    const tanya = await client.user("Таня");
    await acceptRules(tanya);
    await tanya.send("Тихая Таня");
    await tanya.click("Москва");
    await tanya.expectMessage(/Шаг 3 из 3/);
    await chooseTopics(tanya, SEVEN);

    await openGroup(tanya, "Трудный опыт");
    const eighth = await tanya.click("Травля");
    expect(eighth).toMatchObject({ show_alert: true });
    expect(eighth.text).toBe("Можно выбрать не больше 7 тем.");
    // The same question, with the seven still chosen and «Травля» not among them.
    const screen = await tanya.lastBotMessage();
    expect(screen?.text).toMatch(/Шаг 3 из 3/);
    expect(screen?.text).toMatch(/Выбрано \(7\)/);
    expect(buttonsOf(screen)).toContain("Травля");
    expect(await topicCount(tanya, userTopics)).toBe(0);
    const [flow] = await db()
      .select()
      .from(flowStates)
      .where(eq(flowStates.userId, (await userRow(tanya))!.id));
    expect(flow?.step).toBe("topics");
    expect(Object.keys((flow?.data as { selected?: object } | undefined)?.selected ?? {})).toHaveLength(7);

    // A forged toggle of an eighth topic is refused the same way.
    const forged = await tanya.click({ message_id: screen!.message_id, data: "p:topics:t:999999" });
    expect(forged.text).toMatch(/кнопка уже не работает/);

    await tanya.click("← К разделам");
    await tanya.click("Готово ✓");
    await tanya.expectMessage(/Можно искать собеседника/);
    expect(await topicCount(tanya, userTopics)).toBe(7);
  });

  it("«Другой город…» time zone: nonsense is refused and nothing saved; a city, an IANA name and an offset are understood", async () => {
    const zoya = await client.user("Зоя");
    await acceptRules(zoya);
    await zoya.send("Зоркая Зоя");
    await zoya.expectMessage(/Шаг 2 из 3/);
    await zoya.click("Другой город…");
    await zoya.expectMessage(/Напиши город, название пояса/);
    for (const bad of ["Нарния", "Europe/Atlantis", "UTC+15", "3", "x".repeat(4096)]) {
      await zoya.send(bad);
      await zoya.expectMessage(/Не получилось понять «.+»\. Напиши город, пояс вроде Europe\/Berlin/);
      await zoya.expectMessage(/Шаг 2 из 3/);
      expect((await userRow(zoya))?.tz).toBeNull();
    }
    await zoya.send("новосибирск");
    await zoya.expectMessage(/Часовой пояс: Новосибирск/);
    await zoya.expectMessage(/Шаг 3 из 3/);
    expect((await userRow(zoya))?.tz).toBe("Asia/Novosibirsk");

    const kim = await registeredPerson(client, "Ким", {
      nickname: "Кроткий Кит",
      topics: [
        ["Работа и деньги", "Выгорание"],
        ["Утрата", "Потеря питомца"],
      ],
    });
    await kim.send("/profile");
    await kim.click("✏️ Часовой пояс");
    await kim.click("Другой город…");
    await kim.send("Asia/Nowhere");
    await kim.expectMessage(/Не получилось понять «Asia\/Nowhere»/);
    await kim.expectMessage(/Где ты сейчас/);
    expect((await userRow(kim))?.tz).toBe("Europe/Moscow");
    await kim.send("Asia/Tbilisi");
    await kim.expectMessage(/Сохранено/);
    expect((await userRow(kim))?.tz).toBe("Asia/Tbilisi");

    await kim.click("✏️ Часовой пояс");
    await kim.click("Другой город…");
    await kim.send("UTC+99");
    await kim.expectMessage(/Не получилось понять «UTC\+99»/);
    expect((await userRow(kim))?.tz).toBe("Asia/Tbilisi");
    await kim.send("UTC-3");
    await kim.expectMessage(/Часовой пояс: UTC−3|Часовой пояс: UTC-3/);
    expect((await userRow(kim))?.tz).toBe("Etc/GMT+3");
  });

  it("topics for the future: over 7 is refused with the reason and nothing is saved until Готово", async () => {
    const lev = await registeredPerson(client, "Лев", {
      nickname: "Лесной Лев",
      topics: [
        ["Работа и деньги", "Выгорание"],
        ["Утрата", "Потеря питомца"],
      ],
    });
    await lev.send("/profile");
    await lev.click("✏️ Темы на будущее");
    await lev.expectMessage(/Темы на будущее/);
    await chooseTopics(lev, SEVEN);
    await openGroup(lev, "Трудный опыт");
    const eighth = await lev.click("Травля");
    expect(eighth).toMatchObject({ show_alert: true });
    expect(eighth.text).toBe("Тем на будущее может быть не больше 7.");
    const screen = await lev.lastBotMessage();
    expect(screen?.text).toMatch(/Темы на будущее/);
    expect(screen?.text).toMatch(/Выбрано \(7\)/);
    expect(await topicCount(lev, userWishlistTopics)).toBe(0);

    await lev.click("Готово ✓");
    await lev.expectMessage(/Темы на будущее: .*Выгорание/);
    expect(await topicCount(lev, userWishlistTopics)).toBe(7);
  });

  it("a new rules version asks again: nothing works until the new rules are accepted, and the profile is kept", async () => {
    const vera = await registeredPerson(client, "Вера", {
      nickname: "Верная Ива",
      topics: [
        ["Работа и деньги", "Выгорание"],
        ["Утрата", "Потеря питомца"],
      ],
    });
    const before = await userRow(vera);
    // What a deploy with RULES_VERSION + 1 looks like to someone who accepted the previous rules.
    await db()
      .update(users)
      .set({ rulesVersion: RULES_VERSION - 1 })
      .where(eq(users.id, before!.id));

    await vera.send("/find");
    await vera.expectMessage(/познакомимся с правилами/);
    await vera.send("/profile");
    await vera.expectMessage(/познакомимся с правилами/);
    expect(await db().select().from(matchQueue).where(eq(matchQueue.userId, before!.id))).toEqual([]);

    await vera.send("/start");
    await vera.expectMessage(/Правила обновились/);
    await vera.expectMessage(/не психотерапия/);
    expect((await userRow(vera))?.rulesVersion).toBe(RULES_VERSION - 1);
    await vera.click(ACCEPT_RULES);
    const profileCard = await vera.expectMessage(/Темы:/);
    expect(profileCard.text).toContain("Верная Ива");
    const after = await userRow(vera);
    expect(after).toMatchObject({ id: before!.id, safetyAck: true, rulesVersion: RULES_VERSION });
    expect(after!.safetyAckAt!.getTime()).toBeGreaterThan(before!.safetyAckAt!.getTime());
    await vera.send("/find");
    await vera.expectMessage(/Ищу собеседника/);
  });

  it("a /start deep link is kept until the rules are accepted and then stored with the person", async () => {
    const kv = app.infra.kv;
    const ann = await client.user("Аня");
    await ann.send("/start spring_2025-ref");
    await ann.expectMessage(/не психотерапия/);
    expect(await kv.get(`start-payload:${ann.id}`)).toBe("spring_2025-ref");
    expect(await userRow(ann)).toBeUndefined();
    await ann.click(ACCEPT_RULES);
    await ann.expectMessage(/Шаг 1 из 3/);
    expect((await userRow(ann))?.startPayload).toBe("spring_2025-ref");
    expect(await kv.get(`start-payload:${ann.id}`)).toBeNull();

    // A payload Telegram would never send (spaces, other characters, too long) is not kept.
    for (const [name, payload] of [
      ["Боря", "drop table users"],
      ["Гена", "ref<script>"],
      ["Дина", "a".repeat(65)],
    ] as const) {
      const person = await client.user(name);
      await person.send(`/start ${payload}`);
      await person.expectMessage(/не психотерапия/);
      expect(await kv.get(`start-payload:${person.id}`)).toBeNull();
    }
  });

  // Last: it stops the app, because the dump opens the database files itself.
  it("after onboarding and the profile, the database holds none of the Telegram names", async () => {
    const person = await client.user("Евлампия", { last_name: "Засекреченная", username: "evlampia_zsk_tg" });
    await acceptRules(person);
    await fillProfile(person, {
      nickname: "Ночная Сова",
      city: "Екатеринбург",
      topics: [
        ["Работа и деньги", "Выгорание"],
        ["Утрата", "Потеря питомца"],
      ],
      bio: "Люблю долгие прогулки",
    });

    stopped = true;
    await app.stop();
    const dump = await dumpDatabase({ dataDir });
    expect(dump).toContain("Ночная Сова");
    expect(dump).toContain("Люблю долгие прогулки");
    for (const secret of ["Евлампия", "Засекреченная", "evlampia_zsk_tg", "evlampia"]) {
      expect(dump.toLowerCase()).not.toContain(secret.toLowerCase());
    }
  });
});
