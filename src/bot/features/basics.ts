import { Composer } from "grammy";
import type { BotContext } from "../context.ts";

/** /start greeting and /help. The onboarding flow replaces the greeting once profiles land. */
export function createBasicsFeature() {
  const feature = new Composer<BotContext>();
  feature.command("start", (ctx) => ctx.reply(ctx.t("welcome")));
  feature.command("help", (ctx) => ctx.reply(ctx.t("help")));
  return feature;
}
