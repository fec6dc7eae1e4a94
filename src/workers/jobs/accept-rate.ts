import type { Metrics } from "../../metrics.ts";
import type { Services } from "../../services/index.ts";
import type { Job } from "../scheduler.ts";

/** The share of proposals both people accepted, per A/B variant. */
export function acceptRateJob(deps: {
  matching: Pick<Services["matching"], "acceptRates">;
  metrics: Metrics;
}): Job {
  return {
    name: "accept-rate",
    everyMs: 60_000,
    run: async () => {
      for (const r of await deps.matching.acceptRates()) {
        if (r.decided > 0)
          deps.metrics.matching.acceptRate.set({ variant: r.variant }, r.accepted / r.decided);
      }
    },
  };
}
