import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSandbox, type Sandbox, SandboxClient } from "../../sandbox/index.ts";
import { createScratchDatabase, dropScratchDatabase } from "./db.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const READY_LINE = /is ready .*?: API (http:\/\/[^\s,]+)/;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface BotProcess {
  url: string;
  /** Every line the process printed (stdout and stderr). */
  output: string[];
  /** Sends SIGTERM and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  child: ChildProcess;
}

/** Every bot process a test started and did not stop: killed when the test process exits, whatever happens. */
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/**
 * Starts `src/main.ts` as a real child process — the same entry `npm start` runs — and resolves
 * once it prints its ready line.
 */
export async function spawnBotProcess(opts: {
  env: Record<string, string | undefined>;
  role?: "all" | "api" | "worker";
  readyTimeoutMs?: number;
}): Promise<BotProcess> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith("VITEST") && k !== "NODE_OPTIONS") env[k] = v;
  }
  for (const [k, v] of Object.entries(opts.env)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts", opts.role ?? "all"], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  const output: string[] = [];
  let buffered = "";
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      // A process that never got ready must not outlive the test that started it.
      child.kill("SIGKILL");
      reject(new Error(`bot process not ready in time:\n${output.join("\n")}`));
    }, opts.readyTimeoutMs ?? 45_000);
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) {
        output.push(line);
        const m = READY_LINE.exec(line);
        if (m?.[1]) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`bot process exited with ${code} before it was ready:\n${output.join("\n")}`));
    });
  });
  return {
    url,
    output,
    child,
    async stop(signal = "SIGTERM") {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      return exited;
    },
  };
}

export interface E2E {
  sandbox: Sandbox;
  client: SandboxClient;
  bot: BotProcess;
  dataDir: string;
  /** Environment the bot process runs with (to restart it the same way). */
  env: Record<string, string | undefined>;
  /** Bearer token of the admin API and HMAC key of internal calls in this run. */
  adminToken: string;
  internalSecret: string;
  /** This run's own PostgreSQL database, when DATABASE_URL is set. */
  dbUrl?: string;
  /** Every line the bot process printed, across restarts. */
  allOutput(): string[];
  restart(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The end-to-end harness: a local Bot API sandbox in this process and the real bot process talking
 * to it, in polling or webhook mode, on PGlite or (with DATABASE_URL) a scratch PostgreSQL database and
 * (with REDIS_URL) its own Redis key prefix.
 */
export async function startE2E(
  opts: {
    mode?: "polling" | "webhook";
    env?: Record<string, string | undefined>;
    /** Runs against the sandbox before the bot starts (e.g. make a moderator); returns extra env. */
    beforeStart?: (client: SandboxClient) => Promise<Record<string, string>>;
  } = {},
): Promise<E2E> {
  const mode = opts.mode ?? "polling";
  const sandbox = await createSandbox({ port: 0 });
  const extraEnv = opts.beforeStart ? await opts.beforeStart(new SandboxClient(sandbox.url)) : {};
  const dataDir = mkdtempSync(join(tmpdir(), "tno-e2e-"));
  const baseDb = process.env.DATABASE_URL;
  const dbUrl = baseDb ? await createScratchDatabase(baseDb) : undefined;
  const port = await freePort();
  const webhookSecret = randomBytes(18).toString("base64url");
  const adminToken = randomBytes(18).toString("base64url");
  const internalSecret = randomBytes(18).toString("base64url");
  const env: Record<string, string | undefined> = {
    NODE_ENV: "test",
    LOG_LEVEL: "info",
    BOT_MODE: mode,
    TELEGRAM_BOT_TOKEN: sandbox.token,
    TELEGRAM_API_ROOT: sandbox.apiRoot,
    HOST: "127.0.0.1",
    PORT: String(port),
    DATA_DIR: dataDir,
    DATABASE_URL: dbUrl,
    REDIS_URL: process.env.REDIS_URL,
    REDIS_PREFIX: `tno-e2e-${randomBytes(4).toString("hex")}:`,
    TELEGRAM_PER_CHAT_MIN_MS: "0",
    ADMIN_TOKEN: adminToken,
    INTERNAL_API_SECRET: internalSecret,
    ...(mode === "webhook"
      ? { WEBHOOK_URL: `http://127.0.0.1:${port}/telegram/webhook`, WEBHOOK_SECRET: webhookSecret }
      : {}),
    ...extraEnv,
    ...opts.env,
  };
  let bot = await spawnBotProcess({ env });
  const earlier: string[] = [];
  const e2e: E2E = {
    ...(dbUrl ? { dbUrl } : {}),
    adminToken,
    internalSecret,
    allOutput: () => [...earlier, ...bot.output],
    sandbox,
    client: new SandboxClient(sandbox.url),
    bot,
    dataDir,
    env,
    async restart() {
      await bot.stop();
      earlier.push(...bot.output);
      bot = await spawnBotProcess({ env });
      e2e.bot = bot;
    },
    async close() {
      await bot.stop();
      await sandbox.close();
      if (baseDb && dbUrl) await dropScratchDatabase(baseDb, dbUrl);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return e2e;
}
