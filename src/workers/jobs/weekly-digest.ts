import type { DigestPlan, DigestService } from "../../services/digest.ts";
import type { Job } from "../scheduler.ts";

/**
 * The weekly digest: everyone whose digest time has come (claimed once, moved to next week at once),
 * counted, and — in the digest arm, with someone to count — sent. The scheduler runs it through the
 * bulk lane of outgoing pacing, so a busy hour stays inside Telegram's limits.
 */
export function weeklyDigestJob(deps: {
  digest: DigestService;
  send: (plan: Extract<DigestPlan, { send: true }>) => Promise<void>;
  everyMs: number;
}): Job {
  return {
    name: "weekly-digest",
    everyMs: deps.everyMs,
    run: async () => {
      // One person's failure must not cost the others their week (they are claimed already):
      // everyone is tried, and the first error is thrown at the end for the scheduler to log.
      let firstError: unknown = null;
      for (let due = await deps.digest.claimDue(); due.length > 0; due = await deps.digest.claimDue()) {
        for (const userId of due) {
          try {
            const plan = await deps.digest.prepare(userId);
            if (plan.send) await deps.send(plan);
          } catch (err) {
            firstError ??= err;
          }
        }
      }
      if (firstError) throw firstError;
    },
  };
}
