import { type ChildProcess, execFile, execFileSync, spawn, spawnSync } from "node:child_process";
import {
  appendFileSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { freePort } from "../../tests/helpers/bot-process.ts";

export { freePort };

/**
 * Private PostgreSQL and Redis servers for fault-injection tests and benches: each instance gets its
 * own free port on 127.0.0.1 and its own temp dir, so killing and restarting it never touches the
 * machine's shared services on 5432/6379. Everything still running when the Node process exits
 * (or gets SIGINT/SIGTERM) is killed and its temp dir removed.
 *
 * initdb and postgres refuse to run as root: as root, every PostgreSQL command runs as the
 * `postgres` OS user through `runuser -u postgres --`, and the temp dir is chowned to that user.
 */

const run = promisify(execFile);
const IS_ROOT = process.getuid?.() === 0;
const PG_USER = "postgres";

export interface PrivateRedis {
  url: string;
  port: number;
  /** The redis-server pid while it runs. */
  pid(): number | undefined;
  /** Stops the server (SIGTERM, which with AOF on persists) and removes its temp dir; final. */
  stop(): Promise<void>;
  /** SIGKILL-free restart: SIGTERM (Redis' SHUTDOWN, AOF fsynced), wait downMs, start on the same port and dir. */
  restart(opts?: { downMs?: number }): Promise<void>;
  /** SIGKILL, waits for the process to be gone; `start()` brings it back from the AOF. */
  kill9(): Promise<void>;
  /** Starts the server again (after kill9); a no-op while it runs. */
  start(): Promise<void>;
}

export interface PrivatePostgres {
  /** postgres://postgres@127.0.0.1:PORT/postgres */
  url: string;
  port: number;
  /** Postmaster + its children (from /proc), for CPU sampling; empty while down. */
  pids(): number[];
  /** `pg_ctl stop -m <mode>` (default fast), wait downMs, `pg_ctl start -w`. */
  restart(opts?: { downMs?: number; mode?: "fast" | "immediate" }): Promise<void>;
  /** Stops the server (fast) and removes its temp dir; final. */
  stop(): Promise<void>;
  /** Starts the server again (e.g. after a SIGKILL of the postmaster); a no-op while it runs. */
  start(): Promise<void>;
}

export interface PrivatePostgresOptions {
  /** Default "128MB". */
  sharedBuffers?: string;
  /** Default 200. */
  maxConnections?: number;
  /** Default false (and full_page_writes off): crash safety is not what these tests measure. */
  fsync?: boolean;
  /** Extra postgresql.conf settings. */
  settings?: Record<string, string | number | boolean>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// Availability

/** The newest /usr/lib/postgresql/<version>/bin that has initdb, pg_ctl and postgres. */
function postgresBinDir(): string | undefined {
  const root = "/usr/lib/postgresql";
  let versions: string[] = [];
  try {
    versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  } catch {
    return undefined;
  }
  for (const v of versions) {
    const bin = join(root, v, "bin");
    if (["initdb", "pg_ctl", "postgres"].every((b) => existsSync(join(bin, b)))) return bin;
  }
  return undefined;
}

function commandWorks(cmd: string, args: string[]): boolean {
  return spawnSync(cmd, args, { stdio: "ignore" }).status === 0;
}

/** True when the binaries exist (tests skip with a clear reason otherwise). */
export function privateServicesAvailable(): { postgres: boolean; redis: boolean; reason?: string } {
  const reasons: string[] = [];
  let postgres = postgresBinDir() !== undefined;
  if (!postgres) reasons.push("no PostgreSQL binaries under /usr/lib/postgresql/<version>/bin");
  else if (IS_ROOT && !commandWorks("runuser", ["-u", PG_USER, "--", "true"])) {
    postgres = false;
    reasons.push(`running as root but \`runuser -u ${PG_USER}\` does not work`);
  }
  const redis = commandWorks("redis-server", ["--version"]);
  if (!redis) reasons.push("no redis-server on PATH");
  return reasons.length ? { postgres, redis, reason: reasons.join("; ") } : { postgres, redis };
}

// ---------------------------------------------------------------------------------------------
// Shared plumbing

/** Synchronous cleanups of live instances, run on process exit (and SIGINT/SIGTERM). */
const cleanups = new Set<() => void>();
let hooksInstalled = false;

function runCleanups() {
  for (const c of [...cleanups]) {
    try {
      c();
    } catch {}
  }
  cleanups.clear();
}

function installExitHooks() {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on("exit", runCleanups);
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.once(sig, () => {
      runCleanups();
      // Keep the default "die by this signal" when nobody else handles it.
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
    });
  }
}

function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

// ---------------------------------------------------------------------------------------------
// Redis

/** Resolves once `+PONG` comes back from a raw `PING` (not `-LOADING`), or rejects after timeoutMs. */
async function waitForRedis(port: number, child: ChildProcess, log: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`redis-server on ${port} exited during start:\n${tail(log)}`);
    }
    const reply = await new Promise<string>((resolve) => {
      const sock = createConnection({ host: "127.0.0.1", port });
      let buf = "";
      const done = (s: string) => {
        sock.destroy();
        resolve(s);
      };
      sock.setTimeout(1000, () => done(""));
      sock.on("error", () => done(""));
      sock.on("connect", () => sock.write("PING\r\n"));
      sock.on("data", (d) => {
        buf += d.toString();
        if (buf.includes("\r\n")) done(buf);
      });
    });
    if (reply.startsWith("+PONG")) return;
    await sleep(25);
  }
  throw new Error(`redis-server on ${port} not ready after ${timeoutMs} ms:\n${tail(log)}`);
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Sends `signal` and waits for the exit; SIGKILL if still alive after timeoutMs. */
async function killAndWait(child: ChildProcess, signal: NodeJS.Signals, timeoutMs = 15_000) {
  if (exited(child)) return;
  const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  await gone;
  clearTimeout(timer);
}

