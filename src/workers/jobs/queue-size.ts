import type { Metrics } from "../../metrics.ts";
import type { Services } from "../../services/index.ts";
import type { Job } from "../scheduler.ts";

/** How many people wait in the queue (a gauge for the dashboard and the backlog alert). */
export function queueSizeJob(deps: {
  matching: Pick<Services["matching"], "queueSize">;
  metrics: Metrics;
}): Job {
  return {
    name: "queue-size",
    everyMs: 15_000,
    run: async () => deps.metrics.matching.queueSize.set(await deps.matching.queueSize()),
  };
}
