import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSandbox } from "../../sandbox/index.ts";
import { type Harness, startSandbox } from "./helpers.ts";

let h: Harness;
let n = 0;
/** A fresh bot per test: each well-formed token has its own update queue. */
const freshToken = () => `71000000${10 + n++}:polling_test_token`;

beforeAll(async () => {
  h = await startSandbox();
});
afterAll(() => h.close());

async function userOf(token: string) {
  const { SandboxClient } = await import("../../sandbox/index.ts");
  const client = new SandboxClient(h.sandbox.url, { bot: token });
  return client.user("Борис");
}

describe("getUpdates long polling", () => {
  it("returns within ~50 ms of an update arriving, with no work while waiting", async () => {
    const token = freshToken();
    const boris = await userOf(token);
    const checksBefore = h.sandbox.world.stats.pollChecks;
    const poll = h.api("getUpdates", { timeout: 5 }, token);
    await new Promise((r) => setTimeout(r, 300));
    const sentAt = performance.now();
    await boris.send("Привет");
    const { body } = await poll;
    const latency = performance.now() - sentAt;
    expect(body.ok).toBe(true);
    expect(body.result).toHaveLength(1);
    expect(body.result[0].message).toMatchObject({
      text: "Привет",
      from: { first_name: "Борис", language_code: "ru" },
    });
    // Typically under 10 ms on an idle machine; the bound leaves room for a loaded CI box and is still
    // a tenth of the 5 s timeout, so only a wake-up by the update itself can pass it.
    expect(latency).toBeLessThan(500);
    // One look when the call arrived, one when woken: no polling loop in between.
    expect(h.sandbox.world.stats.pollChecks - checksBefore).toBe(2);
  });

  it("an idle poll returns [] after its timeout and does no repeated work", async () => {
    const token = freshToken();
    const checksBefore = h.sandbox.world.stats.pollChecks;
    const started = performance.now();
    const { body } = await h.api("getUpdates", { timeout: 1 }, token);
    const took = performance.now() - started;
    expect(body).toEqual({ ok: true, result: [] });
    expect(took).toBeGreaterThanOrEqual(950);
    expect(took).toBeLessThan(1500);
    expect(h.sandbox.world.stats.pollChecks - checksBefore).toBe(2);
  });

  it("offset confirms earlier updates and limit caps the batch", async () => {
    const token = freshToken();
    const boris = await userOf(token);
    await boris.send("один");
    await boris.send("два");
    await boris.send("три");
    const all = (await h.api("getUpdates", {}, token)).body.result;
    expect(all.map((u: any) => u.message.text)).toEqual(["один", "два", "три"]);
    expect(all[1].update_id).toBe(all[0].update_id + 1);
    const limited = (await h.api("getUpdates", { offset: all[0].update_id + 1, limit: 1 }, token)).body
      .result;
    expect(limited.map((u: any) => u.message.text)).toEqual(["два"]);
    const rest = (await h.api("getUpdates", { offset: all[2].update_id }, token)).body.result;
    expect(rest.map((u: any) => u.message.text)).toEqual(["три"]);
    const none = (await h.api("getUpdates", { offset: all[2].update_id + 1 }, token)).body.result;
    expect(none).toEqual([]);
  });

  it("allowed_updates filters what is queued", async () => {
    const token = freshToken();
    const boris = await userOf(token);
    await h.api("getUpdates", { allowed_updates: ["callback_query"] }, token);
    await boris.send("не нужно");
    expect((await h.api("getUpdates", {}, token)).body.result).toEqual([]);
    await h.api("getUpdates", { allowed_updates: [] }, token);
    await boris.send("нужно");
    const result = (await h.api("getUpdates", {}, token)).body.result;
    expect(result.map((u: any) => u.message.text)).toEqual(["нужно"]);
  });

  it("a second getUpdates terminates the first with 409 Conflict", async () => {
    const token = freshToken();
    const first = h.api("getUpdates", { timeout: 5 }, token);
    await new Promise((r) => setTimeout(r, 100));
    const second = h.api("getUpdates", { timeout: 0 }, token);
    const a = await first;
    expect(a.status).toBe(409);
    expect(a.body).toEqual({
      ok: false,
      error_code: 409,
      description:
        "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
    });
    expect((await second).body).toEqual({ ok: true, result: [] });
  });

  it("getUpdates is refused while a webhook is set", async () => {
    const token = freshToken();
    await h.api("setWebhook", { url: "http://127.0.0.1:9/hook" }, token);
    const { status, body } = await h.api("getUpdates", {}, token);
    expect(status).toBe(409);
    expect(body.description).toBe(
      "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
    );
    await h.api("deleteWebhook", {}, token);
    expect((await h.api("getUpdates", {}, token)).body.ok).toBe(true);
  });

  it("close() ends a pending long poll promptly", async () => {
    const sandbox = await createSandbox();
    const poll = fetch(`${sandbox.apiRoot}/bot${sandbox.token}/getUpdates?timeout=30`).then(
      (r) => r.json(),
      () => "aborted",
    );
    await new Promise((r) => setTimeout(r, 100));
    const started = performance.now();
    await sandbox.close();
    await poll;
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
