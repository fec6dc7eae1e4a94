import type { AppBot } from "../bot/create-bot.ts";
import { prepareBot, startPolling, useWebhook } from "../bot/ingress.ts";
import type { Config } from "../config.ts";
import type { Lifecycle } from "./lifecycle.ts";

/**
 * Step 5: updates start arriving — through the webhook route (BOT_MODE=webhook with WEBHOOK_URL),
 * or by long polling Telegram or the local sandbox. Stopped first of all the bot's parts on shutdown.
 */
export async function startIngress(config: Config, appBot: AppBot, life: Lifecycle) {
  await prepareBot(appBot, { setCommands: config.SET_COMMANDS, coach: config.AI_COACH_ENABLED });
  const ingress =
    config.BOT_MODE === "webhook" && config.WEBHOOK_URL && config.WEBHOOK_SECRET
      ? await useWebhook(appBot.bot, config.WEBHOOK_URL, config.WEBHOOK_SECRET)
      : await startPolling(appBot.bot);
  life.started(`ingress (${ingress.kind})`, () => ingress.stop());
  return ingress;
}
