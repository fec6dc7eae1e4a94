import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSandbox, type Sandbox } from "../../sandbox/index.ts";
import type { BotState } from "../../sandbox/world/state.ts";
import { systemClock } from "../../src/clock.ts";
import { openDatabase } from "../../src/db/client.ts";
import { migrate } from "../../src/db/migrate.ts";
import { seedTopics } from "../../src/db/seed.ts";
import { createMemoryInfra } from "../../src/infra/memory.ts";
import { createServices } from "../../src/services/index.ts";
import { freePort } from "../../tests/helpers/bot-process.ts";
import { createScratchDatabase, dropScratchDatabase } from "../../tests/helpers/db.ts";
import { dropRedisPrefix, pool, ROOT } from "../lib/common.ts";
import { chatBetween, makeBenchPerson, topicPairs } from "../lib/people.ts";

/**
 * The load stand: production shape on one machine. This process holds the sandbox (Telegram: it
 * delivers updates to the webhook with up to 40 connections, one at a time per chat, and answers the
 * bot's calls after `apiLatencyMs`); child processes run `api` (N replicas behind one port, Node's
 * cluster) and `worker`; PostgreSQL and Redis are the machine's (a scratch database and key prefix).
 * People are seeded through the services, in active chats, before the bot starts.
 */
export interface StandOptions {
  /** Pairs of people seeded in active chats. */
  pairs: number;
  /** People seeded with a profile and no chat (they can /find each other: one lane's topics). */
  idle?: number;
  replicas?: number;
  apiLatencyMs?: number;
  databaseUrl: string;
  redisUrl: string;
  /** "ours" runs the bot; "baseline" a bare grammY bot that only relays with copyMessage. */
  bot?: "ours" | "baseline";
  /** Extra environment for the bot processes. */
  env?: Record<string, string>;
  log?: (line: string) => void;
}

export interface StandProcess {
  name: string;
  child: ChildProcess;
  output: string[];
  /** The process and its children (api replicas), for CPU sampling. */
  pids(): number[];
  exited: Promise<number | null>;
}

export interface Stand {
  sandbox: Sandbox;
  bot: BotState;
  /** [a, b] Telegram ids of each seeded pair. */
  pairs: Array<[number, number]>;
  /** Telegram ids of the people seeded without a chat. */
  idle: number[];
  apiUrl: string;
  workerUrl: string;
  databaseUrl: string;
  redisPrefix: string;
  env: Record<string, string>;
  procs: Map<string, StandProcess>;
  /** Set by the load generator: told when the webhook accepted an update. */
  hooks: { onDelivered?: (updateId: number) => void };
  /** Starts (or restarts) one of the bot's processes. */
  start(name: "api" | "worker"): Promise<StandProcess>;
  /** Cumulative CPU milliseconds: each process group, PostgreSQL, Redis and this process. */
  cpuMs(): Record<string, number>;
  /** Lines of every bot process that look like an error or a warning (pino levels ≥ 40). */
  problems(): string[];
  stop(): Promise<void>;
}

const TICK_MS = 1000 / 100; // USER_HZ on Linux

/** Every bot process a stand started: killed if the driver exits without stopping it (Ctrl-C, a crash). */
const running = new Set<ChildProcess>();
const killAll = () => {
  for (const child of running) child.kill("SIGKILL");
};
process.once("exit", killAll);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(130);
  });
}
const WEBHOOK_PATH = "/telegram/webhook";

/** utime + stime of a process in ms, 0 when it is gone. */
export function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

