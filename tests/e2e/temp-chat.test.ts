import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type E2E, startE2E } from "../helpers/bot-process.ts";
import { matchedPair } from "../helpers/people.ts";

describe("temp-chat (/timer), through the sandbox", () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await startE2E({ mode: "polling", env: { CHAT_TIMERS_EVERY_MS: "1000" } });
  });
  afterAll(async () => {
    await e2e?.close();
  });

  it("a timer starts only when the peer agrees; /timer then shows the time left", async () => {
    const [anna, boris] = await matchedPair(e2e.client, ["Анна", "Борис"], ["Тихая Сова", "Смелый Кит"]);
    await anna.send("/timer");
    await anna.expectMessage(/На сколько сделать разговор временным/);
    await anna.click("48 ч");
    await anna.expectMessage(/Вопрос отправлен собеседнику/);
    await boris.expectMessage(/предлагает сделать разговор временным — на 48 ч/);
    await boris.click("✅ Да");
    await anna.expectMessage(/Договорились: разговор временный, завершится через 48 ч/);
    await boris.expectMessage(/Договорились: разговор временный, завершится через 48 ч/);
    await boris.send("/timer");
    await boris.expectMessage(/Разговор завершится через (47 ч 59 мин|48 ч 0 мин)/);
    await anna.send("/end");
    await anna.click("Да, завершить");
    await boris.expectMessage(/Собеседник завершил разговор/);
  });

  it("declining keeps the chat as it was", async () => {
    const [vera, gleb] = await matchedPair(e2e.client, ["Вера", "Глеб"], ["Добрый Ёж", "Тёплый Лис"]);
    await gleb.send("/timer");
    await gleb.click("24 ч");
    await vera.expectMessage(/предлагает сделать разговор временным — на 24 ч/);
    await vera.click("➖ Нет, без таймера");
    await vera.expectMessage(/Хорошо, без таймера/);
    await gleb.expectMessage(/ответил «без таймера»/);
    await gleb.send("/timer");
    await gleb.expectMessage(/На сколько сделать разговор временным/);
    await gleb.send("/end");
    await gleb.click("Да, завершить");
  });

  // The countdown is moved in the bot's database; embedded mode keeps it inside the bot's process.
  it.runIf(Boolean(process.env.DATABASE_URL))(
    "«продлить?» reaches both before the end; both yes extends; one no ends it at its time like /end",
    async () => {
      const [dina, egor] = await matchedPair(e2e.client, ["Дина", "Егор"], ["Ясная Заря", "Мудрый Филин"]);
      await dina.send("/timer");
      await dina.click("24 ч");
      await egor.click("✅ Да");
      await dina.expectMessage(/Договорились/);
      const database = new pg.Client({ connectionString: e2e.dbUrl });
      await database.connect();
      try {
        const move = (sql: string) => database.query(sql);
        await move(
          "update chat_sessions set expires_at = now() + interval '90 minutes' where ended_at is null and expires_at is not null",
        );
        await dina.expectMessage(/Разговор завершится через 1 ч (29|30) мин. Продлить ещё на сутки/, {
          timeoutMs: 10_000,
        });
        await egor.expectMessage(/Продлить ещё на сутки/);
        await dina.click("Продлить");
        await dina.expectMessage(/Ждём ответа собеседника/);
        await egor.click("Продлить");
        await dina.expectMessage(/Продлили на сутки: разговор завершится через 25 ч (29|30) мин/);
        await egor.expectMessage(/Продлили на сутки/);

        await move(
          "update chat_sessions set expires_at = now() + interval '30 minutes' where ended_at is null and expires_at is not null",
        );
        await egor.expectMessage(/Разговор завершится через (29|30) мин. Продлить/, { timeoutMs: 10_000 });
        await egor.click("Не продлевать");
        await egor.expectMessage(/Хорошо, не продлеваем/);
        await dina.expectMessage(/Собеседник ответил «не продлевать»/);
        await move(
          "update chat_sessions set expires_at = now() where ended_at is null and expires_at is not null",
        );
        await dina.expectMessage(/Время разговора истекло/, { timeoutMs: 10_000 });
        await egor.expectMessage(/Время разговора истекло[\s\S]*Насколько этот разговор тебе помог/);
        await egor.send("/timer");
        await egor.expectMessage(/Таймер ставится во время разговора/);
        const [row] = (
          await move("select end_reason, extended_count from chat_sessions where end_reason = 'expired'")
        ).rows;
        expect(row).toEqual({ end_reason: "expired", extended_count: 1 });
      } finally {
        await database.end();
      }
    },
  );
});