/** A private redis-server on a free port, AOF on (appendfsync everysec) unless `appendonly: false`
 * (then nothing persists: RDB snapshots are off too). */
export async function startPrivateRedis(opts: { appendonly?: boolean } = {}): Promise<PrivateRedis> {
  installExitHooks();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "tno-redis-"));
  const log = join(dir, "redis.log");
  const args = [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--dir",
    dir,
    "--logfile",
    log,
    "--daemonize",
    "no",
    "--save",
    "",
    "--appendonly",
    opts.appendonly === false ? "no" : "yes",
    "--appendfsync",
    "everysec",
  ];
  let child: ChildProcess | undefined;
  let removed = false;

  const cleanup = () => {
    if (child && !exited(child)) child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  };
  cleanups.add(cleanup);

  const start = async () => {
    if (removed) throw new Error("this private Redis was stopped; start a new one");
    if (child && !exited(child)) return;
    const c = spawn("redis-server", args, { stdio: "ignore" });
    c.on("error", () => {}); // surfaced by waitForRedis as an early exit
    c.unref(); // a forgotten instance must not keep the process alive; the exit hook kills it
    child = c;
    await waitForRedis(port, c, log);
  };

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid: () => (child && !exited(child) ? child.pid : undefined),
    start,
    async restart({ downMs = 0 } = {}) {
      if (child) await killAndWait(child, "SIGTERM");
      if (downMs > 0) await sleep(downMs);
      await start();
    },
    async kill9() {
      if (child) await killAndWait(child, "SIGKILL");
    },
    async stop() {
      if (removed) return;
      if (child) await killAndWait(child, "SIGTERM");
      removed = true;
      cleanups.delete(cleanup);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

/** argv for a PostgreSQL binary: as root, through `runuser -u postgres --`. */
function pgCommand(bin: string, args: string[]): [string, string[]] {
  return IS_ROOT ? ["runuser", ["-u", PG_USER, "--", bin, ...args]] : [bin, args];
}

function confValue(v: string | number | boolean): string {
  if (typeof v === "boolean") return v ? "on" : "off";
  if (typeof v === "number") return String(v);
  return `'${v.replace(/'/g, "''")}'`;
}

/** `pg_ctl status` exit code 0 = running. */
async function pgRunning(pgCtl: string, data: string): Promise<boolean> {
  const [cmd, args] = pgCommand(pgCtl, ["status", "-D", data]);
  try {
    await run(cmd, args, { timeout: 15_000 });
    return true;
  } catch {
    return false;
  }
}

/** Parent pid from /proc/<pid>/stat (the field after the parenthesised command name). */
function parentPid(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[1]);
  } catch {
    return undefined;
  }
}