/** Every process whose command name is `comm` (PostgreSQL backends, redis-server). */
export function pidsByName(comm: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, "utf8").trim() === comm) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function childrenOf(pid: number): number[] {
  try {
    const tasks = readdirSync(`/proc/${pid}/task`);
    return tasks.flatMap((t) =>
      readFileSync(`/proc/${pid}/task/${t}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

/** CPU of processes that come and go (PostgreSQL backends): the sum over pids ever seen, at their last reading. */
class CpuAccount {
  private readonly last = new Map<number, number>();
  total(pids: number[]): number {
    for (const pid of pids) {
      const v = processCpuMs(pid);
      if (v > 0) this.last.set(pid, v);
    }
    let sum = 0;
    for (const v of this.last.values()) sum += v;
    return sum;
  }
}

export async function startStand(opts: StandOptions): Promise<Stand> {
  const log = opts.log ?? (() => {});
  const hooks: Stand["hooks"] = {};
  const sandbox = await createSandbox({
    port: 0,
    apiLatencyMs: opts.apiLatencyMs ?? 0,
    webhookRetryBaseMs: 200,
    webhookRetryMaxMs: 5_000,
    // The stand watches calls through its own hook, not the control API's log, and needs only recent
    // messages (replies, edits): a 30-minute soak would otherwise keep ~400 000 messages in the process
    // that stamps every latency, and its GC pauses would be counted as the bot's.
    callLog: 200,
    messageHistory: 8,
    onWebhookDelivered: (_b, u) => hooks.onDelivered?.(u.update_id),
  });
  const world = sandbox.world;
  const bot = world.defaultBot();
  const databaseUrl = await createScratchDatabase(opts.databaseUrl);
  const redisPrefix = `tno-load-${randomBytes(4).toString("hex")}:`;
  const dataDir = mkdtempSync(join(tmpdir(), "tno-load-"));

  // --- People: in the sandbox (they have started the bot) and in the database, in active chats.
  const seeded = performance.now();
  const database = await openDatabase({ url: databaseUrl, poolSize: 8 });
  const pairs: Array<[number, number]> = [];
  const idle: number[] = [];
  try {
    await migrate(database.db);
    await seedTopics(database.db);
    const services = createServices({ db: database.db, infra: createMemoryInfra(), clock: systemClock });
    const combos = await topicPairs(services);
    // Eight lanes, each with its own two topics that no other lane has: pairs seeded in parallel
    // can only match within their lane, and later searches match anyone of the same lane.
    const lanes = 8;
    const topicIds = [...new Set(combos.flat())];
    const laneTopics = Array.from({ length: lanes }, (_, w) => [topicIds[2 * w]!, topicIds[2 * w + 1]!]);
    const people = Array.from({ length: opts.pairs * 2 }, (_, i) =>
      world.createUser({ first_name: `Нагрузка ${i}` }),
    );
    for (const p of people) world.chatOf(bot, p).started = true;
    await pool(
      Array.from({ length: lanes }, (_, w) => w),
      lanes,
      async (w) => {
        for (let i = w; i < opts.pairs; i += lanes) {
          const [ta, tb] = [people[2 * i]!.id, people[2 * i + 1]!.id];
          const topicIds = laneTopics[w]!;
          const a = await makeBenchPerson(services, { tgId: ta, topicIds, nickname: `Путник ${2 * i}` });
          const b = await makeBenchPerson(services, { tgId: tb, topicIds, nickname: `Путник ${2 * i + 1}` });
          await chatBetween(services, a, b);
          pairs.push([ta, tb]);
        }
      },
    );
    for (let i = 0; i < (opts.idle ?? 0); i++) {
      const person = world.createUser({ first_name: `Ищущий ${i}` });
      world.chatOf(bot, person).started = true;
      await makeBenchPerson(services, {
        tgId: person.id,
        topicIds: laneTopics[0]!,
        nickname: `Искатель ${i}`,
      });
      idle.push(person.id);
    }
  } finally {
    await database.close();
  }
  writeFileSync(join(dataDir, "pairs.json"), JSON.stringify(pairs));
  log(
    `  ${pairs.length} pairs in active chats seeded in ${((performance.now() - seeded) / 1000).toFixed(1)} s`,
  );

  // The moderators' chat: a sandbox person stands in for the group, so alerts cost what they cost.
  const moderators = world.createUser({ first_name: "Модераторы" });
  world.chatOf(bot, moderators).started = true;
  const port = await freePort();
  const workerPort = await freePort();
  const env: Record<string, string> = {
    NODE_ENV: "production",
    LOG_LEVEL: "warn",
    LOG_FORMAT: "json",
    BOT_MODE: "webhook",
    TELEGRAM_BOT_TOKEN: sandbox.token,
    TELEGRAM_API_ROOT: sandbox.apiRoot,
    WEBHOOK_URL: `http://127.0.0.1:${port}${WEBHOOK_PATH}`,
    WEBHOOK_SECRET: randomBytes(18).toString("base64url"),
    HOST: "127.0.0.1",
    PORT: String(port),
    DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    REDIS_URL: opts.redisUrl,
    REDIS_PREFIX: redisPrefix,
    API_REPLICAS: String(opts.replicas ?? 2),
    LOG_HASH_SECRET: randomBytes(18).toString("base64url"),
    INTERNAL_API_SECRET: randomBytes(18).toString("base64url"),
    ADMIN_TOKEN: randomBytes(18).toString("base64url"),
    TIP_PAYLOAD_SECRET: randomBytes(18).toString("base64url"),
    SET_COMMANDS: "false",
    MOD_CHAT_ID: String(moderators.id),
    ...opts.env,
  };
  const procs = new Map<string, StandProcess>();

  async function start(name: "api" | "worker"): Promise<StandProcess> {
    const baseline = opts.bot === "baseline";
    if (baseline && name === "worker") throw new Error("the baseline has no worker");
    const script = name === "api" ? "bench/stand/api-cluster.ts" : "src/main.ts";
    const args = ["--import", "tsx", script];
    // The cluster primary passes profiling flags to its replicas; the worker takes them directly.
    if (name === "worker" && env.NODE_PROFILE_ARGS) args.splice(2, 0, ...env.NODE_PROFILE_ARGS.split(" "));
    if (name === "worker") args.push("worker");
    const childEnv: Record<string, string> = { ...(process.env as Record<string, string>), ...env };
    // The worker serves its own health and metrics on another port.
    if (name === "worker") childEnv.PORT = String(workerPort);
    if (baseline) {
      childEnv.API_ENTRY = "bench/stand/baseline-bot.ts";
      childEnv.BASELINE_PAIRS = join(dataDir, "pairs.json");
    }
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: childEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const output: string[] = [];
    running.add(child);
    const exited = new Promise<number | null>((resolve) =>
      child.once("exit", (code) => {
        running.delete(child);
        resolve(code);
      }),
    );
    const need = name === "api" ? (opts.replicas ?? 2) : 1;
    let ready = 0;
    await new Promise<void>((resolve, reject) => {
      let buffered = "";
      const timer = setTimeout(
        () => reject(new Error(`${name} not ready:\n${output.slice(-30).join("\n")}`)),
        90_000,
      );
      const onData = (chunk: Buffer) => {
        buffered += chunk.toString("utf8");
        const lines = buffered.split("\n");
        buffered = lines.pop() ?? "";
        for (const line of lines) {
          if (output.length > 5_000) output.splice(0, 1_000);
          output.push(line);
          if (/is ready/.test(line) && ++ready === need) {
            clearTimeout(timer);
            resolve();
          }
        }
      };
      child.stdout?.on("data", onData);
      child.stderr?.on("data", onData);
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited with ${code}:\n${output.slice(-30).join("\n")}`));
      });
    });
    const proc: StandProcess = {
      name,
      child,
      output,
      exited,
      pids: () => (child.pid ? [child.pid, ...childrenOf(child.pid)] : []),
    };
    procs.set(name, proc);
    return proc;
  }

  await start("api");
  if (opts.bot !== "baseline") await start("worker");
  log(`  ${opts.bot === "baseline" ? "baseline bot" : "api ×" + (opts.replicas ?? 2) + " + worker"} ready`);

  const accounts = new Map<string, CpuAccount>();
  const account = (name: string) => {
    let a = accounts.get(name);
    if (!a) {
      a = new CpuAccount();
      accounts.set(name, a);
    }
    return a;
  };
  return {
    sandbox,
    bot,
    pairs,
    idle,
    apiUrl: `http://127.0.0.1:${port}`,
    workerUrl: `http://127.0.0.1:${workerPort}`,
    databaseUrl,
    redisPrefix,
    env,
    procs,
    hooks,
    start,
    cpuMs() {
      const out: Record<string, number> = {};
      for (const [name, p] of procs) out[name] = account(name).total(p.pids());
      out.postgres = account("postgres").total(pidsByName("postgres"));
      out.redis = account("redis").total(pidsByName("redis-server"));
      const self = process.cpuUsage();
      out["sandbox+load"] = (self.user + self.system) / 1000;
      return out;
    },
    problems() {
      const out: string[] = [];
      for (const p of procs.values())
        for (const line of p.output)
          if (/"level":(4|5|6)0/.test(line) || /Error|exited/.test(line)) out.push(line);
      return out;
    },
    async stop() {
      for (const p of procs.values()) {
        if (p.child.exitCode === null) p.child.kill("SIGTERM");
      }
      await Promise.race([
        Promise.all([...procs.values()].map((p) => p.exited)),
        new Promise((r) => setTimeout(r, 15_000)),
      ]);
      for (const p of procs.values()) if (p.child.exitCode === null) p.child.kill("SIGKILL");
      await sandbox.close();
      await dropScratchDatabase(opts.databaseUrl, databaseUrl).catch(() => {});
      await dropRedisPrefix(opts.redisUrl, redisPrefix).catch(() => 0);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
