import { randomBytes } from "node:crypto";
import type { AppBot } from "../bot/create-bot.ts";
import type { Config } from "../config.ts";
import type { Logger } from "../logger.ts";
import type { Metrics } from "../metrics.ts";
import type { Services } from "../services/index.ts";
import { acceptRateJob } from "../workers/jobs/accept-rate.ts";
import { chatTimersJob } from "../workers/jobs/chat-timers.ts";
import { checkInsJob } from "../workers/jobs/check-ins.ts";
import { evidenceRetentionJob } from "../workers/jobs/evidence-retention.ts";
import { expireProposalsJob } from "../workers/jobs/expire-proposals.ts";
import { expireSearchesJob } from "../workers/jobs/expire-searches.ts";
import { expiredProtectionsJob } from "../workers/jobs/expired-protections.ts";
import { kpiJob } from "../workers/jobs/kpi.ts";
import { liftExpiredSuspensionsJob } from "../workers/jobs/lift-expired-suspensions.ts";
import { operationsGaugesJob } from "../workers/jobs/operations-gauges.ts";
import { queueSizeJob } from "../workers/jobs/queue-size.ts";
import { wakeWaitingSearchesJob } from "../workers/jobs/wake-waiting-searches.ts";
import { weeklyDigestJob } from "../workers/jobs/weekly-digest.ts";
import { startMatchWorker } from "../workers/match-worker.ts";
import { type Job, startScheduler } from "../workers/scheduler.ts";
import type { Lifecycle } from "./lifecycle.ts";
import type { Storage } from "./storage.ts";

interface WorkerDeps {
  config: Config;
  storage: Storage;
  services: Services;
  metrics: Metrics;
  appBot: AppBot;
  logger: Logger;
  life: Lifecycle;
}

/** Every scheduled job of the worker, each built from its file in `src/workers/jobs/`. */
export function schedulerJobs({ config, services, metrics, appBot, storage }: WorkerDeps): Job[] {
  const { matching, moderation } = services;
  const { notifier } = appBot;
  return [
    expireProposalsJob({ matching, announce: (e) => notifier.expired(e) }),
    expireSearchesJob({ matching, announce: (userId) => notifier.searchExpired(userId) }),
    chatTimersJob({
      chats: services.chats,
      askExtension: appBot.chatTimers.askExtension,
      announceExpired: appBot.chatTimers.announceExpired,
      everyMs: config.CHAT_TIMERS_EVERY_MS,
    }),
    checkInsJob({
      checkIns: services.checkIns,
      send: appBot.sendCheckIns,
      everyMs: config.CHECK_INS_EVERY_MS,
    }),
    weeklyDigestJob({ digest: services.digest, send: appBot.sendDigest, everyMs: config.DIGEST_EVERY_MS }),
    wakeWaitingSearchesJob({ matching }),
    liftExpiredSuspensionsJob({
      moderation,
      announce: async (userId) => void (await notifier.send(userId, notifier.t("to-user-restored"))),
    }),
    evidenceRetentionJob({ moderation, takeDown: appBot.operations.moderatorsChat.takeDown }),
    queueSizeJob({ matching, metrics }),
    expiredProtectionsJob({ moderation }),
    operationsGaugesJob({
      stream: storage.infra.stream,
      moderation,
      metrics,
      ...(config.BOT_MODE === "webhook" ? { webhookInfo: appBot.operations.webhookInfo } : {}),
    }),
    acceptRateJob({ matching, metrics }),
    kpiJob({ kpi: services.kpi, metrics }),
  ];
}

/**
 * Step 6: the match worker (consumes `match.find` from the stream) and the scheduler. Scheduler
 * work is nobody's reply, so its messages go through the bulk budget of outgoing pacing.
 */
export function startWorkers(deps: WorkerDeps) {
  const { services, storage, metrics, appBot, life } = deps;
  const logger = deps.logger.child({ component: "worker" });
  const worker = startMatchWorker({
    stream: storage.infra.stream,
    matching: services.matching,
    onProposal: (p) => appBot.notifier.proposal(p),
    logger,
    consumer: `worker-${process.pid}-${randomBytes(3).toString("hex")}`,
    onLag: (ms) => metrics.matching.workerLagMs.set(ms),
  });
  life.started("match worker", () => worker.stop());
  const jobs = schedulerJobs(deps).map((job) => ({ ...job, run: () => appBot.outgoing.bulk(job.run) }));
  const scheduler = startScheduler(jobs, logger);
  life.started("scheduler", () => scheduler.stop());
}
