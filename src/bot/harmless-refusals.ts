import type { Transformer } from "grammy";
import type { Logger } from "../logger.ts";

/**
 * Refusals from Telegram that mean nothing to the person, turned into success so they never cut a handler
 * short (and never bring «у нас что-то сломалось»):
 *
 * - «message is not modified»: a double tap re-renders identical content; Telegram calls that an error,
 *   people would not.
 * - «query is too old … or query ID is invalid» on `answerCallbackQuery`: the button's answer can no
 *   longer be shown (the query expired while the update waited, or this is a redelivery whose first try
 *   already answered it). The spinner is long gone. Handlers send the answer alongside their work, so a
 *   refused answer must not stop the rest.
 */
export function harmlessRefusals(logger: Logger): Transformer {
  return async (prev, method, payload, signal) => {
    const res = await prev(method, payload, signal);
    if (res.ok) return res;
    const harmless =
      (method.startsWith("editMessage") && res.description.includes("message is not modified")) ||
      (method === "answerCallbackQuery" && /query is too old|query id is invalid/i.test(res.description));
    if (!harmless) return res;
    logger.debug({ method }, "harmless refusal ignored");
    return { ok: true, result: true } as unknown as typeof res;
  };
}
