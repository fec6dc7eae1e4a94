import { type RunnerHandle, run } from "@grammyjs/runner";
import { registerCommands } from "./commands.ts";
import type { AppBot } from "./create-bot.ts";

/** The update kinds the bot handles; Telegram sends nothing else. */
export const ALLOWED_UPDATES = [
  "message",
  "edited_message",
  "callback_query",
  "pre_checkout_query",
  "my_chat_member",
] as const;

/** Something that receives updates and can be stopped. */
export interface Ingress {
  kind: "webhook" | "polling";
  stop(): Promise<void>;
}

/** Fetches the bot's own info and, when asked, registers the Russian command menu. */
export async function prepareBot(appBot: AppBot, opts: { setCommands: boolean; coach: boolean }) {
  await appBot.bot.init();
  if (opts.setCommands) await registerCommands(appBot.bot.api, appBot.i18n, { coach: opts.coach });
}

/** Webhook: Telegram posts updates to `url` (served by the HTTP server's webhook route). */
export async function useWebhook(bot: AppBot["bot"], url: string, secret: string): Promise<Ingress> {
  await bot.api.setWebhook(url, { secret_token: secret, allowed_updates: [...ALLOWED_UPDATES] });
  return { kind: "webhook", stop: async () => {} };
}

/** Long polling (Telegram or the local sandbox) with grammY's runner. */
export async function startPolling(bot: AppBot["bot"]): Promise<Ingress> {
  // A webhook left from another deployment would make getUpdates fail with 409.
  await bot.api.deleteWebhook();
  const runner: RunnerHandle = run(bot, { runner: { fetch: { allowed_updates: [...ALLOWED_UPDATES] } } });
  return {
    kind: "polling",
    stop: async () => {
      if (runner.isRunning()) await runner.stop();
    },
  };
}
