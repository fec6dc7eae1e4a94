import { Script } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startSandbox } from "./helpers.ts";

let h: Harness;
beforeAll(async () => {
  h = await startSandbox();
});
afterAll(() => h.close());

/** Reads SSE events from /sandbox/events until `until` returns true. */
async function collectEvents(url: string, action: () => Promise<void>, until: (events: any[]) => boolean) {
  const controller = new AbortController();
  const res = await fetch(`${url}/sandbox/events`, { signal: controller.signal });
  expect(res.headers.get("content-type")).toContain("text/event-stream");
  const reader = res.body!.getReader();
  const events: any[] = [];
  let buffer = "";
  await action();
  while (!until(events)) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += new TextDecoder().decode(value);
    let cut = buffer.indexOf("\n\n");
    while (cut >= 0) {
      const chunk = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const data = chunk
        .split("\n")
        .filter((l) => l.startsWith("data: "))
        .map((l) => l.slice(6))
        .join("\n");
      if (data) events.push(JSON.parse(data));
      cut = buffer.indexOf("\n\n");
    }
  }
  controller.abort();
  return events;
}

describe("playground", () => {
  it("serves a page whose script compiles and which has the stable test ids", async () => {
    const res = await fetch(`${h.sandbox.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    const html = await res.text();
    for (const id of [
      "add-user",
      "new-user-name",
      "composer",
      "composer-input",
      "inline-button",
      "reply-keyboard",
      "toast",
      "alert",
      "block",
      "menu-button",
      "command-menu",
      "command-item",
      "command-link",
      "attach",
      "attach-option",
      "file-input",
      "attachment",
      "forward",
      "photo",
      "open-document",
      "person-tab",
      "raw-panel",
      "raw-entry",
    ]) {
      expect(html).toContain(`"${id}"`);
    }
    const script = /<script>([\s\S]*)<\/script>/.exec(html)?.[1];
    expect(script).toBeTruthy();
    expect(() => new Script(script!)).not.toThrow();
    // Rules that set display must not resurrect hidden bars as empty strips.
    expect(html).toMatch(/\[hidden\]\s*\{\s*display:\s*none\s*!important/);
  });

  it("streams live events over SSE: people, messages, edits, deletions", async () => {
    let userId = 0;
    const events = await collectEvents(
      h.sandbox.url,
      async () => {
        const zoya = await h.client.user("Зоя");
        userId = zoya.id;
        await zoya.send("/start");
        const sent = (await h.api("sendMessage", { chat_id: zoya.id, text: "Привет, Зоя" })).body.result;
        await h.api("editMessageText", {
          chat_id: zoya.id,
          message_id: sent.message_id,
          text: "Здравствуйте, Зоя",
        });
        await h.api("deleteMessage", { chat_id: zoya.id, message_id: sent.message_id });
      },
      (ev) => ev.some((e) => e.type === "delete"),
    );
    const types = events.map((e) => e.type);
    expect(types).toEqual(["user", "message", "message", "edit", "delete"]);
    expect(events[0].user).toMatchObject({ id: userId, first_name: "Зоя", language_code: "ru" });
    expect(events[3].entry).toMatchObject({ text: "Здравствуйте, Зоя", edited: true });
  });

  it("reset clears people, chats, calls and faults", async () => {
    await h.client.user("Яна");
    await h.client.fault({ method: "getMe", error_code: 500, count: 5 });
    await h.client.reset();
    expect(await h.client.users()).toEqual([]);
    expect(await h.client.calls()).toEqual([]);
    expect((await h.api("getMe")).body.ok).toBe(true);
  });
});
