import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { type RunnerHandle, run } from "@grammyjs/runner";
import type { FastifyInstance, FastifyPluginAsync } from "fastify";
import { webhookCallback } from "grammy";
import { registerCommands } from "./bot/commands.ts";
import { type AppBot, createBot } from "./bot/create-bot.ts";
import { systemClock } from "./clock.ts";
import type { Config } from "./config.ts";
import { type Database, openDatabase } from "./db/client.ts";
import { isMigrated, migrate } from "./db/migrate.ts";
import { seedTopics } from "./db/seed.ts";
import { warmUpSafety } from "./domain/safety/index.ts";
import { adminRoutes } from "./http/routes/admin.ts";
import { aiRoutes } from "./http/routes/ai.ts";
import { matchRoutes } from "./http/routes/match.ts";
import { tipRoutes } from "./http/routes/tips.ts";
import { createServer } from "./http/server.ts";
import { createInfra } from "./infra/create-infra.ts";
import type { Infra } from "./infra/ports.ts";
import { createLogger, createPseudonymizer, type Logger } from "./logger.ts";
import { coachMetrics, createMetrics, type Metrics, matchingMetrics } from "./metrics.ts";
import { resolveSecrets } from "./secrets.ts";
import { createOpenAiProvider } from "./services/coach/openai-provider.ts";
import { createIdentityHash } from "./services/identity.ts";
import { createServices, type Services } from "./services/index.ts";
import { type CandidateIndex, createCandidateIndex } from "./services/matching/candidates.ts";
import type { DecisionOutcome } from "./services/matching/index.ts";
import { createOpenAiSafetyProvider } from "./services/safety-tier.ts";
import { checkInsJob } from "./workers/jobs/check-ins.ts";
import { startMatchWorker } from "./workers/match-worker.ts";
import { type Scheduler, startScheduler } from "./workers/scheduler.ts";

export type Role = "all" | "api" | "worker";

export const PUBLIC_BOT_API = "https://api.telegram.org";

/** The update kinds the bot handles; Telegram sends nothing else. */
export const ALLOWED_UPDATES = [
  "message",
  "edited_message",
  "callback_query",
  "pre_checkout_query",
  "my_chat_member",
] as const;

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

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
      version: string;
    };
    return pkg.version;
  } catch {
    return "0.0.0";
  }
}

