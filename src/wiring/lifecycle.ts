import type { Logger } from "../logger.ts";

/**
 * One lifecycle for a process: each part registers how to stop itself right after it started, and
 * `stop` runs those in reverse order — on SIGTERM, and just the same when start-up fails halfway.
 */
export interface Lifecycle {
  started(name: string, stop: () => unknown): void;
  /** Stops everything started so far, newest first; a failing stop is logged and the rest still run. */
  stop(): Promise<void>;
}

export function createLifecycle(logger: Logger): Lifecycle {
  const stack: Array<{ name: string; stop: () => unknown }> = [];
  let stopping: Promise<void> | undefined;
  return {
    started(name, stop) {
      stack.push({ name, stop });
    },
    stop() {
      stopping ??= (async () => {
        for (const part of stack.reverse()) {
          try {
            await part.stop();
          } catch (err) {
            logger.warn({ err, part: part.name }, "stopping failed; going on");
          }
        }
      })();
      return stopping;
    },
  };
}
