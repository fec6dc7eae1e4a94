import type { Transformer } from "grammy";
import { describe, expect, it } from "vitest";
import { harmlessRefusals } from "../../../src/bot/harmless-refusals.ts";
import { createLogger } from "../../../src/logger.ts";

type Prev = Parameters<Transformer>[0];

const refusing = (error_code: number, description: string) =>
  (async () => ({ ok: false, error_code, description })) as unknown as Prev;

const TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid";
const NOT_MODIFIED =
  "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message";

describe("harmless refusals", () => {
  const transform = harmlessRefusals(createLogger({ level: "silent" }));
  const call = (prev: Prev, method: string) => transform(prev, method as never, {} as never);

  it("a button answered too late, or twice, counts as answered", async () => {
    await expect(call(refusing(400, TOO_OLD), "answerCallbackQuery")).resolves.toMatchObject({ ok: true });
  });

  it("an edit to identical content counts as done", async () => {
    await expect(call(refusing(400, NOT_MODIFIED), "editMessageReplyMarkup")).resolves.toMatchObject({
      ok: true,
    });
  });

  it("every other refusal stays a refusal", async () => {
    // The same words on another method, and other errors on these methods, are real failures.
    await expect(call(refusing(400, TOO_OLD), "sendMessage")).resolves.toMatchObject({ ok: false });
    await expect(
      call(refusing(400, "Bad Request: message to edit not found"), "editMessageText"),
    ).resolves.toMatchObject({
      ok: false,
    });
    await expect(
      call(refusing(403, "Forbidden: bot was blocked by the user"), "answerCallbackQuery"),
    ).resolves.toMatchObject({ ok: false });
    await expect(
      call(refusing(429, "Too Many Requests: retry after 5"), "answerCallbackQuery"),
    ).resolves.toMatchObject({
      ok: false,
    });
  });
});
