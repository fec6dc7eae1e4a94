import { InputFile } from "grammy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startBot, startedUser, startSandbox } from "./helpers.ts";

let h: Harness;
let stopBot: (() => Promise<void>) | undefined;
/** The peer every message is relayed to, like the product's anonymous chat. */
const relay = { to: 0 };
const updates: any[] = [];

beforeAll(async () => {
  h = await startSandbox({ callbackTimeoutMs: 300 });
  stopBot = startBot(h.sandbox, (bot) => {
    bot.use(async (ctx, next) => {
      updates.push(ctx.update);
      await next();
    });
    bot.command("menu", (ctx) =>
      ctx.reply("Меню", {
        reply_markup: {
          inline_keyboard: [
            [{ text: "Понятно, принимаю", callback_data: "accept" }],
            [{ text: "Молчу", callback_data: "silent" }],
          ],
        },
      }),
    );
    bot.command("keyboard", (ctx) =>
      ctx.reply("Выберите", {
        reply_markup: { keyboard: [[{ text: "Найти собеседника" }]], resize_keyboard: true },
      }),
    );
    bot.callbackQuery("accept", async (ctx) => {
      await ctx.answerCallbackQuery({ text: "Принято", show_alert: true });
      await ctx.editMessageText("Меню (принято)");
    });
    bot.hears("Найти собеседника", (ctx) => ctx.reply("Ищу…"));
    bot.command("upload", (ctx) => ctx.replyWithPhoto(new InputFile(Buffer.from([1, 2, 3, 4]), "pic.jpg")));
    bot.on("message:photo", async (ctx) => {
      if (relay.to) await ctx.copyMessage(relay.to);
    });
    bot.on("message:voice", async (ctx) => {
      if (relay.to) await ctx.api.sendVoice(relay.to, ctx.message.voice.file_id);
    });
  }).stop;
});
afterAll(async () => {
  await stopBot?.();
  await h.close();
});

describe("media and copies", () => {
  it("copyMessage of a person's photo shows the same file_id to the peer, with no forward origin", async () => {
    const alice = await startedUser(h, "Алиса");
    const boris = await startedUser(h, "Борис");
    relay.to = boris.id;
    await alice.sendPhoto({ width: 800, height: 600 }, { caption: "Мой кот" });
    const copy = await boris.expectMessage("Мой кот");
    const original = (await alice.chat()).find((e) => e.caption === "Мой кот")!;
    expect(copy.media).toEqual(original.media);
    expect(copy.media).toMatchObject({ type: "photo", width: 800, height: 600 });
    expect(copy.forwarded).toBeUndefined();
    const call = (await h.client.calls("copyMessage")).at(-1)!;
    expect(call.ok).toBe(true);
    expect(call.result).toEqual({ message_id: copy.message_id });

    await alice.sendVoice({ duration: 7 });
    const voice = await boris.expectMessage((e) => e.media?.type === "voice");
    const sent = (await alice.chat()).at(-1)!;
    expect(voice.media?.file_id).toBe(sent.media?.file_id);
    relay.to = 0;
  });

  it("an uploaded file gets a new file_id that can be downloaded via getFile", async () => {
    const vera = await startedUser(h, "Вера");
    await vera.send("/upload");
    const msg = await vera.expectMessage((e) => e.media?.type === "photo");
    const fileId = String(msg.media?.file_id);
    const file = (await h.api("getFile", { file_id: fileId })).body.result;
    const bytes = await fetch(`${h.sandbox.apiRoot}/file/bot${h.sandbox.token}/${file.file_path}`).then((r) =>
      r.arrayBuffer(),
    );
    expect([...new Uint8Array(bytes)]).toEqual([1, 2, 3, 4]);
    const resend = await h.api("sendPhoto", { chat_id: vera.id, photo: fileId });
    expect(resend.body.result.photo.at(-1).file_id).toBe(fileId);
  });

  it("sendMediaGroup sends an album sharing one media_group_id", async () => {
    const gleb = await startedUser(h, "Глеб");
    const { body } = await h.api("sendMediaGroup", {
      chat_id: gleb.id,
      media: [
        { type: "photo", media: "https://example.org/a.jpg", caption: "первое" },
        { type: "video", media: "https://example.org/b.mp4" },
      ],
    });
    expect(body.result).toHaveLength(2);
    expect(body.result[0].media_group_id).toBe(body.result[1].media_group_id);
    expect(body.result[1].video).toMatchObject({ file_name: "b.mp4" });
  });
});

