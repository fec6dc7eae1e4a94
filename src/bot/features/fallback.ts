import { Composer } from "grammy";
import type { BotContext } from "../context.ts";

/** Whatever no feature handled: a gentle hint, so nothing a person sends goes unanswered. */
export function createFallbackFeature() {
  const feature = new Composer<BotContext>();
  feature.on("message", async (ctx) => {
    if (ctx.message.text?.startsWith("/")) return ctx.reply(ctx.t("unknown-command"));
    await ctx.reply(ctx.t("fallback-hint"));
  });
  feature.on("callback_query", (ctx) => ctx.answerCallbackQuery({ text: ctx.t("stale-button") }));
  return feature;
}
