import { Writable } from "node:stream";
import { webhookCallback } from "grammy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isMigrated } from "../../../src/db/migrate.ts";
import { createServer } from "../../../src/http/server.ts";
import { createMemoryInfra } from "../../../src/infra/memory.ts";
import { createLogger } from "../../../src/logger.ts";
import { createMetrics } from "../../../src/metrics.ts";
import { createTestBot } from "../../helpers/bot-world.ts";
import { createTestDatabase, type TestDatabase } from "../../helpers/db.ts";
import { recordTelegramCalls, textUpdate } from "../../helpers/fake-telegram.ts";

const SECRET = "test-webhook-secret-0123456789";

describe("HTTP server: webhook, health, readiness, metrics, error contract", () => {
  let t: TestDatabase;
  let app: Awaited<ReturnType<typeof createServer>>;
  let calls: ReturnType<typeof recordTelegramCalls>;
  let metrics: ReturnType<typeof createMetrics>;
  let readyFlag = true;

  beforeAll(async () => {
    t = await createTestDatabase();
    const logger = createLogger({
      level: "silent",
      destination: new Writable({ write: (_c, _e, cb) => cb() }),
    });
    metrics = createMetrics({ collectDefault: false });
    const infra = createMemoryInfra();
    const appBot = createTestBot({ db: t.db, infra, logger, metrics });
    calls = recordTelegramCalls(appBot.bot);
    app = await createServer({
      logger,
      metrics,
      readiness: [
        { name: "database", check: () => t.ping() },
        { name: "migrations", check: () => isMigrated(t.db) },
        { name: "flag", check: async () => readyFlag },
      ],
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

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    app.inject({
      method: "POST",
      url: "/telegram/webhook",
      headers: { "content-type": "application/json", ...headers },
      payload: typeof body === "string" ? body : JSON.stringify(body),
    });

  it("rejects a missing or wrong secret with 401 and processes nothing", async () => {
    const update = textUpdate({ id: 4242, first_name: "Анна" }, "/help");
    for (const headers of [{}, { "x-telegram-bot-api-secret-token": "wrong-secret-0123456789" }] as Array<
      Record<string, string>
    >) {
      const res = await post(update, headers);
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({
        error: { code: "unauthorized", message: "Wrong or missing secret token" },
      });
    }
    expect(calls).toHaveLength(0);
    // The same update with the right secret is still handled: the refused attempts left no trace.
    const ok = await post(update, { "x-telegram-bot-api-secret-token": SECRET });
    expect(ok.statusCode).toBe(200);
    expect(calls.map((c) => c.method)).toEqual(["sendMessage"]);
    expect(String(calls[0]?.payload.text)).toMatch(/Команды:/);
  });

  it("handles a repeated update_id once", async () => {
    calls.length = 0;
    const update = textUpdate({ id: 4243, first_name: "Борис" }, "/start");
    const first = await post(update, { "x-telegram-bot-api-secret-token": SECRET });
    const second = await post(update, { "x-telegram-bot-api-secret-token": SECRET });
    expect([first.statusCode, second.statusCode]).toEqual([200, 200]);
    expect(calls).toHaveLength(1);
    const text = await metrics.registry.getSingleMetricAsString("bot_updates_duplicate_total");
    expect(text).toMatch(/bot_updates_duplicate_total 1/);
  });

  it("answers malformed and oversized bodies with the JSON error contract", async () => {
    const headers = { "x-telegram-bot-api-secret-token": SECRET };
    const noId = await post({ message: {} }, headers);
    expect(noId.statusCode).toBe(400);
    expect(noId.json().error.code).toBe("bad_request");
    const notJson = await post("{not json", headers);
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json().error.code).toBe("bad_request");
    const huge = await post({ update_id: 1, padding: "x".repeat(300 * 1024) }, headers);
    expect(huge.statusCode).toBe(413);
    expect(huge.json().error.code).toBe("payload_too_large");
  });

  it("serves /health, /ready (200, then 503 when a dependency fails) and /metrics", async () => {
    const health = await app.inject({ method: "GET", url: "/health" });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: "ok" });
    expect(health.headers["x-content-type-options"]).toBe("nosniff");

    const ready = await app.inject({ method: "GET", url: "/ready" });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: "ok", checks: { database: true, migrations: true, flag: true } });
    readyFlag = false;
    const notReady = await app.inject({ method: "GET", url: "/ready" });
    readyFlag = true;
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json().checks.flag).toBe(false);

    const m = await app.inject({ method: "GET", url: "/metrics" });
    expect(m.statusCode).toBe(200);
    expect(m.body).toMatch(/bot_update_duration_seconds_count\{type="message",outcome="ok"\} \d+/);
    expect(m.body).toMatch(/http_request_duration_seconds_bucket\{.*route="\/health"/);
  });

  it("answers unknown routes with 404 in the error contract and publishes OpenAPI at /docs", async () => {
    const res = await app.inject({ method: "GET", url: "/nope?x=1" });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: "not_found", message: "No route GET /nope" } });
    const spec = await app.inject({ method: "GET", url: "/docs/json" });
    expect(spec.statusCode).toBe(200);
    expect(Object.keys(spec.json().paths)).toEqual(
      expect.arrayContaining(["/telegram/webhook", "/health", "/ready", "/metrics"]),
    );
    const ui = await app.inject({ method: "GET", url: "/docs/" });
    expect(ui.statusCode).toBe(200);
    expect(ui.headers["content-type"]).toMatch(/text\/html/);
  });
});
