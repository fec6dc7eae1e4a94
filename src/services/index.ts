import type { Clock } from "../clock.ts";
import type { Db } from "../db/client.ts";
import type { Infra } from "../infra/ports.ts";
import { createChatService } from "./chats.ts";
import { createCheckInService } from "./check-ins.ts";
import { createCoachService } from "./coach/index.ts";
import type { CoachMetrics } from "./coach/metrics.ts";
import type { HintProvider } from "./coach/provider.ts";
import { createConsoleAccounts } from "./console-accounts.ts";
import { createCrisisContext } from "./crisis-context.ts";
import { createDigestService, type DigestMetrics } from "./digest.ts";
import { createIdentityHash, type IdentityHash } from "./identity.ts";
import { createKpiService } from "./kpi.ts";
import { type CandidateIndex, createCandidateFinder } from "./matching/candidates.ts";
import { createMatchingService, type MatchingMetrics } from "./matching/index.ts";
import { createModerationService } from "./moderation/index.ts";
import { createPrivacyService } from "./privacy/index.ts";
import { createProfileService } from "./profile.ts";
import { createSafetyTier, type SafetyTierProvider, type SecondOpinion } from "./safety-tier.ts";
import { createSenderLookup } from "./sender.ts";
import { createSosService } from "./sos.ts";
import { createTipService } from "./tips/index.ts";

export interface ServiceOptions {
  db: Db;
  infra: Infra;
  clock: Clock;
  /** Keyed hash of Telegram ids for sanctions that survive /delete; tests may leave it out. */
  identityHash?: IdentityHash;
  matchingMetrics?: MatchingMetrics;
  /** HMAC key of tip invoice payloads; tests may leave it out. */
  tipPayloadSecret?: string;
  tipCommissionBps?: number;
  /** Topics count for matching only with at least this weight, on both sides (default 1: all). */
  minTopicWeight?: number;
  /** Open reports from this many different people suspend someone from matching (default 3). */
  reportThreshold?: number;
  coach?: {
    enabled: boolean;
    rolloutPercent: number;
    hourlyPerUser: number;
    dailyTokenBudget: number;
    provider?: HintProvider;
    metrics?: CoachMetrics;
  };
  /** The optional model tier for uncertain crisis scores (SAFETY_MODEL_*); off without a provider. */
  safetyModel?: {
    provider: SafetyTierProvider;
    timeoutMs: number;
    onOutcome?: (outcome: SecondOpinion) => void;
  };
  /** The weekly digest: share of opted-in people who get it (the rest are the control arm; default 100). */
  digest?: { rolloutPercent: number; metrics?: DigestMetrics };
  /** The worker's in-memory candidate index (production); without it candidates come from SQL. */
  candidateIndex?: CandidateIndex;
}

const TEST_TIP_SECRET = "tests-only-tip-payload-secret";
const TEST_IDENTITY_SECRET = "tests-only-identity-secret";

/** Every use case, built once per process over the same database, infra and clock. */
export function createServices(deps: ServiceOptions) {
  const identityHash = deps.identityHash ?? createIdentityHash(TEST_IDENTITY_SECRET);
  const profiles = createProfileService({ db: deps.db, clock: deps.clock, identityHash });
  const finder = createCandidateFinder({
    db: deps.db,
    clock: deps.clock,
    ...(deps.candidateIndex ? { index: deps.candidateIndex } : {}),
  });
  const digest = createDigestService({
    db: deps.db,
    clock: deps.clock,
    finder,
    rolloutPercent: deps.digest?.rolloutPercent ?? 100,
    ...(deps.digest?.metrics ? { metrics: deps.digest.metrics } : {}),
  });
  const matching = createMatchingService({
    db: deps.db,
    onSearchStarted: (userId) => digest.noteSearch(userId),
    clock: deps.clock,
    stream: deps.infra.stream,
    finder,
    profiles,
    ...(deps.matchingMetrics ? { metrics: deps.matchingMetrics } : {}),
    ...(deps.minTopicWeight !== undefined ? { minTopicWeight: deps.minTopicWeight } : {}),
    ...(deps.candidateIndex ? { refreshCandidates: () => deps.candidateIndex!.refresh() } : {}),
  });
  const chats = createChatService({ db: deps.db, clock: deps.clock, kv: deps.infra.kv });
  const sender = createSenderLookup(deps.db);
  const tips = createTipService({
    db: deps.db,
    clock: deps.clock,
    locks: deps.infra.locks,
    secret: deps.tipPayloadSecret ?? TEST_TIP_SECRET,
    ...(deps.tipCommissionBps !== undefined ? { commissionBps: deps.tipCommissionBps } : {}),
  });
  const moderation = createModerationService({
    db: deps.db,
    clock: deps.clock,
    ...(deps.reportThreshold !== undefined ? { reportThreshold: deps.reportThreshold } : {}),
  });
  const sos = createSosService({ db: deps.db, clock: deps.clock, kv: deps.infra.kv });
  const privacy = createPrivacyService({
    db: deps.db,
    clock: deps.clock,
    kv: deps.infra.kv,
    identityHash,
    beforeExport: chats.flushCounts,
  });
  const coach = createCoachService({
    db: deps.db,
    clock: deps.clock,
    kv: deps.infra.kv,
    ...(deps.coach?.provider ? { provider: deps.coach.provider } : {}),
    ...(deps.coach?.metrics ? { metrics: deps.coach.metrics } : {}),
    limits: {
      hourlyPerUser: deps.coach?.hourlyPerUser ?? 10,
      dailyTokenBudget: deps.coach?.dailyTokenBudget ?? 200_000,
    },
    // Off unless configured: the spec's «AI‑coach выключен по умолчанию».
    rollout: { enabled: deps.coach?.enabled ?? false, rolloutPercent: deps.coach?.rolloutPercent ?? 10 },
  });
  const checkIns = createCheckInService({ db: deps.db, clock: deps.clock });
  const kpi = createKpiService({ db: deps.db, clock: deps.clock });
  const crisisContext = createCrisisContext({ kv: deps.infra.kv, clock: deps.clock });
  const safetyTier = createSafetyTier({
    provider: deps.safetyModel?.provider ?? null,
    timeoutMs: deps.safetyModel?.timeoutMs ?? 1500,
    ...(deps.safetyModel?.onOutcome ? { onOutcome: deps.safetyModel.onOutcome } : {}),
  });
  return {
    profiles,
    sender,
    matching,
    chats,
    tips,
    moderation,
    sos,
    privacy,
    coach,
    checkIns,
    crisisContext,
    safetyTier,
    digest,
    consoleAccounts: createConsoleAccounts({ db: deps.db, clock: deps.clock, kv: deps.infra.kv }),
    kpi,
  };
}

export type Services = ReturnType<typeof createServices>;
