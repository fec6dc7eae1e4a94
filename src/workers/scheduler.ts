import type { Logger } from "../logger.ts";

export interface Job {
  name: string;
  everyMs: number;
  run(): Promise<void>;
}

export interface Scheduler {
  stop(): Promise<void>;
}

/**
 * Runs each job every `everyMs`, never two runs of one job at once; a failing run is logged and the
 * next one still happens. Several worker replicas may run the same jobs: jobs must be idempotent and
 * take their own locks where two runs at once would be wrong.
 */
export function startScheduler(jobs: Job[], logger: Logger): Scheduler {
  const timers: NodeJS.Timeout[] = [];
  const running = new Set<Promise<void>>();
  let stopped = false;
  for (const job of jobs) {
    let busy = false;
    const tick = () => {
      if (busy || stopped) return;
      busy = true;
      const run = job
        .run()
        .catch((err) => logger.error({ err, job: job.name }, "scheduled job failed"))
        .finally(() => {
          busy = false;
          running.delete(run);
        });
      running.add(run);
    };
    timers.push(setInterval(tick, job.everyMs));
  }
  return {
    async stop() {
      stopped = true;
      for (const t of timers) clearInterval(t);
      await Promise.allSettled([...running]);
    },
  };
}
