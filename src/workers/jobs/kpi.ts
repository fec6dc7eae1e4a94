import type { Metrics } from "../../metrics.ts";
import type { Services } from "../../services/index.ts";
import { KPI_VARIANTS, type KpiFigure, type KpiFigures } from "../../services/kpi.ts";
import type { Job } from "../scheduler.ts";

/** The gauges cover today and the six UTC days before it. */
export const KPI_WINDOW_DAYS = 7;

/**
 * The spec's goals as gauges, per A/B variant, over the last 7 UTC days: computed from the database
 * (services/kpi.ts), so every worker replica reports the same. A figure without data (nothing to
 * count over) removes its series instead of keeping a stale value.
 */
export function kpiJob(deps: {
  kpi: Pick<Services["kpi"], "recent">;
  metrics: Metrics;
  everyMs?: number;
}): Job {
  const g = deps.metrics.kpi;
  const set = (gauge: Metrics["kpi"]["accept"], variant: string, f: KpiFigure) => {
    if (f.value === null) gauge.remove({ variant });
    else gauge.set({ variant }, f.value);
  };
  const publish = (variant: string, f: KpiFigures) => {
    set(g.searchMatched24h, variant, f.searchMatched24h);
    set(g.accept, variant, f.accept);
    set(g.conversationMinutes, variant, f.conversationMinutes);
    set(g.tip, variant, f.tip);
    set(g.tipAverageStars, variant, f.tipAverage);
    set(g.report, variant, f.report);
    set(g.crisisFlagsPer1000, variant, f.crisisFlagsPer1000);
    const c = f.checkIns;
    for (const [answer, n] of [
      ["better", c.better],
      ["same", c.same],
      ["worse", c.worse],
      ["none", c.unanswered],
    ] as const)
      g.checkInAnswers.set({ variant, answer }, n);
    for (const [of, n] of [
      ["searches", f.searchMatched24h.denominator],
      ["proposals", f.accept.denominator],
      ["conversations", f.conversationMinutes.denominator],
      ["tips", f.tipAverage.denominator],
      ["check_ins", c.sent],
    ] as const)
      g.sampleSize.set({ variant, of }, n);
  };
  return {
    name: "kpi",
    everyMs: deps.everyMs ?? 5 * 60_000,
    run: async () => {
      const result = await deps.kpi.recent(KPI_WINDOW_DAYS);
      if (!result.ok) throw new Error(`kpi window refused: ${result.reason}`);
      for (const variant of KPI_VARIANTS) publish(variant, result.total[variant]);
    },
  };
}
