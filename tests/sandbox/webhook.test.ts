import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createSandbox, SandboxClient } from "../../sandbox/index.ts";
import { type Harness, startSandbox } from "./helpers.ts";

interface Received {
  headers: IncomingHttpHeaders;
  body: any;
  at: number;
}

/** A tiny webhook receiver whose answers the test scripts (status codes, or a webhook reply body). */
async function receiver(answers: (n: number, body: any) => { status: number; body?: unknown }) {
  const received: Received[] = [];
  const waiters: (() => void)[] = [];
  const server = createServer((req, res) => {
    let data = "";
    req.on("data", (c) => {
      data += c;
    });
    req.on("end", () => {
      const body = JSON.parse(data);
      received.push({ headers: req.headers, body, at: performance.now() });
      const answer = answers(received.length, body);
      res.writeHead(answer.status, { "content-type": "application/json" });
      res.end(answer.body === undefined ? "" : JSON.stringify(answer.body));
      for (const w of waiters.splice(0)) w();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return {
    url,
    received,
    async waitFor(count: number) {
      while (received.length < count) await new Promise<void>((r) => waiters.push(r));
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

let h: Harness;
const cleanups: (() => Promise<void>)[] = [];
beforeAll(async () => {
  h = await startSandbox({ webhookRetryBaseMs: 100, webhookRetryMaxMs: 1000 });
});
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});
afterAll(() => h.close());

describe("webhooks", () => {
  it("POSTs updates as JSON with the secret token header", async () => {
    const token = "7200000001:webhook_test_one";
    const hook = await receiver(() => ({ status: 200 }));
    cleanups.push(hook.close);
    const set = await h.api("setWebhook", { url: hook.url, secret_token: "s3cr3t_Token-1" }, token);
    expect(set.body).toEqual({ ok: true, result: true });
    const user = await new SandboxClient(h.sandbox.url, { bot: token }).user("Вера");
    await user.send("/start");
    await hook.waitFor(1);
    expect(hook.received[0]!.headers["x-telegram-bot-api-secret-token"]).toBe("s3cr3t_Token-1");
    expect(hook.received[0]!.headers["content-type"]).toBe("application/json");
    expect(hook.received[0]!.body.message).toMatchObject({
      text: "/start",
      entities: [{ type: "bot_command", offset: 0, length: 6 }],
    });
    const info = (await h.api("getWebhookInfo", {}, token)).body.result;
    expect(info).toMatchObject({ url: hook.url, pending_update_count: 0, has_custom_certificate: false });
  });

  it("retries with growing backoff on non-2xx until delivered, reporting the error meanwhile", async () => {
    const token = "7200000002:webhook_test_two";
    const hook = await receiver((n) => ({ status: n <= 3 ? 500 : 200 }));
    cleanups.push(hook.close);
    await h.api("setWebhook", { url: hook.url }, token);
    const user = await new SandboxClient(h.sandbox.url, { bot: token }).user("Глеб");
    await user.send("раз");
    await hook.waitFor(2);
    const during = (await h.api("getWebhookInfo", {}, token)).body.result;
    expect(during.pending_update_count).toBe(1);
    expect(during.last_error_message).toBe("Wrong response from the webhook: 500 Internal Server Error");
    await hook.waitFor(4);
    const ids = hook.received.map((r) => r.body.update_id);
    expect(new Set(ids).size).toBe(1);
    // Backoff doubles: 100, 200, 400 ms (timers never fire early, so lower bounds are robust).
    const gaps = hook.received.slice(1).map((r, i) => r.at - hook.received[i]!.at);
    expect(gaps[0]).toBeGreaterThanOrEqual(95);
    expect(gaps[1]).toBeGreaterThanOrEqual(195);
    expect(gaps[2]).toBeGreaterThanOrEqual(395);
    const after = (await h.api("getWebhookInfo", {}, token)).body.result;
    expect(after.pending_update_count).toBe(0);
    // Later updates arrive in order after the retried one.
    await user.send("два");
    await hook.waitFor(5);
    expect(hook.received[4]!.body.message.text).toBe("два");
  });

  it("a webhook reply in the response body is executed", async () => {
    const token = "7200000003:webhook_test_three";
    const hook = await receiver((_n, body) => ({
      status: 200,
      body: { method: "sendMessage", chat_id: body.message.chat.id, text: "Ответ из вебхука" },
    }));
    cleanups.push(hook.close);
    await h.api("setWebhook", { url: hook.url }, token);
    const user = await new SandboxClient(h.sandbox.url, { bot: token }).user("Даша");
    await user.send("привет");
    await user.expectMessage("Ответ из вебхука");
  });

  it("deleteWebhook keeps pending updates for getUpdates unless asked to drop them", async () => {
    const token = "7200000004:webhook_test_four";
    await h.api("setWebhook", { url: "http://127.0.0.1:9/unreachable" }, token);
    const user = await new SandboxClient(h.sandbox.url, { bot: token }).user("Егор");
    await user.send("ждёт");
    await h.api("deleteWebhook", {}, token);
    const updates = (await h.api("getUpdates", {}, token)).body.result;
    expect(updates.map((u: any) => u.message.text)).toEqual(["ждёт"]);
    await h.api("deleteWebhook", { drop_pending_updates: true }, token);
    expect((await h.api("getUpdates", {}, token)).body.result).toEqual([]);
  });

  it("rejects a malformed secret token", async () => {
    const { body } = await h.api(
      "setWebhook",
      { url: "https://example.org/hook", secret_token: "bad token!" },
      "7200000005:webhook_test_five",
    );
    expect(body).toEqual({
      ok: false,
      error_code: 400,
      description: "Bad Request: secret token contains unallowed characters",
    });
  });

  it("close() stops webhook retries promptly", async () => {
    const sandbox = await createSandbox({ webhookRetryBaseMs: 60_000 });
    const hook = await receiver(() => ({ status: 500 }));
    cleanups.push(hook.close);
    await fetch(`${sandbox.apiRoot}/bot${sandbox.token}/setWebhook?url=${encodeURIComponent(hook.url)}`);
    const user = await new SandboxClient(sandbox.url).user("Жора");
    await user.send("/start");
    await hook.waitFor(1);
    const started = performance.now();
    await sandbox.close();
    expect(performance.now() - started).toBeLessThan(1000);
    const attempts = sandbox.world.stats.webhookAttempts;
    expect(attempts).toBe(1);
  });
});

describe("webhook delivery in parallel", () => {
  it("sends other chats' updates while one is in flight, keeps one chat's in order, respects max_connections", async () => {
    const token = "7200000009:webhook_test_parallel";
    const held: { text: string; release: () => void }[] = [];
    const arrivals: string[] = [];
    const server = createServer((req, res) => {
      let data = "";
      req.on("data", (c) => {
        data += c;
      });
      req.on("end", () => {
        const text = JSON.parse(data).message.text as string;
        arrivals.push(text);
        held.push({ text, release: () => res.writeHead(200).end() });
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    await h.api("setWebhook", { url, max_connections: 2 }, token);
    const client = new SandboxClient(h.sandbox.url, { bot: token });
    const [a, b, c] = [await client.user("А"), await client.user("Б"), await client.user("В")];
    await a.send("a1");
    await a.send("a2");
    await b.send("b1");
    await c.send("c1");
    const until = async (n: number) => {
      for (let i = 0; i < 200 && held.length < n; i++) await new Promise((r) => setTimeout(r, 10));
      expect(held.length).toBe(n);
    };
    // a1 and b1 go out together; a2 waits for a1 (same chat), c1 for a free connection.
    await until(2);
    expect(arrivals).toEqual(["a1", "b1"]);
    await new Promise((r) => setTimeout(r, 50));
    expect(held.length).toBe(2);
    held[1]!.release(); // b1 answered: the free connection goes to c1, not a2 (a1 is still in flight)
    await until(3);
    expect(arrivals[2]).toBe("c1");
    held[0]!.release(); // a1 answered: a2 may go now
    await until(4);
    expect(arrivals[3]).toBe("a2");
    for (const x of held.slice(2)) x.release();
    for (let i = 0; i < 100; i++) {
      if ((await h.api("getWebhookInfo", {}, token)).body.result.pending_update_count === 0) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect((await h.api("getWebhookInfo", {}, token)).body.result.pending_update_count).toBe(0);
  });
});
