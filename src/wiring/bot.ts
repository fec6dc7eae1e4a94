import { type AppBot, createBot } from "../bot/create-bot.ts";
import { processClock } from "../clock.ts";
import type { Config } from "../config.ts";
import type { Logger } from "../logger.ts";
import type { Metrics } from "../metrics.ts";
import type { Services } from "../services/index.ts";
import type { Lifecycle } from "./lifecycle.ts";
import type { Storage } from "./storage.ts";

export const PUBLIC_BOT_API = "https://api.telegram.org";

/** Where the Bot API is: Telegram, or (BOT_MODE=sandbox) the local sandbox started here. */
export async function connectTelegram(config: Config, servesBot: boolean, life: Lifecycle) {
  const telegram = {
    apiRoot: config.TELEGRAM_API_ROOT ?? PUBLIC_BOT_API,
    token: config.TELEGRAM_BOT_TOKEN,
    sandboxUrl: undefined as string | undefined,
  };
  if (servesBot && config.BOT_MODE === "sandbox") {
    // Development only: production code never reaches the sandbox unless this mode is chosen.
    const { createSandbox } = await import("../../sandbox/index.ts");
    const sandbox = await createSandbox({ port: config.SANDBOX_PORT, host: config.SANDBOX_HOST });
    life.started("sandbox", () => sandbox.close());
    // An explicit TELEGRAM_API_ROOT still wins, so a recording proxy can sit in between.
    telegram.apiRoot = config.TELEGRAM_API_ROOT ?? sandbox.apiRoot;
    telegram.token = telegram.token ?? sandbox.token;
    telegram.sandboxUrl = sandbox.url;
  }
  return telegram;
}

/**
 * Step 3: the bot — its features, outgoing pacing and notifier. The worker needs it too (it sends
 * proposals) but never receives updates. Stopping lets updates in flight finish, then closes pacing.
 */
export function buildBot(deps: {
  config: Config;
  telegram: { apiRoot: string; token: string | undefined };
  storage: Storage;
  services: Services;
  metrics: Metrics;
  logger: Logger;
  pseudonymize: (id: number | bigint | string) => string;
  life: Lifecycle;
}): AppBot {
  const { config, telegram, storage, life } = deps;
  if (!telegram.token) throw new Error("no bot token: the config check should have caught this");
  const appBot = createBot({
    token: telegram.token,
    apiRoot: telegram.apiRoot,
    logger: deps.logger.child({ component: "bot" }),
    pseudonymize: (id) => deps.pseudonymize(id),
    kv: storage.infra.kv,
    metrics: deps.metrics,
    services: deps.services,
    clock: processClock(config.CLOCK_OFFSET_MS),
    perChatMinMs: config.TELEGRAM_PER_CHAT_MIN_MS,
    perChatBurst: config.TELEGRAM_PER_CHAT_BURST,
    bulkPerSecond: config.TELEGRAM_BULK_PER_SECOND,
    tips: { commissionBps: config.TIP_COMMISSION_BPS, payoutPolicy: config.TIP_PAYOUT_POLICY },
    modChatId: config.MOD_CHAT_ID ? Number(config.MOD_CHAT_ID) : null,
    coachEnabled: config.AI_COACH_ENABLED,
    canGiveBack: config.BOT_MODE === "webhook",
  });
  life.started("bot", async () => {
    await appBot.drain();
    appBot.outgoing.close();
  });
  return appBot;
}
