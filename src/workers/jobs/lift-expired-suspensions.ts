import type { Services } from "../../services/index.ts";
import type { Job } from "../scheduler.ts";

/** Suspensions whose time is up are lifted, and the person is told they can search again. */
export function liftExpiredSuspensionsJob(deps: {
  moderation: Pick<Services["moderation"], "liftExpiredSuspensions">;
  announce: (userId: number) => Promise<void>;
}): Job {
  return {
    name: "lift-expired-suspensions",
    everyMs: 60_000,
    run: async () => {
      for (const p of await deps.moderation.liftExpiredSuspensions()) await deps.announce(p.userId);
    },
  };
}
