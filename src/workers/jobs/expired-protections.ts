import type { Services } from "../../services/index.ts";
import type { Job } from "../scheduler.ts";

/** Hourly: cooldowns, keep-aparts and hashed suspensions whose end has passed are deleted (data kept only while it protects). */
export function expiredProtectionsJob(deps: {
  moderation: Pick<Services["moderation"], "purgeExpiredProtections">;
}): Job {
  return {
    name: "expired-protections",
    everyMs: 3_600_000,
    run: async () => void (await deps.moderation.purgeExpiredProtections()),
  };
}
