import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startSandbox } from "./helpers.ts";

let h: Harness;
let chatId: number;
let botMessageId: number;

beforeAll(async () => {
  h = await startSandbox();
  const alice = await h.client.user("Алиса");
  await alice.send("/start");
  chatId = alice.id;
  botMessageId = (await h.api("sendMessage", { chat_id: chatId, text: "исходный" })).body.result.message_id;
});
afterAll(() => h.close());

const button = (extra: Record<string, unknown>) => ({ inline_keyboard: [[{ text: "Кнопка", ...extra }]] });
const invoice = (extra: Record<string, unknown> = {}) => ({
  chat_id: chatId,
  title: "Чаевые",
  description: "Спасибо собеседнику",
  payload: "tip:1",
  currency: "XTR",
  prices: [{ label: "Чаевые", amount: 50 }],
  ...extra,
});
const photoUrl = "https://example.org/cat.jpg";

interface Case {
  name: string;
  method: string;
  params: () => Record<string, unknown>;
  description?: string;
}

/** Each documented limit, just over the edge (rejected exactly like Telegram) and at the edge (accepted). */
const rejected: Case[] = [
  {
    name: "empty text",
    method: "sendMessage",
    params: () => ({ chat_id: chatId, text: "" }),
    description: "Bad Request: message text is empty",
  },
  {
    name: "whitespace-only text",
    method: "sendMessage",
    params: () => ({ chat_id: chatId, text: "  \n " }),
    description: "Bad Request: message text is empty",
  },
  {
    name: "text empty after HTML parsing",
    method: "sendMessage",
    params: () => ({ chat_id: chatId, text: "<b></b>", parse_mode: "HTML" }),
    description: "Bad Request: message text is empty",
  },
  {
    name: "text of 4097 characters",
    method: "sendMessage",
    params: () => ({ chat_id: chatId, text: "я".repeat(4097) }),
    description: "Bad Request: message is too long",
  },
  {
    name: "edit to 4097 characters",
    method: "editMessageText",
    params: () => ({ chat_id: chatId, message_id: botMessageId, text: "x".repeat(4097) }),
    description: "Bad Request: message is too long",
  },
  {
    name: "caption of 1025 characters",
    method: "sendPhoto",
    params: () => ({ chat_id: chatId, photo: photoUrl, caption: "x".repeat(1025) }),
    description: "Bad Request: message caption is too long",
  },
  {
    name: "callback_data of 65 bytes",
    method: "sendMessage",
    params: () => ({ chat_id: chatId, text: "x", reply_markup: button({ callback_data: "d".repeat(65) }) }),
    description: "Bad Request: BUTTON_DATA_INVALID",
  },
  {
    name: "callback_data of 33 Cyrillic letters (66 bytes)",
    method: "sendMessage",
    params: () => ({ chat_id: chatId, text: "x", reply_markup: button({ callback_data: "ж".repeat(33) }) }),
    description: "Bad Request: BUTTON_DATA_INVALID",
  },
  {
    name: "empty callback_data",
    method: "sendMessage",
    params: () => ({ chat_id: chatId, text: "x", reply_markup: button({ callback_data: "" }) }),
    description: "Bad Request: BUTTON_DATA_INVALID",
  },
  {
    name: "inline button without an action",
    method: "sendMessage",
    params: () => ({ chat_id: chatId, text: "x", reply_markup: button({}) }),
    description:
      "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
  },
  {
    name: "inline button with two actions",
    method: "sendMessage",
    params: () => ({
      chat_id: chatId,
      text: "x",
      reply_markup: button({ callback_data: "a", url: "https://t.me" }),
    }),
    description:
      "Bad Request: can't parse inline keyboard button: exactly one of the optional fields must be used, found url, callback_data",
  },
  {
    name: "answerCallbackQuery text of 201 characters",
    method: "answerCallbackQuery",
    params: () => ({ callback_query_id: "1", text: "x".repeat(201) }),
    description: "Bad Request: MESSAGE_TOO_LONG",
  },
  {
    name: "invoice title of 33 characters",
    method: "sendInvoice",
    params: () => invoice({ title: "т".repeat(33) }),
    description: "Bad Request: TITLE_INVALID",
  },
  {
    name: "empty invoice title",
    method: "sendInvoice",
    params: () => invoice({ title: "" }),
    description: "Bad Request: TITLE_INVALID",
  },
  {
    name: "invoice description of 256 characters",
    method: "sendInvoice",
    params: () => invoice({ description: "о".repeat(256) }),
    description: "Bad Request: DESCRIPTION_INVALID",
  },
  {
    name: "invoice payload of 129 bytes",
    method: "sendInvoice",
    params: () => invoice({ payload: "p".repeat(129) }),
    description: "Bad Request: INVOICE_PAYLOAD_INVALID",
  },
  {
    name: "invoice payload of 65 Cyrillic letters (130 bytes)",
    method: "sendInvoice",
    params: () => invoice({ payload: "п".repeat(65) }),
    description: "Bad Request: INVOICE_PAYLOAD_INVALID",
  },
  {
    name: "XTR with a provider token",
    method: "sendInvoice",
    params: () => invoice({ provider_token: "284685063:TEST:abc" }),
    description: "Bad Request: STARS_INVOICE_INVALID",
  },
  {
    name: "XTR with two prices",
    method: "sendInvoice",
    params: () =>
      invoice({
        prices: [
          { label: "a", amount: 1 },
          { label: "b", amount: 2 },
        ],
      }),
    description: "Bad Request: STARS_INVOICE_INVALID",
  },
  {
    name: "zero price",
    method: "sendInvoice",
    params: () => invoice({ prices: [{ label: "a", amount: 0 }] }),
    description: "Bad Request: CURRENCY_TOTAL_AMOUNT_INVALID",
  },
  {
    name: "negative price",
    method: "sendInvoice",
    params: () => invoice({ prices: [{ label: "a", amount: -5 }] }),
    description: "Bad Request: CURRENCY_TOTAL_AMOUNT_INVALID",
  },
  {
    name: "fractional price",
    method: "sendInvoice",
    params: () => invoice({ prices: [{ label: "a", amount: 1.5 }] }),
    description: `Bad Request: can't parse prices JSON object: Field "amount" must be of type Integer`,
  },
  {
    name: "missing currency",
    method: "sendInvoice",
    params: () => invoice({ currency: undefined }),
    description: 'Bad Request: parameter "currency" is required',
  },
  {
    name: "unclosed HTML tag",
    method: "sendMessage",
    params: () => ({ chat_id: chatId, text: "<b>жирный", parse_mode: "HTML" }),
    description: `Bad Request: can't parse entities: Can't find end tag corresponding to start tag "b"`,
  },
  {
    name: "unknown HTML tag",
    method: "sendMessage",
    params: () => ({ chat_id: chatId, text: "<blink>x</blink>", parse_mode: "HTML" }),
    description: `Bad Request: can't parse entities: Unsupported start tag "blink" at byte offset 0`,
  },
  {
    name: "unescaped MarkdownV2 '!'",
    method: "sendMessage",
    params: () => ({ chat_id: chatId, text: "Привет!", parse_mode: "MarkdownV2" }),
    description:
      "Bad Request: can't parse entities: Character '!' is reserved and must be escaped with the preceding '\\'",
  },
  {
    name: "bad caption markup",
    method: "sendPhoto",
    params: () => ({ chat_id: chatId, photo: photoUrl, caption: "<i>x", parse_mode: "HTML" }),
    description: `Bad Request: can't parse entities: Can't find end tag corresponding to start tag "i"`,
  },
  {
    name: "unknown chat",
    method: "sendMessage",
    params: () => ({ chat_id: 987654321, text: "x" }),
    description: "Bad Request: chat not found",
  },
  {
    name: "edit of a missing message",
    method: "editMessageText",
    params: () => ({ chat_id: chatId, message_id: 9999, text: "x" }),
    description: "Bad Request: message to edit not found",
  },
  {
    name: "delete of a missing message",
    method: "deleteMessage",
    params: () => ({ chat_id: chatId, message_id: 9999 }),
    description: "Bad Request: message to delete not found",
  },
  {
    name: "copy of a missing message",
    method: "copyMessage",
    params: () => ({ chat_id: chatId, from_chat_id: chatId, message_id: 9999 }),
    description: "Bad Request: message to copy not found",
  },
  {
    name: "unknown file_id",
    method: "sendPhoto",
    params: () => ({ chat_id: chatId, photo: "nope" }),
    description: "Bad Request: wrong file identifier/HTTP URL specified",
  },
  {
    name: "unknown chat action",
    method: "sendChatAction",
    params: () => ({ chat_id: chatId, action: "dancing" }),
    description: "Bad Request: wrong parameter action in request",
  },
  {
    name: "command with capitals",
    method: "setMyCommands",
    params: () => ({ commands: [{ command: "Start", description: "x" }] }),
    description: "Bad Request: BOT_COMMAND_INVALID",
  },
  {
    name: "wrong type",
    method: "sendMessage",
    params: () => ({ chat_id: chatId, text: "x", disable_notification: "maybe" }),
    description: 'Bad Request: Field "disable_notification" must be of type Boolean',
  },
];