/** Wires everything for one process and starts it. Every dependency is built here, once. */
export async function startApp(config: Config, opts: StartOptions): Promise<RunningApp> {
  const logger = createLogger({
    level: config.LOG_LEVEL,
    format: config.LOG_FORMAT,
    ...(opts.logDestination ? { destination: opts.logDestination as never } : {}),
  });
  const secrets = resolveSecrets(config);
  const pseudonymize = createPseudonymizer(secrets.logHashSecret);
  const metrics = createMetrics();
  const cleanups: Array<() => Promise<unknown>> = [];

  const db = await openDatabase({
    ...(config.DATABASE_URL ? { url: config.DATABASE_URL } : { dataDir: config.DATA_DIR }),
  });
  cleanups.push(() => db.close());
  try {
    const applied = await migrate(db.db);
    if (applied.length > 0) logger.info({ applied }, "migrations applied");
    await seedTopics(db.db);

    const infra = await createInfra({
      ...(config.REDIS_URL ? { redisUrl: config.REDIS_URL } : {}),
      prefix: config.REDIS_PREFIX,
    });
    cleanups.unshift(() => infra.close());

    const servesBot = opts.role !== "worker";
    const runsWorker = opts.role !== "api";
    // The worker keeps an in-memory index of the people who can be proposed now; the database stays
    // the source of truth and re-checks every pick.
    let candidateIndex: CandidateIndex | undefined;
    if (runsWorker) {
      candidateIndex = await createCandidateIndex({ db: db.db, clock: systemClock });
      await candidateIndex.load();
      candidateIndex.start(1000, (err) => logger.error({ err }, "candidate index refresh failed"));
      cleanups.unshift(async () => candidateIndex?.stop());
    }
    const services = createServices({
      ...(candidateIndex ? { candidateIndex } : {}),
      identityHash: createIdentityHash(secrets.logHashSecret),
      db: db.db,
      infra,
      clock: systemClock,
      matchingMetrics: matchingMetrics(metrics),
      tipPayloadSecret: secrets.tipPayloadSecret,
      tipCommissionBps: config.TIP_COMMISSION_BPS,
      reportThreshold: config.REPORT_SUSPEND_THRESHOLD,
      minTopicWeight: config.MATCH_MIN_TOPIC_WEIGHT,
      // A second opinion on uncertain crisis scores, only when the operator configured a model.
      ...(config.SAFETY_MODEL_URL
        ? {
            safetyModel: {
              provider: createOpenAiSafetyProvider({
                baseUrl: config.SAFETY_MODEL_URL,
                model: config.SAFETY_MODEL_NAME,
                timeoutMs: config.SAFETY_MODEL_TIMEOUT_MS,
                ...(config.SAFETY_MODEL_KEY ? { apiKey: config.SAFETY_MODEL_KEY } : {}),
              }),
              timeoutMs: config.SAFETY_MODEL_TIMEOUT_MS,
              onOutcome: (outcome: string) => metrics.safety.secondOpinion.inc({ outcome }),
            },
          }
        : {}),
      coach: {
        enabled: config.AI_COACH_ENABLED,
        rolloutPercent: config.AI_COACH_ROLLOUT,
        hourlyPerUser: config.AI_COACH_HOURLY_CAP,
        dailyTokenBudget: config.AI_COACH_DAILY_TOKENS,
        metrics: coachMetrics(metrics),
        // Without a model the coach picks hints from the curated Russian template library.
        ...(config.LLM_BASE_URL
          ? {
              provider: createOpenAiProvider({
                baseUrl: config.LLM_BASE_URL,
                model: config.LLM_MODEL,
                timeoutMs: config.LLM_TIMEOUT_MS,
                ...(config.LLM_API_KEY ? { apiKey: config.LLM_API_KEY } : {}),
              }),
            }
          : {}),
      },
    });
    // Only missing hotlines are inserted: a moderator's later edit is never overwritten.
    await services.sos.seedFromFile();
    let apiRoot = config.TELEGRAM_API_ROOT ?? PUBLIC_BOT_API;
    let token = config.TELEGRAM_BOT_TOKEN;
    let sandbox: { url: string; close(): Promise<void> } | undefined;
    if (servesBot && config.BOT_MODE === "sandbox") {
      const { createSandbox } = await import("./sandbox/index.ts");
      const started = await createSandbox({ port: config.SANDBOX_PORT, host: config.SANDBOX_HOST });
      sandbox = started;
      cleanups.unshift(() => started.close());
      // An explicit TELEGRAM_API_ROOT still wins, so a recording proxy can sit in between.
      apiRoot = config.TELEGRAM_API_ROOT ?? started.apiRoot;
      token = token ?? started.token;
    }

    // The safety models and morphology dictionaries load before any update can arrive, so the first
    // message never waits for them.
    if (servesBot) warmUpSafety();
    let appBot: AppBot | undefined;
    // The worker needs the Bot API too (it sends proposals), but never receives updates.
    if (servesBot || runsWorker) {
      if (!token) throw new Error("no bot token: the config check should have caught this");
      appBot = createBot({
        token,
        apiRoot,
        logger: logger.child({ component: "bot" }),
        pseudonymize: (id) => pseudonymize(id),
        kv: infra.kv,
        rateLimiters: infra.rateLimiters,
        metrics,
        services,
        clock: systemClock,
        perChatMinMs: config.TELEGRAM_PER_CHAT_MIN_MS,
        perChatBurst: config.TELEGRAM_PER_CHAT_BURST,
        bulkPerSecond: config.TELEGRAM_BULK_PER_SECOND,
        tips: { commissionBps: config.TIP_COMMISSION_BPS, payoutPolicy: config.TIP_PAYOUT_POLICY },
        modChatId: config.MOD_CHAT_ID ? Number(config.MOD_CHAT_ID) : null,
        coachEnabled: config.AI_COACH_ENABLED,
      });
    }

    const readiness = [
      { name: "database", check: () => db.ping() },
      { name: "migrations", check: () => isMigrated(db.db) },
      { name: infra.kind === "redis" ? "redis" : "queue", check: () => infra.ping() },
    ];
    const useWebhook = servesBot && appBot !== undefined && config.BOT_MODE === "webhook";
    // A signed internal request is good once, across replicas: its signature is remembered in the store.
    const replayGuard = (signature: string, ttlMs: number) =>
      infra.kv.setIfAbsent(`signed:${signature}`, "1", ttlMs);
    const areas: Array<{ plugin: FastifyPluginAsync<never>; opts: unknown }> = [
      {
        plugin: adminRoutes as FastifyPluginAsync<never>,
        opts: {
          token: secrets.adminToken,
          moderation: services.moderation,
          sos: services.sos,
          ...(appBot
            ? { onAct: appBot.notifier.moderated, onAppealDecision: appBot.notifier.appealDecided }
            : {}),
        },
      },
    ];
    if (config.AI_COACH_ENABLED) {
      areas.push({
        plugin: aiRoutes as FastifyPluginAsync<never>,
        opts: {
          coach: services.coach,
          secret: secrets.internalApiSecret,
          replayGuard,
          resolveSession: async (userId: number) => {
            const chat = await services.chats.activeChat(userId);
            if (!chat) return null;
            return {
              sessionId: chat.sessionId,
              topicSlugs: await services.profiles.sharedTopicSlugs(userId, chat.peerId),
              crisisFlagged: await services.moderation.hasRecentCrisisFlag(chat.sessionId, 2 * 3600_000),
            };
          },
        },
      });
    }
    if (appBot) {
      const { bot, i18n, notifier } = appBot;
      areas.push(
        {
          plugin: matchRoutes as FastifyPluginAsync<never>,
          opts: {
            matching: services.matching,
            secret: secrets.internalApiSecret,
            replayGuard,
            onDecision: (o: DecisionOutcome) => notifier.decision(o),
          },
        },
        {
          plugin: tipRoutes as FastifyPluginAsync<never>,
          opts: {
            tips: services.tips,
            profiles: services.profiles,
            internalSecret: secrets.internalApiSecret,
            replayGuard,
            adminToken: secrets.adminToken,
            createInvoiceLink: ({ payload, amount }: { payload: string; amount: number }) =>
              bot.api.createInvoiceLink(
                i18n.t("ru", "tips-invoice-title"),
                i18n.t("ru", "tips-invoice-link-description"),
                payload,
                "",
                "XTR",
                [{ label: i18n.t("ru", "tips-invoice-label"), amount }],
              ),
            refundStarPayment: async (payerTgId: number, chargeId: string) => {
              await bot.api.refundStarPayment(payerTgId, chargeId);
            },
            onRefund: notifier.refunded,
          },
        },
      );
    }
    const server = await createServer({
      logger,
      metrics,
      readiness,
      version: packageVersion(),
      areas,
      ...(useWebhook && appBot && config.WEBHOOK_SECRET
        ? {
            webhook: {
              secret: config.WEBHOOK_SECRET,
              // Answer Telegram within 2 s even when handling takes longer; handling goes on.
              handle: webhookCallback(appBot.bot, "fastify", {
                secretToken: config.WEBHOOK_SECRET,
                onTimeout: "return",
                timeoutMilliseconds: 2000,
              }),
            },
          }
        : {}),
    });
    cleanups.unshift(() => server.close());
    await server.listen({ host: config.HOST, port: config.PORT });
    const address = server.server.address();
    const port = typeof address === "object" && address ? address.port : config.PORT;
    const url = `http://${config.HOST}:${port}`;

    let runner: RunnerHandle | undefined;
    if (appBot && servesBot) {
      const { bot } = appBot;
      await bot.init();
      if (config.SET_COMMANDS)
        await registerCommands(bot.api, appBot.i18n, { coach: config.AI_COACH_ENABLED });
      if (useWebhook && config.WEBHOOK_URL) {
        await bot.api.setWebhook(config.WEBHOOK_URL, {
          secret_token: config.WEBHOOK_SECRET,
          allowed_updates: [...ALLOWED_UPDATES],
        });
      } else {
        // A webhook left from another deployment would make getUpdates fail with 409.
        await bot.api.deleteWebhook();
        runner = run(bot, {
          runner: { fetch: { allowed_updates: [...ALLOWED_UPDATES] } },
        });
      }
    }

    let scheduler: Scheduler | undefined;
    let worker: { stop(): Promise<void> } | undefined;
    if (runsWorker && appBot) {
      const workerLog = logger.child({ component: "worker" });
      const { matching } = services;
      const { notifier } = appBot;
      worker = startMatchWorker({
        stream: infra.stream,
        matching,
        onProposal: (p) => notifier.proposal(p),
        logger: workerLog,
        consumer: `worker-${process.pid}-${randomBytes(3).toString("hex")}`,
        onLag: (ms) => metrics.matching.workerLagMs.set(ms),
      });
      scheduler = startScheduler(
        [
          {
            name: "expire-proposals",
            everyMs: 5_000,
            run: async () => {
              for (const e of await matching.expireProposals()) await notifier.expired(e);
            },
          },
          {
            name: "expire-searches",
            everyMs: 60_000,
            run: async () => {
              for (const userId of await matching.expireSearches()) await notifier.searchExpired(userId);
            },
          },
          {
            // Temp-chat: «продлить?» 2 h before a timed chat ends, and the end itself.
            name: "chat-timers",
            everyMs: config.CHAT_TIMERS_EVERY_MS,
            run: async () => {
              for (const ask of await services.chats.claimExtensionAsks())
                await appBot.chatTimers.askExtension(ask);
              for (const ended of await services.chats.expireTimedChats())
                await appBot.chatTimers.announceExpired(ended);
            },
          },
          checkInsJob({
            checkIns: services.checkIns,
            send: appBot.sendCheckIns,
            everyMs: config.CHECK_INS_EVERY_MS,
          }),
          {
            name: "wake-waiting-searches",
            everyMs: 10_000,
            run: async () => void (await matching.wakeWaitingSearches()),
          },
          {
            name: "lift-expired-suspensions",
            everyMs: 60_000,
            run: async () => {
              for (const p of await services.moderation.liftExpiredSuspensions()) {
                await notifier.send(p.userId, notifier.t("to-user-restored"));
              }
            },
          },
          {
            // Evidence copies leave the moderators' chat after 47 h (a bot can delete only within
            // 48 h; moderators can show them again), and the evidence itself 30 days after its
            // report closes.
            name: "evidence-retention",
            everyMs: 15 * 60_000,
            run: async () => {
              const modChat = config.MOD_CHAT_ID ? Number(config.MOD_CHAT_ID) : null;
              const takeDown = async (copies: Array<{ modChatMessageId: number | null }>) => {
                if (modChat === null) return;
                for (const c of copies) {
                  if (c.modChatMessageId === null) continue;
                  await appBot.bot.api.deleteMessage(modChat, c.modChatMessageId).catch((err) => {
                    workerLog.warn({ err }, "evidence copy could not be deleted");
                  });
                }
              };
              const shown = await services.moderation.evidenceToTakeDown();
              await takeDown(shown);
              await services.moderation.markEvidenceTakenDown(shown.map((e) => e.id));
              const due = await services.moderation.evidenceToDelete();
              await takeDown(due);
              await services.moderation.deleteEvidence(due.map((e) => e.id));
            },
          },
          {
            name: "queue-size",
            everyMs: 15_000,
            run: async () => metrics.matching.queueSize.set(await matching.queueSize()),
          },
          {
            name: "accept-rate",
            everyMs: 60_000,
            run: async () => {
              for (const r of await matching.acceptRates()) {
                if (r.decided > 0)
                  metrics.matching.acceptRate.set({ variant: r.variant }, r.accepted / r.decided);
              }
            },
          },
          // Scheduler work is nobody's reply: its messages go through the bulk budget.
        ].map((job) => ({ ...job, run: () => appBot.outgoing.bulk(job.run) })),
        workerLog,
      );
    }

    let stopping: Promise<void> | undefined;
    const stop = () => {
      stopping ??= (async () => {
        // Stop taking updates first, then let what is in flight finish, then close pools.
        if (runner?.isRunning()) await runner.stop();
        await server.close();
        await appBot?.drain();
        await worker?.stop();
        await scheduler?.stop();
        candidateIndex?.stop();
        appBot?.outgoing.close();
        await sandbox?.close().catch(() => {});
        await infra.close().catch(() => {});
        await db.close().catch(() => {});
      })();
      return stopping;
    };

    logger.info({ role: opts.role, mode: config.BOT_MODE, db: db.kind, queue: infra.kind, url }, "started");
    return {
      url,
      ...(sandbox ? { sandboxUrl: sandbox.url } : {}),
      db,
      infra,
      metrics,
      logger,
      server,
      ...(appBot ? { bot: appBot } : {}),
      services,
      stop,
    };
  } catch (err) {
    for (const cleanup of cleanups) await cleanup().catch(() => {});
    throw err;
  }
}
