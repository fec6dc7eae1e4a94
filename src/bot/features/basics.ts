import { Composer } from "grammy";
import type { BotContext } from "../context.ts";

/** /help: commands and the rules, available to everyone. */
export function createBasicsFeature() {
  const feature = new Composer<BotContext>();
  feature.command("help", (ctx) => ctx.reply(ctx.t("help")));
  return feature;
}
