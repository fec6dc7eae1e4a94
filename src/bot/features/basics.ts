import { Composer } from "grammy";
import type { BotContext } from "../context.ts";

/** /help: commands and the rules, available to everyone (/coach only where the coach exists). */
export function createBasicsFeature(opts: { coach?: boolean } = {}) {
  const feature = new Composer<BotContext>();
  feature.command("help", (ctx) => ctx.reply(ctx.t("help", { coach: opts.coach ? "yes" : "no" })));
  return feature;
}