const accepted: Case[] = [
  {
    name: "text of 4096 characters",
    method: "sendMessage",
    params: () => ({ chat_id: chatId, text: "я".repeat(4096) }),
  },
  {
    name: "4096 characters after HTML parsing",
    method: "sendMessage",
    params: () => ({ chat_id: chatId, text: `<b>${"x".repeat(4096)}</b>`, parse_mode: "HTML" }),
  },
  {
    name: "caption of 1024 characters",
    method: "sendPhoto",
    params: () => ({ chat_id: chatId, photo: photoUrl, caption: "x".repeat(1024) }),
  },
  {
    name: "callback_data of 64 bytes",
    method: "sendMessage",
    params: () => ({ chat_id: chatId, text: "x", reply_markup: button({ callback_data: "ж".repeat(32) }) }),
  },
  {
    name: "url button",
    method: "sendMessage",
    params: () => ({ chat_id: chatId, text: "x", reply_markup: button({ url: "https://t.me/durov" }) }),
  },
  {
    name: "reply keyboard with string buttons",
    method: "sendMessage",
    params: () => ({ chat_id: chatId, text: "x", reply_markup: { keyboard: [["Да", { text: "Нет" }]] } }),
  },
  {
    name: "invoice at every edge",
    method: "sendInvoice",
    params: () =>
      invoice({
        title: "т".repeat(32),
        description: "о".repeat(255),
        payload: "p".repeat(128),
        provider_token: "",
      }),
  },
  {
    name: "escaped MarkdownV2",
    method: "sendMessage",
    params: () => ({ chat_id: chatId, text: "*Привет*\\!", parse_mode: "MarkdownV2" }),
  },
  { name: "getChat of a person who started the bot", method: "getChat", params: () => ({ chat_id: chatId }) },
  {
    name: "commands with scope and language",
    method: "setMyCommands",
    params: () => ({
      commands: [{ command: "start", description: "Начать" }],
      scope: { type: "all_private_chats" },
      language_code: "ru",
    }),
  },
];

