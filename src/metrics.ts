import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { DigestMetrics } from "./services/digest.ts";

/**
 * One registry per process (tests make their own). Labels never carry Telegram ids, texts or
 * anything else about a person: only update types, routes, methods and outcomes.
 */
export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<"method" | "route" | "status">;
  updateDuration: Histogram<"type" | "outcome">;
  updatesDuplicate: Counter<never>;
  updatesGivenBack: Counter<"dependency">;
  telegramCalls: Counter<"method" | "outcome">;
  /** One HTTP round trip to the Bot API (before pacing and retries): how long Telegram takes to answer. */
  telegramCallDuration: Histogram<"method">;
  telegramFloodWaits: Counter<"lane">;
  safety: {
    /** Crisis support brought, by what found it: the message, the conversation's context, the model tier or the peer. */
    crisisSupport: Counter<"source">;
    /** Moderator alerts for crisis, sent or held back by the 10-minute-per-session limit. */
    crisisAlerts: Counter<"outcome">;
    /** The optional model tier's verdicts on uncertain messages. */
    secondOpinion: Counter<"outcome">;
    /** Caring contact: check-ins offered, accepted, sent, and the answer's category. */
    checkIns: Counter<"event">;
  };
  /** What on-call watches beyond requests: open reports per person, Telegram's webhook backlog. */
  operations: {
    openReportsMaxPerPerson: Gauge<never>;
    webhookPending: Gauge<never>;
    webhookLastErrorAt: Gauge<never>;
  };
  /** The weekly digest: runs by arm and outcome, searches within 24 h after one, stops from it. */
  digest: {
    runs: Counter<"arm" | "outcome">;
    searches: Counter<"arm">;
    stopped: Counter<never>;
  };
  /**
   * The spec's goals over the last 7 UTC days (today included), set by the worker's `kpi` job from
   * the database (services/kpi.ts has the definitions); a series disappears while it has no data.
   */
  kpi: {
    searchMatched24h: Gauge<"variant">;
    accept: Gauge<"variant">;
    conversationMinutes: Gauge<"variant">;
    tip: Gauge<"variant">;
    tipAverageStars: Gauge<"variant">;
    report: Gauge<"variant">;
    crisisFlagsPer1000: Gauge<"variant">;
    checkInAnswers: Gauge<"variant" | "answer">;
    sampleSize: Gauge<"variant" | "of">;
  };
  matching: {
    queueSize: Gauge<never>;
    workerLagMs: Gauge<never>;
    /** Entries in the match.dead stream (searches that failed too often). */
    deadLetters: Gauge<never>;
    proposalsSent: Counter<"variant">;
    proposalTtlExpired: Counter<"variant">;
    accepted: Counter<"variant">;
    declined: Counter<"variant">;
    acceptRate: Gauge<"variant">;
    selectMs: Histogram<"variant">;
    timeToProposal: Histogram<"variant">;
  };
}