describe("buttons", () => {
  it("a click resolves with the bot's answerCallbackQuery and the edit is applied", async () => {
    const dasha = await startedUser(h, "Даша");
    await dasha.send("/menu");
    const menu = await dasha.expectMessage("Меню");
    const answer = await dasha.click("Понятно, принимаю");
    expect(answer).toEqual({ text: "Принято", show_alert: true });
    const cq = updates.findLast((u) => u.callback_query)?.callback_query;
    expect(cq).toMatchObject({
      data: "accept",
      from: { id: dasha.id },
      message: { message_id: menu.message_id },
    });
    await expect
      .poll(async () => (await dasha.chat()).find((e) => e.message_id === menu.message_id)?.text)
      .toBe("Меню (принято)");
    const edited = (await dasha.chat()).find((e) => e.message_id === menu.message_id)!;
    expect(edited.edited).toBe(true);
    expect(edited.reply_markup).toBeUndefined();
  });

  it("an unanswered click times out with a 504 JSON error", async () => {
    const egor = await startedUser(h, "Егор");
    await egor.send("/menu");
    await egor.expectMessage("Меню");
    const err = await egor.click("Молчу", { timeoutMs: 200 }).catch((e) => e);
    expect(err.status).toBe(504);
    expect(err.body.error.code).toBe("callback_timeout");
  });

  it("a reply-keyboard button is sent as plain text", async () => {
    const zhenya = await startedUser(h, "Женя");
    await zhenya.send("/keyboard");
    await zhenya.expectMessage("Выберите");
    const res = await zhenya.click("Найти собеседника");
    expect(res.sent_message_id).toBeGreaterThan(0);
    await zhenya.expectMessage("Ищу…");
  });
});

describe("Telegram's chat rules", () => {
  it("blocking emits my_chat_member and makes sends fail with 403; unblocking restores", async () => {
    const ira = await startedUser(h, "Ира");
    await ira.block();
    await expect
      .poll(
        () =>
          updates.find((u) => u.my_chat_member?.chat.id === ira.id)?.my_chat_member.new_chat_member.status,
      )
      .toBe("kicked");
    const blocked = await h.api("sendMessage", { chat_id: ira.id, text: "Вы тут?" });
    expect(blocked.status).toBe(403);
    expect(blocked.body).toEqual({
      ok: false,
      error_code: 403,
      description: "Forbidden: bot was blocked by the user",
    });
    await ira.unblock();
    await expect.poll(() => updates.filter((u) => u.my_chat_member?.chat.id === ira.id).length).toBe(2);
    expect((await h.api("sendMessage", { chat_id: ira.id, text: "Снова тут" })).body.ok).toBe(true);
  });

  it("a person who never started the bot cannot be messaged", async () => {
    const kostya = await h.client.user("Костя");
    const { status, body } = await h.api("sendMessage", { chat_id: kostya.id, text: "Привет" });
    expect(status).toBe(403);
    expect(body.description).toBe("Forbidden: bot can't initiate conversation with a user");
  });

  it("editing to identical content is 'message is not modified'", async () => {
    const lena = await startedUser(h, "Лена");
    const sent = (await h.api("sendMessage", { chat_id: lena.id, text: "Один" })).body.result;
    const same = await h.api("editMessageText", {
      chat_id: lena.id,
      message_id: sent.message_id,
      text: "Один",
    });
    expect(same.body).toEqual({
      ok: false,
      error_code: 400,
      description:
        "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
    });
    const changed = await h.api("editMessageText", {
      chat_id: lena.id,
      message_id: sent.message_id,
      text: "Два",
    });
    expect(changed.body.result).toMatchObject({ text: "Два", edit_date: expect.any(Number) });
  });

  it("deleted messages stay in the chat view, flagged", async () => {
    const misha = await startedUser(h, "Миша");
    const sent = (await h.api("sendMessage", { chat_id: misha.id, text: "Удалю" })).body.result;
    expect(
      (await h.api("deleteMessage", { chat_id: misha.id, message_id: sent.message_id })).body.result,
    ).toBe(true);
    const entry = (await misha.chat()).find((e) => e.message_id === sent.message_id);
    expect(entry).toMatchObject({ deleted: true, text: "Удалю" });
    expect(
      (await h.api("deleteMessage", { chat_id: misha.id, message_id: sent.message_id })).body.description,
    ).toBe("Bad Request: message to delete not found");
  });

  it("a person's edit and reply reach the bot as edited_message and reply_to_message", async () => {
    const nina = await startedUser(h, "Нина");
    const { message_id } = await nina.send("черновик");
    await nina.edit(message_id, "исправлено");
    await expect
      .poll(() => updates.find((u) => u.edited_message?.chat.id === nina.id)?.edited_message.text)
      .toBe("исправлено");
    await nina.send("ответ", { replyTo: message_id });
    await expect
      .poll(
        () =>
          updates.find((u) => u.message?.text === "ответ" && u.message.chat.id === nina.id)?.message
            .reply_to_message?.text,
      )
      .toBe("исправлено");
  });

  it("commands are stored per scope and language", async () => {
    const ru = [{ command: "start", description: "Начать" }];
    await h.api("setMyCommands", { commands: ru, language_code: "ru" });
    expect((await h.api("getMyCommands", { language_code: "ru" })).body.result).toEqual(ru);
    expect((await h.api("getMyCommands", {})).body.result).toEqual([]);
    await h.api("deleteMyCommands", { language_code: "ru" });
    expect((await h.api("getMyCommands", { language_code: "ru" })).body.result).toEqual([]);
  });
});