describe("Telegram's limits are enforced exactly", () => {
  it.each(rejected)("rejects $name", async ({ method, params, description }) => {
    const { status, body } = await h.api(method, params());
    expect(status).toBe(400);
    expect(body).toEqual({ ok: false, error_code: 400, description });
  });

  it.each(accepted)("accepts $name", async ({ method, params }) => {
    const { status, body } = await h.api(method, params());
    expect(body.ok).toBe(true);
    expect(status).toBe(200);
  });
});

describe("wire format", () => {
  it("a malformed token gets 401 Unauthorized", async () => {
    const { status, body } = await h.api("getMe", {}, "not-a-token");
    expect(status).toBe(401);
    expect(body).toEqual({ ok: false, error_code: 401, description: "Unauthorized" });
  });

  it("an unknown method gets 404 Not Found", async () => {
    const { status, body } = await h.api("sendTelepathy", {});
    expect(status).toBe(404);
    expect(body).toEqual({ ok: false, error_code: 404, description: "Not Found" });
  });

  it("every well-formed token is its own bot", async () => {
    const a = await h.api("getMe", {}, "1234567:abcdefghijKLM");
    expect(a.body.result).toMatchObject({ id: 1234567, is_bot: true, first_name: "Ты не один (sandbox)" });
    const main = await h.api("getMe");
    expect(main.body.result).toMatchObject({ username: "tyneodin_sandbox_bot", is_bot: true });
  });

  it("urlencoded bodies with JSON-serialized fields are parsed like Telegram does", async () => {
    const form = new URLSearchParams({
      chat_id: String(chatId),
      text: "форма",
      reply_markup: JSON.stringify({ inline_keyboard: [[{ text: "A", callback_data: "a" }]] }),
    });
    const res = await fetch(`${h.sandbox.apiRoot}/bot${h.sandbox.token}/sendMessage`, {
      method: "POST",
      body: form,
    });
    const body = await res.json();
    expect(body.ok).toBe(true);
    expect(body.result).toMatchObject({
      text: "форма",
      chat: { id: chatId, type: "private", first_name: "Алиса" },
    });
    expect(body.result.reply_markup).toEqual({ inline_keyboard: [[{ text: "A", callback_data: "a" }]] });
  });

  it("GET with a query string works, and garbage bodies never crash the server", async () => {
    const res = await fetch(`${h.sandbox.apiRoot}/bot${h.sandbox.token}/getChat?chat_id=${chatId}`);
    expect((await res.json()).result).toMatchObject({ id: chatId, type: "private" });
    const garbage = await fetch(`${h.sandbox.apiRoot}/bot${h.sandbox.token}/sendMessage`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{{{",
    });
    expect(await garbage.json()).toEqual({
      ok: false,
      error_code: 400,
      description: "Bad Request: chat_id is empty",
    });
    const multipartGarbage = await fetch(`${h.sandbox.apiRoot}/bot${h.sandbox.token}/sendMessage`, {
      method: "POST",
      headers: { "content-type": "multipart/form-data; boundary=zzz" },
      body: "--zzz\r\nnot a part",
    });
    expect(multipartGarbage.status).toBe(400);
    expect((await h.api("getMe")).body.ok).toBe(true);
  });

  it("a message has the shape api.json documents", async () => {
    const { body } = await h.api("sendMessage", {
      chat_id: chatId,
      text: "<i>Привет</i>",
      parse_mode: "HTML",
    });
    expect(body.result).toEqual({
      message_id: expect.any(Number),
      date: expect.any(Number),
      from: {
        id: 7000000001,
        is_bot: true,
        first_name: "Ты не один (sandbox)",
        username: "tyneodin_sandbox_bot",
      },
      chat: { id: chatId, type: "private", first_name: "Алиса" },
      text: "Привет",
      entities: [{ type: "italic", offset: 0, length: 6 }],
    });
  });
});
