import { Writable } from "node:stream";
import { eq } from "drizzle-orm";
import { webhookCallback } from "grammy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { users } from "../../../src/db/schema.ts";
import { createServer } from "../../../src/http/server.ts";
import { createMemoryInfra } from "../../../src/infra/memory.ts";
import { createLogger, createPseudonymizer } from "../../../src/logger.ts";
import { createMetrics } from "../../../src/metrics.ts";
import { createTestBot } from "../../helpers/bot-world.ts";
import { createTestDatabase, type TestDatabase } from "../../helpers/db.ts";
import { callbackUpdate, recordTelegramCalls, textUpdate } from "../../helpers/fake-telegram.ts";

const SECRET = "privacy-webhook-secret-0123456789";
const person = { id: 987654321, first_name: "Светлана", username: "svetlana_private_handle" };
const unlucky = { id: 555666777, first_name: "Григорий", username: "grigory_secret" };
const texts = [
  "Мне очень тяжело после развода, не знаю к кому обратиться",
  "Мой телефон +7 999 123-45-67, почта sveta@example.com",
];

describe("logs contain no people", () => {
  const lines: string[] = [];
  let app: Awaited<ReturnType<typeof createServer>>;
  let t: TestDatabase;
  const pseudonymize = createPseudonymizer("log-hash-secret-for-tests");

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(...String(chunk).split("\n").filter(Boolean));
        cb();
      },
    });
    const logger = createLogger({ level: "trace", destination: sink });
    const metrics = createMetrics({ collectDefault: false });
    t = await createTestDatabase();
    const infra = createMemoryInfra();
    const appBot = createTestBot({ db: t.db, infra, logger, metrics, pseudonymize });
    // Every call to the unlucky person fails like Telegram does, so the error paths log too.
    recordTelegramCalls(appBot.bot, {
      failWith: (call) =>
        call.payload.chat_id === unlucky.id
          ? { error_code: 400, description: "Bad Request: chat not found" }
          : undefined,
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
    const send = (update: unknown) =>
      app.inject({
        method: "POST",
        url: "/telegram/webhook",
        headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET },
        payload: JSON.stringify(update),
      });
    // Registration and the first profile steps, with a nickname that is a real-looking name.
    await send(textUpdate(person, "/start"));
    await send(callbackUpdate(person, "ob:accept"));
    await send(textUpdate(person, person.first_name));
    await send(callbackUpdate(person, "p:timezone:city:1"));
    for (const text of ["/help", ...texts]) await send(textUpdate(person, text));
    await send(textUpdate(unlucky, "/help"));
    await send(textUpdate(unlucky, texts[0]!));
    // A forged request with the person's data in it: refused, and still not logged.
    await app.inject({
      method: "POST",
      url: "/telegram/webhook",
      headers: {
        "content-type": "application/json",
        "x-telegram-bot-api-secret-token": "nope-nope-nope-nope",
      },
      payload: JSON.stringify(textUpdate(person, texts[1]!)),
    });
  });
  afterAll(async () => {
    await app.close();
    await t.destroy();
  });

  it("logs the flow, errors included, with ids only as keyed hashes", async () => {
    // The flow really ran: the person is registered under the name they typed.
    const [row] = await t.db.select().from(users).where(eq(users.tgId, person.id));
    expect(row?.nickname).toBe(person.first_name);
    expect(row?.tz).toBe("Europe/Moscow");
    expect(lines.length).toBeGreaterThan(5);
    const all = lines.join("\n");
    expect(all).toContain("update handled");
    expect(all).toContain("update handling failed");
    expect(all).toContain(pseudonymize(unlucky.id));
    expect(all).toContain(pseudonymize(person.id));
    for (const secret of [
      String(person.id),
      String(unlucky.id),
      person.first_name,
      person.username,
      unlucky.first_name,
      unlucky.username,
      ...texts,
      "999 123-45-67",
      "sveta@example.com",
    ]) {
      expect(all, `log leaks ${secret}`).not.toContain(secret);
    }
  });
});
