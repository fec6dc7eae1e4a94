import { InputFile } from "grammy";
import type { Message } from "grammy/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RawEvent, SandboxEvent } from "../../sandbox/types.ts";
import { solidPng } from "../helpers/png.ts";
import { type Harness, startBot, startSandbox } from "./helpers.ts";

/** The control endpoints the playground needs: real uploads, file bytes, per-person menus, raw records. */
let h: Harness;
let stopBot: (() => Promise<void>) | undefined;
const received: Array<{ kind: string; message: Message; bytes: Buffer }> = [];

async function download(fileId: string): Promise<Buffer> {
  const file = (await h.api("getFile", { file_id: fileId })).body.result;
  const res = await fetch(`${h.sandbox.apiRoot}/file/bot${h.sandbox.token}/${file.file_path}`);
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

async function control(method: string, path: string, body?: unknown) {
  const res = await fetch(`${h.sandbox.url}/sandbox${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: text ? JSON.parse(text) : undefined };
}

beforeAll(async () => {
  h = await startSandbox();
  stopBot = startBot(h.sandbox, (bot) => {
    bot.on("message:photo", async (ctx) => {
      const biggest = ctx.message.photo.at(-1)!;
      received.push({ kind: "photo", message: ctx.message, bytes: await download(biggest.file_id) });
    });
    bot.on("message:voice", async (ctx) => {
      received.push({
        kind: "voice",
        message: ctx.message,
        bytes: await download(ctx.message.voice.file_id),
      });
    });
    bot.command("export", (ctx) =>
      ctx.replyWithDocument(new InputFile(Buffer.from('{"nickname":"Тихая Сова"}'), "my-data.json"), {
        caption: "Твои данные",
      }),
    );
  }).stop;
});
afterAll(async () => {
  await stopBot?.();
  await h.close();
});

describe("uploads from a person", () => {
  it("a PNG sent as a photo reaches the bot as photo sizes with its real size, and getFile downloads the same bytes", async () => {
    const png = solidPng(40, 30, [200, 60, 90]);
    const alice = await h.client.user("Алиса");
    const sent = await control("POST", `/users/${alice.id}/messages`, {
      photo: { data_base64: png.toString("base64"), mime_type: "image/png" },
      caption: "Мой кот",
    });
    expect(sent.status).toBe(201);
    await expect.poll(() => received.filter((r) => r.kind === "photo").length).toBe(1);
    const { message, bytes } = received.find((r) => r.kind === "photo")!;
    expect(message.caption).toBe("Мой кот");
    expect(message.photo?.at(-1)).toMatchObject({ width: 40, height: 30, file_size: png.length });
    expect(message.photo?.[0]?.width).toBeLessThanOrEqual(90);
    expect(bytes.equals(png)).toBe(true);

    const [entry] = await alice.chat();
    expect(entry?.media).toMatchObject({ type: "photo", has_content: true });
    const served = await fetch(`${h.sandbox.url}/sandbox/files/${entry!.media!.file_id}`);
    expect(served.headers.get("content-type")).toBe("image/png");
    expect(served.headers.get("content-security-policy")).toContain("sandbox");
    expect(Buffer.from(await served.arrayBuffer()).equals(png)).toBe(true);
  });

  it("an audio file sent as voice reaches the bot as a voice message it can download", async () => {
    const ogg = Buffer.concat([Buffer.from("OggS"), Buffer.alloc(200, 7)]);
    const boris = await h.client.user("Борис");
    await boris.sendVoice({ data_base64: ogg.toString("base64"), mime_type: "audio/ogg", duration: 2 });
    await expect.poll(() => received.filter((r) => r.kind === "voice").length).toBe(1);
    const { message, bytes } = received.find((r) => r.kind === "voice")!;
    expect(message.voice).toMatchObject({ duration: 2, mime_type: "audio/ogg", file_size: ogg.length });
    expect(bytes.equals(ogg)).toBe(true);
  });

  it("refuses bad file input with a 4xx JSON error", async () => {
    const vera = await h.client.user("Вера");
    for (const [body, status, code] of [
      [{ photo: { data_base64: "не base64!" } }, 400, "bad_input"],
      [{ photo: { data_base64: "A" } }, 400, "bad_input"],
      [{ photo: { data_base64: "" } }, 400, "bad_input"],
      [{ photo: { data_base64: 12 } }, 400, "bad_input"],
      [{ document: { data_base64: "AAAA", unknown: 1 } }, 400, "bad_input"],
    ] as const) {
      const res = await control("POST", `/users/${vera.id}/messages`, body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.json.error.code).toBe(code);
    }
  });
});

describe("files the bot sent", () => {
  it("/export's document opens from the playground: JSON inline, or as a download with its name", async () => {
    const gleb = await h.client.user("Глеб");
    await gleb.send("/export");
    const doc = await gleb.expectMessage((m) => m.media?.type === "document");
    expect(doc.media).toMatchObject({ file_name: "my-data.json", has_content: true });
    const inline = await fetch(`${h.sandbox.url}/sandbox/files/${doc.media!.file_id}`);
    expect(inline.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(inline.headers.get("content-disposition")).toBe("inline; filename*=UTF-8''my-data.json");
    expect(await inline.json()).toEqual({ nickname: "Тихая Сова" });
    const saved = await fetch(`${h.sandbox.url}/sandbox/files/${doc.media!.file_id}?download=1`);
    expect(saved.headers.get("content-disposition")).toMatch(/^attachment;/);
  });

  it("a simulated file has no bytes, an unknown id is not found — both as JSON errors", async () => {
    const dasha = await h.client.user("Дарья");
    await dasha.sendPhoto();
    const [entry] = await dasha.chat();
    expect(entry?.media?.has_content).toBeUndefined();
    const simulated = await control("GET", `/files/${entry!.media!.file_id}`);
    expect(simulated.status).toBe(404);
    expect(simulated.json.error.code).toBe("no_content");
    const unknown = await control("GET", "/files/AgACnope");
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe("file_not_found");
  });
});

describe("commands in bot texts", () => {
  it("get bot_command entities like Telegram finds them, outside code and links, in text and captions", async () => {
    const zoya = await h.client.user("Зоя");
    await zoya.send("/hello");
    const plain = await h.api("sendMessage", {
      chat_id: zoya.id,
      text: "Профиль готов 🎉 — /find, или (/help@tyneodin_bot).",
    });
    expect(plain.body.result.entities).toEqual([
      { type: "bot_command", offset: 19, length: 5 },
      { type: "bot_command", offset: 31, length: 18 },
    ]);
    const html = await h.api("sendMessage", {
      chat_id: zoya.id,
      text: "<code>/find</code> <b>/end</b> http://x.ru/tips",
      parse_mode: "HTML",
    });
    expect(html.body.result.entities).toEqual([
      { type: "code", offset: 0, length: 5 },
      { type: "bold", offset: 6, length: 4 },
      { type: "bot_command", offset: 6, length: 4 },
    ]);
    const photo = await h.api("sendPhoto", {
      chat_id: zoya.id,
      photo: "https://example.org/a.jpg",
      caption: "Ещё — /tips",
    });
    expect(photo.body.result.caption_entities).toEqual([{ type: "bot_command", offset: 6, length: 5 }]);
    const last = (await zoya.chat()).at(-1);
    expect(last?.caption_entities).toEqual([{ type: "bot_command", offset: 6, length: 5 }]);
  });
});

describe("the command menu a person sees", () => {
  it("resolves scope and language like Telegram: chat → all private chats → default, each in the person's language first", async () => {
    const egor = await h.client.user("Егор");
    const zhanna = await h.client.user("Жанна", { language_code: "en" });
    const menu = async (id: number) => (await control("GET", `/users/${id}/commands`)).json;
    expect(await menu(egor.id)).toMatchObject({ commands: [], menu_button: { type: "commands" } });

    await h.api("setMyCommands", { commands: [{ command: "start", description: "start" }] });
    await h.api("setMyCommands", {
      commands: [{ command: "find", description: "найти собеседника" }],
      language_code: "ru",
    });
    expect(await menu(egor.id)).toMatchObject({
      commands: [{ command: "find" }],
      scope: "default",
      language_code: "ru",
    });
    expect(await menu(zhanna.id)).toMatchObject({ commands: [{ command: "start" }], language_code: "" });

    await h.api("setMyCommands", {
      commands: [{ command: "help", description: "помощь" }],
      scope: { type: "all_private_chats" },
    });
    await h.api("setMyCommands", {
      commands: [{ command: "end", description: "завершить" }],
      scope: { type: "chat", chat_id: egor.id },
    });
    expect((await menu(egor.id)).commands).toEqual([{ command: "end", description: "завершить" }]);
    expect((await menu(zhanna.id)).commands).toEqual([{ command: "help", description: "помощь" }]);
    await h.api("deleteMyCommands", { scope: { type: "chat", chat_id: egor.id } });
    expect((await menu(egor.id)).scope).toBe("all_private_chats");

    expect((await control("GET", "/users/42/commands")).status).toBe(404);
    expect((await control("GET", "/users/abc/commands")).json.error.code).toBe("bad_input");
  });
});

describe("raw calls and updates", () => {
  it("keeps the queued updates and returns only the last N calls and updates", async () => {
    const ilya = await h.client.user("Илья");
    await ilya.send("/export");
    await ilya.expectMessage((m) => m.media?.type === "document");
    const updates = (await control("GET", "/updates?limit=1")).json;
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({ type: "message", update: { message: { text: "/export" } } });
    expect(updates[0].update.update_id).toBe(updates[0].update_id);
    const calls = (await control("GET", "/calls?limit=2")).json;
    expect(calls).toHaveLength(2);
    expect(calls[1].seq).toBeGreaterThan(calls[0].seq);
    for (const bad of ["0", "x", "20001"]) {
      const res = await control("GET", `/calls?limit=${bad}`);
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe("bad_input");
    }
    expect((await control("GET", "/updates?since=-1")).status).toBe(400);
  });

  it("streams calls and updates only to subscribers who ask for them (?raw=1), plus menu changes to everyone", async () => {
    type Ev = SandboxEvent | RawEvent;
    const read = async (url: string, act: () => Promise<void>, until: (e: Ev[]) => boolean) => {
      const controller = new AbortController();
      const res = await fetch(url, { signal: controller.signal });
      const reader = res.body!.getReader();
      const events: Ev[] = [];
      let buffer = "";
      await act();
      const deadline = Date.now() + 3000;
      while (!until(events) && Date.now() < deadline) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += new TextDecoder().decode(value);
        for (let cut = buffer.indexOf("\n\n"); cut >= 0; cut = buffer.indexOf("\n\n")) {
          const data = buffer
            .slice(0, cut)
            .split("\n")
            .filter((l) => l.startsWith("data: "))
            .map((l) => l.slice(6))
            .join("\n");
          buffer = buffer.slice(cut + 2);
          if (data) events.push(JSON.parse(data));
        }
      }
      controller.abort();
      return events;
    };
    const setCommands = () =>
      h.api("setMyCommands", { commands: [{ command: "sos", description: "помощь" }] }).then(() => undefined);
    const raw = await read(`${h.sandbox.url}/sandbox/events?raw=1`, setCommands, (e) =>
      e.some((x) => x.type === "call" && x.call.method === "setMyCommands"),
    );
    const call = raw.find((x) => x.type === "call" && x.call.method === "setMyCommands");
    expect(call?.type === "call" && call.call).toMatchObject({
      ok: true,
      result: true,
      params: { commands: [{ command: "sos" }] },
    });
    expect(raw.some((x) => x.type === "commands")).toBe(true);

    const plain = await read(`${h.sandbox.url}/sandbox/events`, setCommands, (e) =>
      e.some((x) => x.type === "commands"),
    );
    expect(plain.map((x) => x.type)).toEqual(["commands"]);
  });
});
