import type { CheckInService, DueCheckIn } from "../../services/check-ins.ts";
import type { Job } from "../scheduler.ts";

/** Caring contact: «Как ты сейчас?» to everyone whose check-in is due (claimed once, sent once). */
export function checkInsJob(deps: {
  checkIns: CheckInService;
  send: (due: readonly DueCheckIn[]) => Promise<void>;
  everyMs: number;
}): Job {
  return {
    name: "check-ins",
    everyMs: deps.everyMs,
    run: async () => {
      for (let due = await deps.checkIns.claimDue(); due.length > 0; due = await deps.checkIns.claimDue())
        await deps.send(due);
    },
  };
}