/** Every Prometheus metric of the service, declared in one list (long because it is a table). */
export function createMetrics(opts: { collectDefault?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (opts.collectDefault !== false) collectDefaultMetrics({ register: registry });
  const accepted = new Counter({
    name: "match_accept_total",
    help: "Proposals both people accepted (a chat started)",
    labelNames: ["variant"],
    registers: [registry],
  });
  const declined = new Counter({
    name: "match_decline_total",
    help: "Proposals someone declined",
    labelNames: ["variant"],
    registers: [registry],
  });
  const proposalTtlExpired = new Counter({
    name: "proposal_ttl_expired_total",
    help: "Proposals nobody finished deciding within the TTL",
    labelNames: ["variant"],
    registers: [registry],
  });
  return {
    registry,
    safety: {
      crisisSupport: new Counter({
        name: "safety_crisis_support_total",
        help: "Crisis support brought to a person, by source: message, context (several messages together), model (the optional second opinion) or peer (their peer's concern)",
        labelNames: ["source"],
        registers: [registry],
      }),
      crisisAlerts: new Counter({
        name: "safety_crisis_alerts_total",
        help: "Crisis alerts to moderators: sent, or throttled (at most one per conversation per 10 minutes)",
        labelNames: ["outcome"],
        registers: [registry],
      }),
      secondOpinion: new Counter({
        name: "safety_second_opinion_total",
        help: "The optional model tier on uncertain messages: crisis, no, timeout, error",
        labelNames: ["outcome"],
        registers: [registry],
      }),
      checkIns: new Counter({
        name: "safety_check_ins_total",
        help: "Caring contact: offered, accepted, declined, sent, answer_better, answer_same, answer_worse",
        labelNames: ["event"],
        registers: [registry],
      }),
    },
    operations: {
      openReportsMaxPerPerson: new Gauge({
        name: "reports_open_max_per_person",
        help: "The most open reports from different people against any one person (a wave of reports)",
        registers: [registry],
      }),
      webhookPending: new Gauge({
        name: "telegram_webhook_pending_updates",
        help: "Updates Telegram holds for the webhook (getWebhookInfo pending_update_count; webhook mode)",
        registers: [registry],
      }),
      webhookLastErrorAt: new Gauge({
        name: "telegram_webhook_last_error_timestamp_seconds",
        help: "When Telegram last failed to deliver to the webhook (getWebhookInfo last_error_date; 0 = never)",
        registers: [registry],
      }),
    },
    digest: {
      runs: new Counter({
        name: "digest_runs_total",
        help: "Weekly digest runs by arm (digest, control) and outcome (sent, held, empty, busy, unreachable, failed)",
        labelNames: ["arm", "outcome"],
        registers: [registry],
      }),
      searches: new Counter({
        name: "digest_searches_total",
        help: "Searches opened within 24 h of a digest run (sent, or held back in the control arm), by arm",
        labelNames: ["arm"],
        registers: [registry],
      }),
      stopped: new Counter({
        name: "digest_stopped_total",
        help: "People who stopped the weekly digest from the digest itself",
        registers: [registry],
      }),
    },
    kpi: kpiGauges(registry),
    httpDuration: new Histogram({
      name: "http_request_duration_seconds",
      help: "HTTP request latency by route",
      labelNames: ["method", "route", "status"],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    updateDuration: new Histogram({
      name: "bot_update_duration_seconds",
      help: "Time to handle one Telegram update, by update type",
      labelNames: ["type", "outcome"],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    updatesDuplicate: new Counter({
      name: "bot_updates_duplicate_total",
      help: "Updates skipped because their update_id was already handled",
      registers: [registry],
    }),
    updatesGivenBack: new Counter({
      name: "bot_updates_given_back_total",
      help: "Updates answered 5xx so Telegram redelivers them, because a dependency was down",
      labelNames: ["dependency"],
      registers: [registry],
    }),
    telegramCalls: new Counter({
      name: "telegram_api_calls_total",
      help: "Bot API calls by method and outcome",
      labelNames: ["method", "outcome"],
      registers: [registry],
    }),
    telegramCallDuration: new Histogram({
      name: "telegram_api_call_duration_seconds",
      help: "One HTTP round trip to the Bot API by method (pacing waits and retries not included)",
      labelNames: ["method"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    telegramFloodWaits: new Counter({
      name: "telegram_flood_waits_total",
      help: "429 answers from the Bot API (each waited out by auto-retry), by lane: interactive or bulk",
      labelNames: ["lane"],
      registers: [registry],
    }),
    matching: {
      queueSize: new Gauge({
        name: "match_queue_size",
        help: "People searching now (set by the process that serves it)",
        registers: [registry],
      }),
      deadLetters: new Gauge({
        name: "match_dead_letters",
        help: "Entries in the match.dead stream: searches whose handling failed too often",
        registers: [registry],
      }),
      workerLagMs: new Gauge({
        name: "match_worker_lag_ms",
        help: "Age of the last match.find event when a worker picked it up",
        registers: [registry],
      }),
      proposalsSent: new Counter({
        name: "proposals_sent_total",
        help: "Proposals sent (one per pair)",
        labelNames: ["variant"],
        registers: [registry],
      }),
      proposalTtlExpired,
      accepted,
      declined,
      acceptRate: new Gauge({
        name: "accept_rate",
        help: "Accepted / decided proposals over the last 7 days, by variant (from the database)",
        labelNames: ["variant"],
        registers: [registry],
      }),
      selectMs: new Histogram({
        name: "sql_match_select_ms",
        help: "Candidate selection time per search, milliseconds",
        labelNames: ["variant"],
        buckets: [0.5, 1, 2, 5, 10, 25, 50, 100, 250, 1000],
        registers: [registry],
      }),
      timeToProposal: new Histogram({
        name: "time_to_proposal_ms",
        help: "From /find to a proposal, milliseconds",
        labelNames: ["variant"],
        buckets: [50, 100, 250, 500, 1000, 2500, 5000, 15000, 60000, 300000],
        registers: [registry],
      }),
    },
  };
}

/** The KPI gauges (one per figure, by A/B variant: strict, soft, all). */
function kpiGauges(registry: Registry): Metrics["kpi"] {
  const gauge = <L extends string>(name: string, help: string, labelNames: L[]) =>
    new Gauge<L>({ name, help, labelNames, registers: [registry] });
  const byVariant = (name: string, help: string) => gauge(name, `${help}, last 7 days`, ["variant"]);
  return {
    searchMatched24h: byVariant(
      "kpi_search_matched_24h_ratio",
      "Searches whose 24 h are over that got a proposal within 24 h (goal >= 0.6)",
    ),
    accept: byVariant("kpi_accept_ratio", "Decided proposals both people accepted (goal >= 0.4)"),
    conversationMinutes: byVariant(
      "kpi_conversation_minutes_avg",
      "Average length of conversations that ended, minutes (goal >= 10)",
    ),
    tip: byVariant("kpi_tip_ratio", "Ended conversations with a paid tip (goal >= 0.08)"),
    tipAverageStars: byVariant("kpi_tip_avg_stars", "Average paid tip of ended conversations, Stars"),
    report: byVariant("kpi_report_ratio", "Ended conversations with a report (goal <= 0.03)"),
    crisisFlagsPer1000: byVariant("kpi_crisis_flags_per_1000", "Crisis flags per 1000 ended conversations"),
    checkInAnswers: gauge(
      "kpi_check_in_answers",
      "Caring-contact check-ins sent in the last 7 days by answer: better, same, worse, none",
      ["variant", "answer"],
    ),
    sampleSize: gauge(
      "kpi_sample_size",
      "What the KPI figures of the last 7 days are counted over: searches, proposals, conversations, tips, check_ins",
      ["variant", "of"],
    ),
  };
}

/** The matching service's metrics port over prom-client. */
export function matchingMetrics(m: Metrics) {
  return {
    proposalsSent: (variant: string) => m.matching.proposalsSent.inc({ variant }),
    accepted: (variant: string) => m.matching.accepted.inc({ variant }),
    declined: (variant: string) => m.matching.declined.inc({ variant }),
    expired: (variant: string) => m.matching.proposalTtlExpired.inc({ variant }),
    selectMs: (variant: string, ms: number) => m.matching.selectMs.observe({ variant }, ms),
    timeToProposalMs: (variant: string, ms: number) => m.matching.timeToProposal.observe({ variant }, ms),
  };
}

/** The AI coach's metrics port over prom-client: counts by kind, source and reason only. */
export function coachMetrics(m: Metrics) {
  const r = [m.registry];
  const events = new Counter({
    name: "coach_events_total",
    help: "AI coach: offered, requested, copied, sent, crisis_guidance",
    labelNames: ["event"],
    registers: r,
  });
  const shown = new Counter({
    name: "coach_hints_shown_total",
    help: "Hints shown",
    labelNames: ["source"],
    registers: r,
  });
  const filtered = new Counter({
    name: "coach_hints_filtered_total",
    help: "Generated hints refused by the safety filter",
    labelNames: ["reason"],
    registers: r,
  });
  const limited = new Counter({
    name: "coach_limited_total",
    help: "Hint requests refused by caps",
    labelNames: ["reason"],
    registers: r,
  });
  const providerErrors = new Counter({
    name: "coach_provider_errors_total",
    help: "Model provider failures",
    labelNames: ["kind"],
    registers: r,
  });
  const latency = new Histogram({
    name: "coach_provider_latency_ms",
    help: "Model provider latency, milliseconds",
    buckets: [50, 100, 250, 500, 1000, 1500, 2000, 2500, 3000],
    registers: r,
  });
  return {
    offered: () => events.inc({ event: "offered" }),
    requested: () => events.inc({ event: "requested" }),
    copied: () => events.inc({ event: "copied" }),
    sent: () => events.inc({ event: "sent" }),
    crisisGuidance: () => events.inc({ event: "crisis_guidance" }),
    shown: (source: string, count: number) => shown.inc({ source }, count),
    filtered: (reason: string) => filtered.inc({ reason }),
    limited: (reason: string) => limited.inc({ reason }),
    providerError: (kind: string) => providerErrors.inc({ kind }),
    providerLatencyMs: (ms: number) => latency.observe(ms),
  };
}

/** The weekly digest's counters, as the digest service reports them. */
export function digestMetrics(m: Metrics): DigestMetrics {
  return {
    run: (arm, outcome) => m.digest.runs.inc({ arm, outcome }),
    searched: (arm) => m.digest.searches.inc({ arm }),
    stopped: () => m.digest.stopped.inc(),
  };
}
