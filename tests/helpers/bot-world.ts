import { eq } from "drizzle-orm";
import { type AppBot, createBot } from "../../src/bot/create-bot.ts";
import { systemClock } from "../../src/clock.ts";
import type { Db } from "../../src/db/client.ts";
import { users } from "../../src/db/schema.ts";
import type { Infra } from "../../src/infra/ports.ts";
import { createLogger, createPseudonymizer, type Logger } from "../../src/logger.ts";
import { createMetrics, type Metrics } from "../../src/metrics.ts";
import { createServices } from "../../src/services/index.ts";
import { type RecordedCall, recordTelegramCalls, TEST_BOT_INFO } from "./fake-telegram.ts";
import { createServiceWorld, type ServiceWorld } from "./service-world.ts";

export type From = { id: number; first_name: string };

/**
 * The real bot over a test database and in-memory infra on the system clock, for tests of the HTTP
 * side and of what reaches the logs (their own logger and metrics). Telegram calls are not recorded:
 * the caller records them with the failures it needs.
 */
export function createTestBot(deps: {
  db: Db;
  infra: Infra;
  logger: Logger;
  metrics: Metrics;
  pseudonymize?: (tgId: number) => string;
  canGiveBack?: boolean;
}): AppBot {
  return createBot({
    token: "7000000001:TESTTOKEN-abcdefghij",
    apiRoot: "http://127.0.0.1:9",
    botInfo: TEST_BOT_INFO,
    logger: deps.logger,
    pseudonymize: deps.pseudonymize ?? createPseudonymizer("secret-secret-secret"),
    kv: deps.infra.kv,
    metrics: deps.metrics,
    services: createServices({ db: deps.db, infra: deps.infra, clock: systemClock }),
    clock: systemClock,
    perChatMinMs: 0,
    ...(deps.canGiveBack ? { canGiveBack: true } : {}),
  });
}

/** Builds the real bot over a service world's services and clock, with every Bot API call recorded. */
export function botOver(
  world: ServiceWorld,
  opts: { modChatId?: number; metrics?: Metrics; failWith?: FailWith; canGiveBack?: boolean } = {},
) {
  const metrics = opts.metrics ?? createMetrics({ collectDefault: false });
  const appBot: AppBot = createBot({
    token: "7000000001:TESTTOKEN-abcdefghij",
    apiRoot: "http://127.0.0.1:9",
    botInfo: TEST_BOT_INFO,
    logger: createLogger({ level: "silent" }),
    pseudonymize: createPseudonymizer("bot-world-secret"),
    kv: world.infra.kv,
    metrics,
    services: world.services,
    clock: world.clock,
    perChatMinMs: 0,
    ...(opts.modChatId !== undefined ? { modChatId: opts.modChatId } : {}),
    ...(opts.canGiveBack ? { canGiveBack: true } : {}),
  });
  const calls: RecordedCall[] = recordTelegramCalls(
    appBot.bot,
    opts.failWith ? { failWith: opts.failWith } : {},
  );
  return {
    appBot,
    calls,
    metrics,
    /** Messages sent to a chat since call number `from`. */
    sentTo: (chatId: number, from = 0) =>
      calls.slice(from).filter((c) => c.method === "sendMessage" && c.payload.chat_id === chatId),
    textsTo: (chatId: number, from = 0) =>
      calls
        .slice(from)
        .filter((c) => c.method === "sendMessage" && c.payload.chat_id === chatId)
        .map((c) => String(c.payload.text ?? "")),
    /** Relayed copies to a chat since call number `from`. */
    copiesTo: (chatId: number, from = 0) =>
      calls
        .slice(from)
        .filter(
          (c) => (c.method === "copyMessage" || c.method === "copyMessages") && c.payload.chat_id === chatId,
        ),
  };
}

/** A service world (database, services, manual clock) with the real bot over it. */
/** Makes matching Bot API calls fail as Telegram would (e.g. 403 for a person who blocked the bot). */
type FailWith = (call: RecordedCall) => { error_code: number; description: string } | undefined;

export async function createBotWorld(
  opts: { modChatId?: number; seedSos?: boolean; failWith?: FailWith; canGiveBack?: boolean } = {},
) {
  const world = await createServiceWorld();
  if (opts.seedSos) await world.services.sos.seedFromFile();
  const bot = botOver(world, opts);
  /** The Telegram side of a person made by the fixtures. */
  const tgOf = async (userId: number): Promise<From> => {
    const [row] = await world.db.select({ tgId: users.tgId }).from(users).where(eq(users.id, userId));
    return { id: Number(row!.tgId), first_name: "Человек" };
  };
  return { world, ...bot, tgOf, close: () => world.close() };
}

export type BotWorld = Awaited<ReturnType<typeof createBotWorld>>;
