import { Writable } from "node:stream";
import { webhookCallback } from "grammy";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createServer } from "../../../src/http/server.ts";
import { createMemoryInfra } from "../../../src/infra/memory.ts";
import { createLogger } from "../../../src/logger.ts";
import { createMetrics } from "../../../src/metrics.ts";
import { createTestBot } from "../../helpers/bot-world.ts";
import { createTestDatabase, type TestDatabase } from "../../helpers/db.ts";
import { recordTelegramCalls, TEST_BOT_INFO, textUpdate } from "../../helpers/fake-telegram.ts";

const SECRET = "test-webhook-secret-give-back-01";

/**
 * Issue 18: an update is handled once across replicas and never dropped. A dependency that is down
 * (here Telegram answering 5xx) gives the update back — 5xx to the webhook, no apology — and the
 * redelivery is handled; an update claimed by a replica that died is taken over when its lease lapses;
 * one finished elsewhere is skipped.
 */
describe("webhook: give back, take over, skip", () => {
  let t: TestDatabase;
  let app: Awaited<ReturnType<typeof createServer>>;
  let calls: ReturnType<typeof recordTelegramCalls>;
  let metrics: ReturnType<typeof createMetrics>;
  const infra = createMemoryInfra();
  let telegramDown = false;
  let failNext: { error_code: number; description: string } | undefined;

  beforeAll(async () => {
    t = await createTestDatabase();
    const logger = createLogger({
      level: "silent",
      destination: new Writable({ write: (_c, _e, cb) => cb() }),
    });
    metrics = createMetrics({ collectDefault: false });
    const appBot = createTestBot({ db: t.db, infra, logger, metrics, canGiveBack: true });
    calls = recordTelegramCalls(appBot.bot, {
      failWith: () => {
        if (telegramDown) return { error_code: 502, description: "Bad Gateway" };
        const once = failNext;
        failNext = undefined;
        return once;
      },
    });
    app = await createServer({
      logger,
      metrics,
      readiness: [],
      webhook: {
        secret: SECRET,
        handle: webhookCallback(appBot.bot, "fastify", { secretToken: SECRET, onTimeout: "return" }),
      },
    });
  });
  afterAll(async () => {
    await app.close();
    await t.destroy();
  });
  beforeEach(() => {
    calls.length = 0;
    telegramDown = false;
  });

  const post = (body: unknown) =>
    app.inject({
      method: "POST",
      url: "/telegram/webhook",
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET },
      payload: JSON.stringify(body),
    });
  const key = (updateId: number) => `upd:${TEST_BOT_INFO.id}:${updateId}`;

  it("Telegram down: the update is given back (5xx, no apology) and handled when redelivered", async () => {
    const update = textUpdate({ id: 5101, first_name: "Вера" }, "/help");
    telegramDown = true;
    const first = await post(update);
    expect(first.statusCode).toBe(503);
    expect(first.json()).toEqual({
      error: { code: "unavailable", message: "A dependency is down; send this update again later" },
    });
    // One attempt at the answer and no second sendMessage: no apology for an outage.
    expect(calls.map((c) => c.method)).toEqual(["sendMessage"]);
    expect(await infra.kv.get(key(update.update_id))).toBeNull();
    const given = await metrics.registry.getSingleMetricAsString("bot_updates_given_back_total");
    expect(given).toMatch(/bot_updates_given_back_total\{dependency="telegram"\} 1/);

    telegramDown = false;
    calls.length = 0;
    const again = await post(update);
    expect(again.statusCode).toBe(200);
    expect(calls.map((c) => c.method)).toEqual(["sendMessage"]);
    expect(String(calls[0]?.payload.text)).toMatch(/Команды:/);
    expect(await infra.kv.get(key(update.update_id))).toBe("done");
  });

  it("a bot bug is not given back: the person gets an apology and the update is done", async () => {
    // A 400 is the bot's own mistake, not an outage: retrying it later would fail the same way.
    const update = textUpdate({ id: 5102, first_name: "Глеб" }, "/help");
    failNext = { error_code: 400, description: "Bad Request: message text is empty" };
    const res = await post(update);
    expect(res.statusCode).toBe(200);
    expect(calls.map((c) => c.method)).toEqual(["sendMessage", "sendMessage"]);
    expect(String(calls[1]?.payload.text)).not.toMatch(/Команды:/);
    expect(await infra.kv.get(key(update.update_id))).toBe("done");
  });

  it("an update claimed by a replica that stopped renewing is taken over when the lease lapses", async () => {
    const update = textUpdate({ id: 5103, first_name: "Дина" }, "/help");
    await infra.kv.set(key(update.update_id), "working", 300);
    const started = Date.now();
    const res = await post(update);
    expect(res.statusCode).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(calls.map((c) => c.method)).toEqual(["sendMessage"]);
    expect(await infra.kv.get(key(update.update_id))).toBe("done");
  });

  it("an update another replica finishes while this one waits is skipped", async () => {
    const update = textUpdate({ id: 5104, first_name: "Ева" }, "/help");
    await infra.kv.set(key(update.update_id), "working", 5_000);
    setTimeout(() => void infra.kv.set(key(update.update_id), "done", 60_000), 200);
    const res = await post(update);
    expect(res.statusCode).toBe(200);
    expect(calls).toHaveLength(0);
  });
});
