import { processClock } from "../clock.ts";
import type { Config } from "../config.ts";
import type { Logger } from "../logger.ts";
import { coachMetrics, digestMetrics, type Metrics, matchingMetrics } from "../metrics.ts";
import type { Secrets } from "../secrets.ts";
import { createOpenAiProvider } from "../services/coach/openai-provider.ts";
import { createIdentityHash } from "../services/identity.ts";
import { createServices } from "../services/index.ts";
import { type CandidateIndex, createCandidateIndex } from "../services/matching/candidates.ts";
import { createOpenAiSafetyProvider } from "../services/safety-tier.ts";
import type { Lifecycle } from "./lifecycle.ts";
import type { Storage } from "./storage.ts";

/** The optional model providers, each only when the operator configured it. */
function modelProviders(config: Config, metrics: Metrics) {
  return {
    // A second opinion on uncertain crisis scores.
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
    // Without a model the coach picks hints from the curated Russian template library.
    coachProvider: config.LLM_BASE_URL
      ? createOpenAiProvider({
          baseUrl: config.LLM_BASE_URL,
          model: config.LLM_MODEL,
          timeoutMs: config.LLM_TIMEOUT_MS,
          ...(config.LLM_API_KEY ? { apiKey: config.LLM_API_KEY } : {}),
        })
      : undefined,
  };
}

/**
 * Step 2: every service, built once. A process that runs the worker also keeps an in-memory index of
 * the people who can be proposed now (the database stays the source of truth and re-checks each pick).
 */
export async function buildServices(deps: {
  config: Config;
  storage: Storage;
  secrets: Secrets;
  metrics: Metrics;
  runsWorker: boolean;
  logger: Logger;
  life: Lifecycle;
}) {
  const { config, storage, secrets, metrics, logger, life } = deps;
  let candidateIndex: CandidateIndex | undefined;
  if (deps.runsWorker) {
    const index = await createCandidateIndex({
      db: storage.db.db,
      clock: processClock(config.CLOCK_OFFSET_MS),
    });
    await index.load();
    index.start(1000, (err) => logger.error({ err }, "candidate index refresh failed"));
    life.started("candidate index", () => index.stop());
    candidateIndex = index;
  }
  const { coachProvider, ...providers } = modelProviders(config, metrics);
  const services = createServices({
    ...(candidateIndex ? { candidateIndex } : {}),
    identityHash: createIdentityHash(secrets.logHashSecret),
    db: storage.db.db,
    infra: storage.infra,
    clock: processClock(config.CLOCK_OFFSET_MS),
    matchingMetrics: matchingMetrics(metrics),
    digest: { rolloutPercent: config.DIGEST_ROLLOUT, metrics: digestMetrics(metrics) },
    tipPayloadSecret: secrets.tipPayloadSecret,
    tipCommissionBps: config.TIP_COMMISSION_BPS,
    reportThreshold: config.REPORT_SUSPEND_THRESHOLD,
    minTopicWeight: config.MATCH_MIN_TOPIC_WEIGHT,
    ...providers,
    coach: {
      enabled: config.AI_COACH_ENABLED,
      rolloutPercent: config.AI_COACH_ROLLOUT,
      hourlyPerUser: config.AI_COACH_HOURLY_CAP,
      dailyTokenBudget: config.AI_COACH_DAILY_TOKENS,
      metrics: coachMetrics(metrics),
      ...(coachProvider ? { provider: coachProvider } : {}),
    },
  });
  // Relayed-message counts batched in memory are written before the database closes.
  life.started("message counts", () => services.chats.flushCounts());
  // Only missing hotlines are inserted: a moderator's later edit is never overwritten.
  await services.sos.seedFromFile();
  return services;
}
