/**
 * A start-up that fails halfway stops what it had started, in reverse order, exactly like SIGTERM:
 * here the HTTP port is taken after the sandbox, database and queue are up. If the sandbox were left
 * running, the second start on the same sandbox port would fail.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { startApp } from "../../../src/app.ts";
import { loadConfig } from "../../../src/config.ts";

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe("a failed start-up", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "tno-startup-"));
  let blocker: Server | undefined;
  afterAll(async () => {
    if (blocker) await new Promise((r) => blocker!.close(r));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("releases everything it had started, so the next start on the same ports and data works", async () => {
    const sandboxPort = await freePort();
    blocker = createServer();
    await new Promise<void>((r) => blocker!.listen(0, "127.0.0.1", r));
    const takenPort = (blocker.address() as { port: number }).port;
    const quiet = new Writable({ write: (_c, _e, cb) => cb() });
    const env = (port: number) =>
      loadConfig({
        NODE_ENV: "test",
        LOG_LEVEL: "warn",
        BOT_MODE: "sandbox",
        HOST: "127.0.0.1",
        PORT: String(port),
        SANDBOX_HOST: "127.0.0.1",
        SANDBOX_PORT: String(sandboxPort),
        DATA_DIR: dataDir,
      });

    await expect(startApp(env(takenPort), { role: "all", logDestination: quiet })).rejects.toThrow(
      /EADDRINUSE/,
    );

    const app = await startApp(env(0), { role: "all", logDestination: quiet });
    try {
      expect(app.sandboxUrl).toBe(`http://127.0.0.1:${sandboxPort}`);
      const ready = await fetch(`${app.url}/ready`);
      expect(ready.status).toBe(200);
    } finally {
      await app.stop();
    }
  }, 60_000);
});
