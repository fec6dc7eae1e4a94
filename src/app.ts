import type { FastifyInstance } from "fastify";
import type { AppBot } from "./bot/create-bot.ts";
import type { Config } from "./config.ts";
import type { Database } from "./db/client.ts";
import { warmUpSafety } from "./domain/safety/index.ts";
import type { Infra } from "./infra/ports.ts";
import { createLogger, createPseudonymizer, type Logger } from "./logger.ts";
import { createMetrics, type Metrics } from "./metrics.ts";
import { resolveSecrets } from "./secrets.ts";
import type { Services } from "./services/index.ts";
import { buildBot, connectTelegram } from "./wiring/bot.ts";
import { startHttp } from "./wiring/http.ts";
import { startIngress } from "./wiring/ingress.ts";
import { createLifecycle } from "./wiring/lifecycle.ts";
import { buildServices } from "./wiring/services.ts";
import { openStorage } from "./wiring/storage.ts";
import { startWorkers } from "./wiring/workers.ts";

export { ALLOWED_UPDATES } from "./bot/ingress.ts";
export { PUBLIC_BOT_API } from "./wiring/bot.ts";

export type Role = "all" | "api" | "worker";

export interface RunningApp {
  url: string;
  sandboxUrl?: string;
  db: Database;
  infra: Infra;
  metrics: Metrics;
  logger: Logger;
  server: FastifyInstance;
  bot?: AppBot;
  services: Services;
  stop(): Promise<void>;
}

export interface StartOptions {
  role: Role;
  /** Log destination (tests capture every line). */
  logDestination?: NodeJS.WritableStream;
}

/**
 * The composition root: one process, built as a list of named steps — open storage → build services
 * → build the bot → start HTTP → start ingress (webhook | polling | sandbox) → start workers. Each step
 * registers how to stop what it started; `stop` (SIGTERM) and a failed start-up both stop those in
 * reverse order. Roles: `api` serves the bot and HTTP, `worker` matches and runs the scheduler, `all`
 * does both.
 */
export async function startApp(config: Config, opts: StartOptions): Promise<RunningApp> {
  const logger = createLogger({
    level: config.LOG_LEVEL,
    format: config.LOG_FORMAT,
    ...(opts.logDestination ? { destination: opts.logDestination as never } : {}),
  });
  const secrets = resolveSecrets(config);
  const pseudonymize = createPseudonymizer(secrets.logHashSecret);
  const metrics = createMetrics();
  const life = createLifecycle(logger);
  const servesBot = opts.role !== "worker";
  const runsWorker = opts.role !== "api";
  try {
    const storage = await openStorage(config, logger, life);
    const services = await buildServices({ config, storage, secrets, metrics, runsWorker, logger, life });
    const telegram = await connectTelegram(config, servesBot, life);
    // The safety models and morphology dictionaries load before any update can arrive, so the first
    // message never waits for them.
    if (servesBot) warmUpSafety();
    const appBot = buildBot({ config, telegram, storage, services, metrics, logger, pseudonymize, life });
    const http = await startHttp({
      config,
      storage,
      services,
      secrets,
      metrics,
      logger,
      appBot,
      servesBot,
      life,
    });
    if (servesBot) await startIngress(config, appBot, life);
    if (runsWorker) startWorkers({ config, storage, services, metrics, appBot, logger, life });

    logger.info(
      {
        role: opts.role,
        mode: config.BOT_MODE,
        db: storage.db.kind,
        queue: storage.infra.kind,
        url: http.url,
      },
      "started",
    );
    return {
      url: http.url,
      ...(telegram.sandboxUrl ? { sandboxUrl: telegram.sandboxUrl } : {}),
      db: storage.db,
      infra: storage.infra,
      metrics,
      logger,
      server: http.server,
      bot: appBot,
      services,
      stop: () => life.stop(),
    };
  } catch (err) {
    await life.stop();
    throw err;
  }
}