/** A private PostgreSQL cluster (initdb -A trust -U postgres) on a free port, 127.0.0.1 only. */
export async function startPrivatePostgres(opts: PrivatePostgresOptions = {}): Promise<PrivatePostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error("no PostgreSQL binaries under /usr/lib/postgresql/<version>/bin");
  const pgCtl = join(bin, "pg_ctl");
  installExitHooks();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "tno-pg-"));
  const data = join(dir, "data");
  const log = join(dir, "postgres.log");
  if (IS_ROOT) {
    const uid = Number(execFileSync("id", ["-u", PG_USER], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", PG_USER], { encoding: "utf8" }).trim());
    chownSync(dir, uid, gid);
  }
  let removed = false;

  // Sync stop for the exit hook: immediate, nothing to wait for.
  const cleanup = () => {
    const [cmd, args] = pgCommand(pgCtl, ["stop", "-D", data, "-m", "immediate", "-w", "-t", "10"]);
    if (existsSync(join(data, "postmaster.pid"))) spawnSync(cmd, args, { stdio: "ignore", timeout: 15_000 });
    rmSync(dir, { recursive: true, force: true });
  };
  cleanups.add(cleanup);

  const pgCtlAsync = async (args: string[]) => {
    const [cmd, argv] = pgCommand(pgCtl, args);
    try {
      await run(cmd, argv, { timeout: 60_000 });
    } catch (err) {
      const e = err as Error & { stderr?: string };
      throw new Error(`pg_ctl ${args[0]} failed: ${e.stderr || e.message}\n${tail(log)}`);
    }
  };

  try {
    const fsync = opts.fsync ?? false;
    const [cmd, args] = pgCommand(join(bin, "initdb"), [
      "-D",
      data,
      "-A",
      "trust",
      "-U",
      PG_USER,
      "-E",
      "UTF8",
      "--no-sync",
    ]);
    await run(cmd, args, { timeout: 60_000 });
    const settings: Record<string, string | number | boolean> = {
      port,
      listen_addresses: "127.0.0.1",
      unix_socket_directories: dir,
      shared_buffers: opts.sharedBuffers ?? "128MB",
      max_connections: opts.maxConnections ?? 200,
      fsync,
      full_page_writes: fsync,
      ...opts.settings,
    };
    // postgresql.conf is the postgres user's; as root we may still append to it.
    appendFileSync(
      join(data, "postgresql.conf"),
      `\n# private-services.ts\n${Object.entries(settings)
        .map(([k, v]) => `${k} = ${confValue(v)}`)
        .join("\n")}\n`,
    );
  } catch (err) {
    cleanups.delete(cleanup);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;

  const start = async () => {
    if (removed) throw new Error("this private PostgreSQL was stopped; start a new one");
    if (await pgRunning(pgCtl, data)) return;
    await pgCtlAsync(["start", "-D", data, "-l", log, "-w", "-t", "60"]);
    // pg_ctl -w waits for "ready" in postmaster.pid; prove TCP works too.
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query("select 1");
    } finally {
      await client.end();
    }
  };

  try {
    await start();
  } catch (err) {
    cleanup();
    cleanups.delete(cleanup);
    throw err;
  }

  return {
    url,
    port,
    pids() {
      let pm: number;
      try {
        pm = Number(readFileSync(join(data, "postmaster.pid"), "utf8").split("\n")[0]);
      } catch {
        return [];
      }
      if (!pm || parentPid(pm) === undefined) return [];
      const children = readdirSync("/proc")
        .filter((n) => /^\d+$/.test(n))
        .map(Number)
        .filter((p) => parentPid(p) === pm);
      return [pm, ...children];
    },
    start,
    async restart({ downMs = 0, mode = "fast" } = {}) {
      if (await pgRunning(pgCtl, data)) await pgCtlAsync(["stop", "-D", data, "-m", mode, "-w", "-t", "60"]);
      if (downMs > 0) await sleep(downMs);
      await start();
    },
    async stop() {
      if (removed) return;
      if (await pgRunning(pgCtl, data))
        await pgCtlAsync(["stop", "-D", data, "-m", "fast", "-w", "-t", "60"]);
      removed = true;
      cleanups.delete(cleanup);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
