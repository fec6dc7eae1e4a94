import type { Services } from "../../services/index.ts";
import type { Job } from "../scheduler.ts";

/** Searches waiting for someone new are put back on the stream, so newcomers are tried against them. */
export function wakeWaitingSearchesJob(deps: {
  matching: Pick<Services["matching"], "wakeWaitingSearches">;
}): Job {
  return {
    name: "wake-waiting-searches",
    everyMs: 10_000,
    run: async () => void (await deps.matching.wakeWaitingSearches()),
  };
}
