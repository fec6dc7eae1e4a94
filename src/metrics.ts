import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

/**
 * One registry per process (tests make their own). Labels never carry Telegram ids, texts or
 * anything else about a person: only update types, routes, methods and outcomes.
 */
export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<"method" | "route" | "status">;
  updateDuration: Histogram<"type" | "outcome">;
  updatesDuplicate: Counter<never>;
  telegramCalls: Counter<"method" | "outcome">;
}

export function createMetrics(opts: { collectDefault?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (opts.collectDefault !== false) collectDefaultMetrics({ register: registry });
  return {
    registry,
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
    telegramCalls: new Counter({
      name: "telegram_api_calls_total",
      help: "Bot API calls by method and outcome",
      labelNames: ["method", "outcome"],
      registers: [registry],
    }),
  };
}
