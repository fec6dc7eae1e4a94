import { autoRetry } from "@grammyjs/auto-retry";
import { Bot, GrammyError } from "grammy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startedUser, startSandbox } from "./helpers.ts";

let h: Harness;
let chatId: number;
beforeAll(async () => {
  h = await startSandbox();
  chatId = (await startedUser(h, "Олег")).id;
});
afterAll(() => h.close());

describe("fault injection", () => {
  it("429 with retry_after is honoured by @grammyjs/auto-retry", async () => {
    await h.client.fault({ method: "sendMessage", error_code: 429, retry_after: 1, count: 1 });
    const bot = new Bot(h.sandbox.token, { client: { apiRoot: h.sandbox.apiRoot } });
    bot.api.config.use(autoRetry({ maxRetryAttempts: 2 }));
    const started = performance.now();
    const msg = await bot.api.sendMessage(chatId, "после паузы");
    const took = performance.now() - started;
    expect(msg.text).toBe("после паузы");
    expect(took).toBeGreaterThanOrEqual(950);
    const calls = await h.client.calls("sendMessage");
    expect(calls.slice(-2).map((c) => c.ok)).toEqual([false, true]);
    expect(calls.at(-2)!.error).toEqual({
      error_code: 429,
      description: "Too Many Requests: retry after 1",
      parameters: { retry_after: 1 },
    });
  });

  it("5xx and 403 faults fail exactly the next N calls", async () => {
    await h.client.fault({ method: "sendMessage", error_code: 502, count: 2 });
    const a = await h.api("sendMessage", { chat_id: chatId, text: "1" });
    const b = await h.api("sendMessage", { chat_id: chatId, text: "2" });
    const c = await h.api("sendMessage", { chat_id: chatId, text: "3" });
    expect([a.status, b.status, c.status]).toEqual([502, 502, 200]);
    expect(a.body).toEqual({ ok: false, error_code: 502, description: "Bad Gateway" });

    await h.client.fault({ method: "*", error_code: 403 });
    const bot = new Bot(h.sandbox.token, { client: { apiRoot: h.sandbox.apiRoot } });
    const err = await bot.api.getMe().catch((e) => e);
    expect(err).toBeInstanceOf(GrammyError);
    expect(err.error_code).toBe(403);
    expect((await bot.api.getMe()).is_bot).toBe(true);
  });

  it("latency is added per method and cleared with DELETE /sandbox/faults", async () => {
    await h.client.fault({ method: "getMe", latency_ms: 300 });
    let started = performance.now();
    await h.api("getMe");
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    await h.client.clearFaults();
    started = performance.now();
    await h.api("getMe");
    expect(performance.now() - started).toBeLessThan(200);
  });

  it("bad control input is a 4xx JSON error", async () => {
    const res = await fetch(`${h.sandbox.url}/sandbox/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ method: "sendMessage" }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: { code: "bad_input", message: "give error_code and/or latency_ms" },
    });
    const bad = await fetch(`${h.sandbox.url}/sandbox/users`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{",
    });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.code).toBe("bad_json");
    const missing = await fetch(`${h.sandbox.url}/sandbox/users/999/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "x" }),
    });
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe("user_not_found");
  });
});
