import { readFileSync } from "node:fs";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Update } from "grammy/types";
import { type AppBot, createI18n } from "../bot/create-bot.ts";
import { rootCause } from "../bot/give-back.ts";
import type { Config } from "../config.ts";
import { isMigrated } from "../db/migrate.ts";
import { type ConsoleOptions, consoleRoutes } from "../http/console/index.ts";
import { adminRoutes } from "../http/routes/admin/index.ts";
import { aiRoutes } from "../http/routes/ai.ts";
import { matchRoutes } from "../http/routes/match.ts";
import { tipRoutes } from "../http/routes/tips.ts";
import { answerWithin } from "../http/routes/webhook.ts";
import { createServer, type RouteArea, routeArea } from "../http/server.ts";
import type { Logger } from "../logger.ts";
import type { Metrics } from "../metrics.ts";
import type { Secrets } from "../secrets.ts";
import type { Services } from "../services/index.ts";
import type { Lifecycle } from "./lifecycle.ts";
import type { Storage } from "./storage.ts";

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
      version: string;
    };
    return pkg.version;
  } catch {
    return "0.0.0";
  }
}

interface HttpDeps {
  config: Config;
  storage: Storage;
  services: Services;
  secrets: Secrets;
  metrics: Metrics;
  logger: Logger;
  appBot: AppBot | undefined;
  servesBot: boolean;
  life: Lifecycle;
}

/** The moderation console: its actions reach people through the bot when this process has one. */
function consoleOptions({ services, appBot }: HttpDeps): ConsoleOptions {
  const i18n = appBot?.i18n ?? createI18n();
  return {
    accounts: services.consoleAccounts,
    moderation: services.moderation,
    sos: services.sos,
    tips: services.tips,
    kpi: services.kpi,
    t: (key) => i18n.t("ru", key),
    ...(appBot
      ? {
          onAct: appBot.notifier.moderated,
          onAppealDecision: appBot.notifier.appealDecided,
          showReportEvidence: appBot.showReportEvidence,
          refunds: {
            profiles: services.profiles,
            refundStarPayment: appBot.operations.payments.refundStarPayment,
            onRefund: appBot.notifier.refunded,
          },
        }
      : {}),
  };
}

/** The route areas this process serves: admin and the console always; the coach's when it is on; match and tips with a bot. */
function routeAreas(deps: HttpDeps): RouteArea[] {
  const { config, storage, services, secrets, appBot } = deps;
  // A signed internal request is good once, across replicas: its signature is remembered in the store.
  const replayGuard = (signature: string, ttlMs: number) =>
    storage.infra.kv.setIfAbsent(`signed:${signature}`, "1", ttlMs);
  const areas = [
    routeArea(adminRoutes, {
      token: secrets.adminToken,
      moderation: services.moderation,
      sos: services.sos,
      digest: services.digest,
      ...(appBot
        ? { onAct: appBot.notifier.moderated, onAppealDecision: appBot.notifier.appealDecided }
        : {}),
    }),
    routeArea(consoleRoutes, consoleOptions(deps)),
  ];
  if (config.AI_COACH_ENABLED) {
    areas.push(
      routeArea(aiRoutes, {
        coach: services.coach,
        secret: secrets.internalApiSecret,
        replayGuard,
        resolveSession: async (userId) => {
          const chat = await services.chats.activeChat(userId);
          if (!chat) return null;
          return {
            sessionId: chat.sessionId,
            topicSlugs: await services.profiles.sharedTopicSlugs(userId, chat.peerId),
            crisisFlagged: await services.moderation.hasRecentCrisisFlag(chat.sessionId, 2 * 3600_000),
          };
        },
      }),
    );
  }
  if (appBot) {
    areas.push(
      routeArea(matchRoutes, {
        matching: services.matching,
        secret: secrets.internalApiSecret,
        replayGuard,
        onDecision: (o) => appBot.notifier.decision(o),
      }),
      routeArea(tipRoutes, {
        tips: services.tips,
        profiles: services.profiles,
        internalSecret: secrets.internalApiSecret,
        replayGuard,
        adminToken: secrets.adminToken,
        createInvoiceLink: appBot.operations.payments.createInvoiceLink,
        refundStarPayment: appBot.operations.payments.refundStarPayment,
        onRefund: appBot.notifier.refunded,
      }),
    );
  }
  return areas;
}

/** How long the webhook's answer waits for the update's handling (Telegram itself waits 60 s). */
const WEBHOOK_ANSWER_BUDGET_MS = 25_000;

/**
 * Step 4: the HTTP server — health, readiness, metrics, OpenAPI, the route areas, and the webhook
 * route when updates come by webhook — listening on HOST:PORT.
 */
export async function startHttp(deps: HttpDeps) {
  const { config, storage, appBot } = deps;
  const { db, infra } = storage;
  const readiness = [
    { name: "database", check: () => db.ping() },
    { name: "migrations", check: () => isMigrated(db.db) },
    { name: infra.kind === "redis" ? "redis" : "queue", check: () => infra.ping() },
  ];
  const webhook =
    deps.servesBot && appBot && config.BOT_MODE === "webhook" && config.WEBHOOK_SECRET
      ? {
          secret: config.WEBHOOK_SECRET,
          // The answer waits for the handler, so Telegram sends a chat's next update only after this
          // one is done (its per-chat order holds across replicas), and a failure gives the update back
          // for redelivery. Telegram waits 60 s; past 25 s we answer anyway and handling goes on.
          handle: async (request: FastifyRequest, reply: FastifyReply) => {
            const outcome = await answerWithin(
              appBot.bot.handleUpdate(request.body as Update),
              WEBHOOK_ANSWER_BUDGET_MS,
              (err) =>
                deps.logger.error(
                  { reason: rootCause(err) },
                  "update failed after the webhook was answered: Telegram will not redeliver it",
                ),
            );
            if (outcome === "late")
              deps.logger.warn(
                { budgetMs: WEBHOOK_ANSWER_BUDGET_MS },
                "webhook answered before the update was handled",
              );
            return reply.code(200).send();
          },
        }
      : undefined;
  const server = await createServer({
    logger: deps.logger,
    metrics: deps.metrics,
    readiness,
    version: packageVersion(),
    areas: routeAreas(deps),
    ...(webhook ? { webhook } : {}),
  });
  deps.life.started("http", () => server.close());
  await server.listen({ host: config.HOST, port: config.PORT });
  const address = server.server.address();
  const port = typeof address === "object" && address ? address.port : config.PORT;
  return { server, url: `http://${config.HOST}:${port}` };
}
