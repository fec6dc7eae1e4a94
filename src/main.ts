import { type Role, startApp } from "./app.ts";
import { loadConfigOrExit } from "./config-exit.ts";

/** Logging must never stop a shutdown (stdout may be a pipe nobody reads any more). */
function quietly(log: () => void): void {
  try {
    log();
  } catch {
    // nothing to do: the process is on its way out
  }
}

/** Entry point: `tsx src/main.ts [all|api|worker]`. */
async function main(): Promise<void> {
  const roleArg = process.argv[2] ?? "all";
  if (roleArg !== "all" && roleArg !== "api" && roleArg !== "worker") {
    process.stderr.write(`Unknown role "${roleArg}": expected all, api or worker.\n`);
    process.exit(2);
  }
  const role: Role = roleArg;

  const config = loadConfigOrExit(process.env, { servesBot: role !== "worker" });

  // Signals are caught from the first moment: a SIGTERM during start-up shuts down once started.
  let app: Awaited<ReturnType<typeof startApp>> | undefined;
  let pendingSignal: string | undefined;
  let stopping = false;
  const shutdown = (signal: string) => {
    if (!app) {
      pendingSignal ??= signal;
      return;
    }
    if (stopping) return;
    stopping = true;
    const running = app;
    // The deadline is armed before anything else can fail (a log write to a closed pipe, say).
    const force = setTimeout(() => {
      quietly(() =>
        running.logger.error({ timeoutMs: config.SHUTDOWN_TIMEOUT_MS }, "shutdown timed out; exiting"),
      );
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS);
    force.unref();
    quietly(() => running.logger.info({ signal }, "shutting down"));
    running
      .stop()
      .then(() => process.exit(0))
      .catch((err) => {
        quietly(() => running.logger.error({ err }, "shutdown failed"));
        process.exit(1);
      });
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));

  const startedAt = performance.now();
  app = await startApp(config, { role });
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
  const parts = [`API ${app.url}`];
  if (app.sandboxUrl) parts.push(`sandbox playground ${app.sandboxUrl}/`);
  process.stdout.write(
    `«Ты не один» is ready (${role}, ${config.BOT_MODE}) in ${seconds}s: ${parts.join(", ")}\n`,
  );
  if (pendingSignal) shutdown(pendingSignal);
}

main().catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`Start-up failed: ${message}\n`);
  process.exit(1);
});
