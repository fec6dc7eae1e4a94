import type { Stream } from "../../infra/ports.ts";
import type { Metrics } from "../../metrics.ts";
import type { Services } from "../../services/index.ts";
import { MATCH_DEAD_STREAM } from "../../services/matching/index.ts";
import type { Job } from "../scheduler.ts";

/**
 * Gauges the on-call alerts read (deploy/prometheus/alerts.yml, docs/runbook.md): searches dead-lettered,
 * the biggest wave of open reports against one person, and — in webhook mode — Telegram's backlog.
 */
export function operationsGaugesJob(deps: {
  stream: Pick<Stream, "length">;
  moderation: Pick<Services["moderation"], "openReportsMaxPerPerson">;
  metrics: Metrics;
  /** getWebhookInfo, when updates come by webhook. */
  webhookInfo?: () => Promise<{ pending_update_count: number; last_error_date?: number }>;
}): Job {
  const { metrics } = deps;
  return {
    name: "operations-gauges",
    everyMs: 30_000,
    run: async () => {
      metrics.matching.deadLetters.set(await deps.stream.length(MATCH_DEAD_STREAM));
      metrics.operations.openReportsMaxPerPerson.set(await deps.moderation.openReportsMaxPerPerson());
      if (deps.webhookInfo) {
        const info = await deps.webhookInfo();
        metrics.operations.webhookPending.set(info.pending_update_count);
        metrics.operations.webhookLastErrorAt.set(info.last_error_date ?? 0);
      }
    },
  };
}
