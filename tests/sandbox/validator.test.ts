import { describe, expect, it } from "vitest";
import { findMethod } from "../../sandbox/api-spec.ts";
import { ApiError } from "../../sandbox/errors.ts";
import { formatText, parseHtml, parseMarkdownV2 } from "../../sandbox/formatting.ts";
import { Upload, validateParams } from "../../sandbox/validate.ts";

const method = (name: string) => findMethod(name)!;

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err.description;
    throw err;
  }
  throw new Error("expected an ApiError");
}

describe("validateParams (api.json-driven)", () => {
  it("coerces form-encoded strings to the documented types", () => {
    const params = validateParams(method("sendMessage"), {
      chat_id: "42",
      text: "hi",
      disable_notification: "true",
      reply_markup: JSON.stringify({ inline_keyboard: [[{ text: "a", callback_data: "b" }]] }),
    });
    expect(params).toEqual({
      chat_id: 42,
      text: "hi",
      disable_notification: true,
      reply_markup: { inline_keyboard: [[{ text: "a", callback_data: "b" }]] },
    });
  });

  it("keeps @usernames as strings and drops unknown parameters", () => {
    const params = validateParams(method("sendMessage"), { chat_id: "@alice", text: "x", bogus: 1 });
    expect(params).toEqual({ chat_id: "@alice", text: "x" });
  });

  it("method names are case-insensitive like Telegram", () => {
    expect(findMethod("SENDMESSAGE")?.name).toBe("sendMessage");
  });

  it("rejects a missing required parameter", () => {
    expect(errorOf(() => validateParams(method("answerCallbackQuery"), {}))).toBe(
      'Bad Request: parameter "callback_query_id" is required',
    );
    expect(errorOf(() => validateParams(method("sendMessage"), { chat_id: 1 }))).toBe(
      "Bad Request: message text is empty",
    );
  });

  it("rejects wrong scalar and nested types", () => {
    expect(errorOf(() => validateParams(method("deleteMessage"), { chat_id: 1, message_id: "abc" }))).toBe(
      'Bad Request: Field "message_id" must be of type Integer',
    );
    expect(
      errorOf(() =>
        validateParams(method("sendMessage"), {
          chat_id: 1,
          text: "x",
          reply_markup: { inline_keyboard: [[{ text: { a: 1 } }]] },
        }),
      ),
    ).toMatch(/^Bad Request: can't parse reply keyboard markup JSON object/);
    expect(
      errorOf(() =>
        validateParams(method("sendMessage"), { chat_id: 1, text: "x", reply_markup: "{not json" }),
      ),
    ).toMatch(/^Bad Request: can't parse reply keyboard markup JSON object/);
  });

  it("validates union members by their discriminator", () => {
    const ok = validateParams(method("setMyCommands"), {
      commands: [{ command: "start", description: "Начать" }],
      scope: { type: "chat", chat_id: 5 },
    });
    expect(ok.scope).toEqual({ type: "chat", chat_id: 5 });
    expect(
      errorOf(() =>
        validateParams(method("setMyCommands"), {
          commands: [{ command: "a", description: "b" }],
          scope: { type: "chat" },
        }),
      ),
    ).toMatch(/^Bad Request: can't parse scope JSON object/);
  });

  it("resolves attach:// and direct multipart parts to uploads", () => {
    const upload = new Upload("a.jpg", Buffer.from("x"), "image/jpeg");
    const byAttach = validateParams(
      method("sendPhoto"),
      { chat_id: 1, photo: "attach://f1" },
      new Map([["f1", upload]]),
    );
    expect(byAttach.photo).toBe(upload);
    const byName = validateParams(method("sendPhoto"), { chat_id: 1 }, new Map([["photo", upload]]));
    expect(byName.photo).toBe(upload);
    expect(errorOf(() => validateParams(method("sendMessage"), { chat_id: 1, text: upload }))).toMatch(
      /must be of type String/,
    );
  });

  it("survives hostile input without crashing", () => {
    const deep: Record<string, unknown> = {};
    let cur = deep;
    for (let i = 0; i < 200; i++) {
      cur.inline_keyboard = [[{ text: "x", callback_data: "y" }]];
      cur.nested = {};
      cur = cur.nested as Record<string, unknown>;
    }
    expect(() =>
      validateParams(method("sendMessage"), { chat_id: 1, text: "x", reply_markup: deep }),
    ).not.toThrow();
    expect(errorOf(() => validateParams(method("sendMessage"), { chat_id: { a: 1 }, text: "x" }))).toMatch(
      /chat_id/,
    );
  });
});

describe("entity parsing", () => {
  it("parses HTML into text and UTF-16 entities", () => {
    expect(parseHtml("Привет, <b>мир</b> &amp; <a href='https://t.me'>ссылка</a>")).toEqual({
      text: "Привет, мир & ссылка",
      entities: [
        { type: "bold", offset: 8, length: 3 },
        { type: "text_link", offset: 14, length: 6, url: "https://t.me" },
      ],
    });
    expect(parseHtml('<pre><code class="language-ts">x</code></pre>').entities).toEqual([
      { type: "pre", offset: 0, length: 1, language: "ts" },
    ]);
  });

  it.each([
    ["<b>unclosed", `Bad Request: can't parse entities: Can't find end tag corresponding to start tag "b"`],
    ["<foo>x</foo>", `Bad Request: can't parse entities: Unsupported start tag "foo" at byte offset 0`],
    ["a</b>", "Bad Request: can't parse entities: Unexpected end tag at byte offset 1"],
    [
      "<b><i>x</b></i>",
      `Bad Request: can't parse entities: Unmatched end tag at byte offset 7, expected "</i>", found "</b>"`,
    ],
    ["<b", "Bad Request: can't parse entities: Unclosed start tag at byte offset 0"],
  ])("HTML %j is rejected", (source, description) => {
    expect(errorOf(() => formatText(source, "HTML", undefined))).toBe(description);
  });

  it("parses MarkdownV2 with escapes", () => {
    expect(parseMarkdownV2("*жирный* и _курсив_ \\. [ссылка](https://t.me/x\\)y)")).toEqual({
      text: "жирный и курсив . ссылка",
      entities: [
        { type: "bold", offset: 0, length: 6 },
        { type: "italic", offset: 9, length: 6 },
        { type: "text_link", offset: 18, length: 6, url: "https://t.me/x)y" },
      ],
    });
  });

  it.each([
    ["Привет.", "Character '.' is reserved and must be escaped with the preceding '\\'"],
    ["1-2", "Character '-' is reserved and must be escaped with the preceding '\\'"],
    ["*bold", "Can't find end of Bold entity at byte offset 0"],
    ["`code", "Can't find end of Code entity at byte offset 0"],
  ])("MarkdownV2 %j is rejected", (source, reason) => {
    expect(errorOf(() => formatText(source, "MarkdownV2", undefined))).toBe(
      `Bad Request: can't parse entities: ${reason}`,
    );
  });

  it("trims the text and shifts entities like Telegram", () => {
    expect(formatText("  <b>x</b>  ", "HTML", undefined)).toEqual({
      text: "x",
      entities: [{ type: "bold", offset: 0, length: 1 }],
    });
  });
});
