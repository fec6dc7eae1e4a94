import type { Services } from "../../services/index.ts";
import type { Job } from "../scheduler.ts";

/** Searches that found nobody in a day end, and the person is told kindly. */
export function expireSearchesJob(deps: {
  matching: Pick<Services["matching"], "expireSearches">;
  announce: (userId: number) => Promise<void>;
}): Job {
  return {
    name: "expire-searches",
    everyMs: 60_000,
    run: async () => {
      for (const userId of await deps.matching.expireSearches()) await deps.announce(userId);
    },
  };
}
