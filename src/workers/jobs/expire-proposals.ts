import type { Services } from "../../services/index.ts";
import type { Job } from "../scheduler.ts";

type ExpiredProposal = Awaited<ReturnType<Services["matching"]["expireProposals"]>>[number];

/** Proposals nobody answered in 5 minutes: closed, the people re-queued or told. */
export function expireProposalsJob(deps: {
  matching: Pick<Services["matching"], "expireProposals">;
  announce: (expired: ExpiredProposal) => Promise<void>;
}): Job {
  return {
    name: "expire-proposals",
    everyMs: 5_000,
    run: async () => {
      for (const e of await deps.matching.expireProposals()) await deps.announce(e);
    },
  };
}
