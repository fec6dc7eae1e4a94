import { readdirSync, readFileSync } from "node:fs";
import { monitorEventLoopDelay, PerformanceObserver } from "node:perf_hooks";
import { Redis } from "ioredis";
import pg from "pg";
import {
  DEFAULT_DATABASE_URL,
  DEFAULT_REDIS_URL,
  flag,
  ms,
  numFlag,
  ROOT,
  sleep,
  uptime,
  writeResults,
} from "./lib/common.ts";
import { type Stand, startStand } from "./stand/stand.ts";
import { type ActionKind, createTraffic, loadScenario, type StepReport } from "./stand/traffic.ts";

/**
 * The load stand (issue 18): the production shape on this machine — `api` ×2 in webhook mode behind one
 * port, `worker`, PostgreSQL, Redis — with the sandbox as Telegram, driven open-loop by a recorded
 * scenario (bench/scenarios/pilot-day.json), ramped step by step. Then the same stand with a bare
 * grammY bot that only relays (the baseline), so our cost is a ratio.
 *
 *   npm run load [-- --steps=50,100,250,500,1000] [--seconds=60] [--pairs=4000] [--latency=10]
 *     [--replicas=2] [--mixes=day,relay,bare] [--no-baseline] [--relay-only] [--soak=30 --soak-rate=100]
 *     [--profile=DIR]
 *
 * `--mixes` picks the ramps (`--relay-only` = no day mix, `--no-baseline` = no bare bot); `--profile=DIR` writes a V8 CPU profile of every bot process into
 * DIR when the stand stops (open it in Chrome's DevTools, or summarise with `npx tsx bench/lib/profile-top.ts DIR/*.0.001.cpuprofile`).
 *
 * Per step: handled/s, latency p50/p95/p99/max from the update's arrival in the sandbox's queue to
 * the webhook's answer (after the handler's last awaited Bot API call) and, for relayed messages, to
 * the copyMessage; CPU-ms per update of each process group, PostgreSQL and Redis; failed Bot API
 * calls; error lines of the bot's processes; the Bot API calls made.
 */
const RELAY_ONLY: Partial<Record<ActionKind, number>> = { text: 85, reply: 10, photo: 5 };

interface StepRow extends StepReport {
  mix: string;
  cpuMsPerUpdate: Record<string, number>;
  errorLines: number;
}

async function runRamp(
  stand: Stand,
  mixName: string,
  traffic: ReturnType<typeof createTraffic>,
  steps: number[],
  seconds: number,
): Promise<StepRow[]> {
  const rows: StepRow[] = [];
  for (const rate of steps) {
    const cpu0 = stand.cpuMs();
    const problems0 = stand.problems().length;
    const r = await traffic.step(rate, seconds, 30_000);
    const cpu1 = stand.cpuMs();
    const cpuMsPerUpdate: Record<string, number> = {};
    for (const k of Object.keys(cpu1))
      cpuMsPerUpdate[k] = (cpu1[k]! - (cpu0[k] ?? 0)) / Math.max(1, r.offered);
    const row: StepRow = {
      ...r,
      mix: mixName,
      cpuMsPerUpdate,
      errorLines: stand.problems().length - problems0,
    };
    rows.push(row);
    printRow(row);
    if (r.unanswered > 0) {
      console.log(
        `    saturated at ${rate}/s: ${r.unanswered} updates unanswered after the drain; waiting for the backlog`,
      );
      const left = await traffic.drain(180_000);
      if (left > 0) console.log(`    ${left} still unanswered after 3 min more`);
      break;
    }
  }
  return rows;
}

function printRow(r: StepRow) {
  const cpu = Object.entries(r.cpuMsPerUpdate)
    .map(([k, v]) => `${k} ${v.toFixed(2)}`)
    .join(", ");
  console.log(
    `  ${r.mix.padEnd(6)} ${String(r.rate).padStart(5)}/s  handled ${r.handledPerSec.toFixed(0).padStart(5)}/s  ` +
      `p50 ${ms(r.latency.p50)}  p95 ${ms(r.latency.p95)}  p99 ${ms(r.latency.p99)}  max ${ms(r.latency.max)} ms  ` +
      `relay p99 ${ms(r.relay.p99)}  failed calls ${r.failedCalls}  error lines ${r.errorLines}`,
  );
  console.log(`           CPU-ms/update: ${cpu}`);
  const slow = Object.entries(r.latencyByKind)
    .filter(([, v]) => v.p99 > 100)
    .map(([k, v]) => `${k} (n ${v.n}) p50 ${ms(v.p50)} p99 ${ms(v.p99)}`);
  if (slow.length) console.log(`           slow kinds: ${slow.join("; ")}`);
}

function rssKb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

function fdCount(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

type Scrape = Map<string, number>;

/** One /metrics text as `name{labels}` → value. */
function parseMetrics(text: string): Scrape {
  const out: Scrape = new Map();
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

/** An unlabelled metric of one process's /metrics (a random replica behind the cluster's port). */
async function metricValue(url: string, name: string): Promise<number | undefined> {
  try {
    return parseMetrics(await (await fetch(`${url}/metrics`)).text()).get(name);
  } catch {
    return undefined;
  }
}

/**
 * Every api replica's /metrics: requests to the cluster's port land on a replica round-robin, so a few
 * tries reach each; a replica is told apart by its process start time.
 */
async function scrapeReplicas(url: string, replicas: number): Promise<Map<number, Scrape>> {
  const out = new Map<number, Scrape>();
  for (let i = 0; i < replicas * 4 && out.size < replicas; i++) {
    try {
      const res = await fetch(`${url}/metrics`, { headers: { connection: "close" } });
      const scrape = parseMetrics(await res.text());
      const started = scrape.get("process_start_time_seconds");
      // The first answer of each replica counts: a second one would find its event-loop gauges just reset.
      if (started !== undefined && !out.has(started)) out.set(started, scrape);
    } catch {
      // a replica restarting: counted as missing
    }
  }
  return out;
}

/**
 * A histogram of every replica between two scrapes: how many were observed and how many took over
 * `le` s. The api's update timer (`bot_update_duration_seconds`, first middleware to last) and its
 * Bot API round trips (`telegram_api_call_duration_seconds`, the sandbox answering).
 */
function histogramOver(name: string, before: Map<number, Scrape>, after: Map<number, Scrape>, le: string) {
  let total = 0;
  let within = 0; // buckets are cumulative: `le` holds every observation at most that long
  for (const [id, now] of after) {
    const then = before.get(id) ?? new Map<string, number>();
    for (const [key, value] of now) {
      if (!key.startsWith(`${name}_bucket{`)) continue;
      const d = value - (then.get(key) ?? 0);
      if (key.includes('le="+Inf"')) total += d;
      else if (key.includes(`le="${le}"`)) within += d;
    }
  }
  return { total, over: total - within };
}

async function soak(
  stand: Stand,
  traffic: ReturnType<typeof createTraffic>,
  minutes: number,
  rate: number,
  replicas: number,
) {
  const redis = new Redis(stand.env.REDIS_URL!, { lazyConnect: true });
  await redis.connect();
  const db = new pg.Client({ connectionString: stand.databaseUrl });
  await db.connect();
  const samples: Array<Record<string, number>> = [];
  // The driver holds the sandbox and stamps every latency: its own stalls (event loop, GC) are counted too.
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  let gcMs = 0;
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMs += entry.duration;
  });
  gc.observe({ entryTypes: ["gc"] });
  try {
    for (let minute = 1; minute <= minutes; minute++) {
      loop.reset();
      gcMs = 0;
      const cpu0 = stand.cpuMs();
      const scrape0 = await scrapeReplicas(stand.apiUrl, replicas);
      const r = await traffic.step(rate, 60, 5_000);
      const cpu1 = stand.cpuMs();
      const scrape1 = await scrapeReplicas(stand.apiUrl, replicas);
      const apiSlow = histogramOver("bot_update_duration_seconds", scrape0, scrape1, "0.1");
      // The stand answers every call after 10 ms: a round trip over 25 ms is the sandbox (driver) slow.
      const callsSlow = histogramOver("telegram_api_call_duration_seconds", scrape0, scrape1, "0.025");
      let apiLoopMax = 0;
      for (const s of scrape1.values())
        apiLoopMax = Math.max(apiLoopMax, s.get("nodejs_eventloop_lag_max_seconds") ?? 0);
      const driverLoopP99 = loop.percentile(99) / 1e6;
      const driverLoopMax = loop.max / 1e6;
      const driverGcMs = gcMs;
      let keys = 0;
      let cursor = "0";
      do {
        const [next, found] = await redis.scan(cursor, "MATCH", `${stand.redisPrefix}*`, "COUNT", 1000);
        cursor = next;
        keys += found.length;
      } while (cursor !== "0");
      const size = await db.query("select pg_database_size(current_database()) as b");
      // PostgreSQL here may run without autovacuum: dead rows left by updates slow the hot tables.
      const dead = await db.query(
        "select coalesce(sum(n_dead_tup), 0) as dead, coalesce(sum(n_live_tup), 0) as live from pg_stat_user_tables",
      );
      const api = stand.procs.get("api")!.pids();
      const worker = stand.procs.get("worker")!.pids();
      const sample: Record<string, number> = {
        minute,
        p50: r.latency.p50,
        p99: r.latency.p99,
        // Relays alone: the mix drifts as people end chats and search, and those flows are slower.
        relayP99: r.relay.p99,
        relayShare: r.relay.n / Math.max(1, r.latency.n),
        handledPerSec: r.handledPerSec,
        unanswered: r.unanswered,
        apiRssMb: api.reduce((s, p) => s + rssKb(p), 0) / 1024,
        workerRssMb: worker.reduce((s, p) => s + rssKb(p), 0) / 1024,
        // One replica's heap, from the scrape already made.
        apiHeapMb: ([...scrape1.values()][0]?.get("nodejs_heap_size_used_bytes") ?? Number.NaN) / 2 ** 20,
        workerHeapMb:
          ((await metricValue(stand.workerUrl, "nodejs_heap_size_used_bytes")) ?? Number.NaN) / 2 ** 20,
        apiFds: api.reduce((s, p) => s + fdCount(p), 0),
        workerFds: worker.reduce((s, p) => s + fdCount(p), 0),
        redisKeys: keys,
        dbMb: Number(size.rows[0].b) / 2 ** 20,
        driverHeapMb: process.memoryUsage().heapUsed / 2 ** 20,
        driverLoopP99,
        driverLoopMax,
        driverGcMs,
        // Both sides' share of updates over 100 ms: the api's own timer against the driver's stamps.
        apiOver100msShare: apiSlow.over / Math.max(1, apiSlow.total),
        driverOver100msShare: r.latency.over100 / Math.max(1, r.latency.n),
        apiReplicasSeen: scrape1.size,
        botApiCalls: callsSlow.total,
        botApiOver25msShare: callsSlow.over / Math.max(1, callsSlow.total),
        deadRows: Number(dead.rows[0].dead),
        liveRows: Number(dead.rows[0].live),
        apiLoopMaxMs: apiLoopMax * 1000,
      };
      for (const k of Object.keys(cpu1))
        sample[`cpuMsPerUpdate.${k}`] = (cpu1[k]! - (cpu0[k] ?? 0)) / Math.max(1, r.offered);
      samples.push(sample);
      console.log(
        `  soak ${String(minute).padStart(2)} min: p50 ${ms(sample.p50!)} p99 ${ms(sample.p99!)} ms (relays p99 ${ms(sample.relayP99!)}, ${(100 * sample.relayShare!).toFixed(0)} %), ` +
          `api RSS ${sample.apiRssMb!.toFixed(0)} MB heap ${sample.apiHeapMb!.toFixed(0)} MB, worker RSS ${sample.workerRssMb!.toFixed(0)} MB heap ${sample.workerHeapMb!.toFixed(0)} MB, ` +
          `fds ${sample.apiFds}/${sample.workerFds}, redis keys ${keys}, db ${sample.dbMb!.toFixed(1)} MB`,
      );
      console.log(
        `           over 100 ms: ${(100 * sample.driverOver100msShare!).toFixed(2)} % as the driver saw them, ` +
          `${(100 * sample.apiOver100msShare!).toFixed(2)} % by the api's own timer (${scrape1.size} replicas); api loop delay max ${ms(sample.apiLoopMaxMs!)} ms\n` +
          `           Bot API round trips over 25 ms: ${(100 * sample.botApiOver25msShare!).toFixed(2)} % of ${sample.botApiCalls}; ` +
          `PostgreSQL rows dead ${sample.deadRows} / live ${sample.liveRows}\n` +
          `           driver heap ${sample.driverHeapMb!.toFixed(0)} MB, loop delay p99 ${ms(driverLoopP99)} max ${ms(driverLoopMax)} ms, GC ${driverGcMs.toFixed(0)} ms; CPU-ms/update: ` +
          Object.keys(cpu1)
            .map((k) => `${k} ${sample[`cpuMsPerUpdate.${k}`]!.toFixed(2)}`)
            .join(", "),
      );
    }
  } finally {
    loop.disable();
    gc.disconnect();
    redis.disconnect();
    await db.end();
  }
  return samples;
}

export async function main(argv: string[]): Promise<void> {
  const steps = (flag(argv, "steps") ?? "50,100,250,500,1000").split(",").map(Number);
  const seconds = numFlag(argv, "seconds", 60);
  const pairs = numFlag(argv, "pairs", 4000);
  const latency = numFlag(argv, "latency", 10);
  const replicas = numFlag(argv, "replicas", 2);
  const soakMinutes = numFlag(argv, "soak", 0);
  const soakRate = numFlag(argv, "soak-rate", 100);
  // Which ramps, each on its own stand: the day mix and relays on ours, relays on the bare bot. One
  // per run (`--mixes=bare`) keeps the driver fresh: a long run's generator state costs it CPU.
  const mixes = new Set((flag(argv, "mixes") ?? "day,relay,bare").split(","));
  if (argv.includes("--relay-only")) mixes.delete("day");
  if (argv.includes("--no-baseline") || soakMinutes > 0) mixes.delete("bare");
  const baseline = mixes.has("bare");
  const profileDir = flag(argv, "profile");
  const scenarioPath = flag(argv, "scenario") ?? `${ROOT}/bench/scenarios/pilot-day.json`;
  const databaseUrl = flag(argv, "url") ?? process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const redisUrl = flag(argv, "redis") ?? process.env.REDIS_URL ?? DEFAULT_REDIS_URL;
  const log = (s: string) => console.log(s);
  console.log(
    `load stand: ${pairs} chats, api ×${replicas} + worker, Bot API latency ${latency} ms, ` +
      (soakMinutes
        ? `soak ${soakMinutes} min at ${soakRate}/s`
        : `steps ${steps.join(" → ")} updates/s × ${seconds} s`),
  );
  console.log(`  ${uptime()}`);
  const result: Record<string, unknown> = { pairs, replicas, apiLatencyMs: latency, seconds, steps };

  const standOpts = { pairs, replicas, apiLatencyMs: latency, databaseUrl, redisUrl, log };
  if (soakMinutes > 0 || mixes.has("day") || mixes.has("relay")) {
    const ours = await startStand({
      ...standOpts,
      ...(profileDir ? { env: { NODE_PROFILE_ARGS: `--cpu-prof --cpu-prof-dir=${profileDir}` } } : {}),
    });
    try {
      const scenario = loadScenario(scenarioPath);
      const traffic = createTraffic(ours, scenario);
      // Warm-up (not reported): JIT, connection pools, the classifier.
      await traffic.step(20, 10, 30_000);
      if (soakMinutes > 0) {
        result.soak = await soak(ours, traffic, soakMinutes, soakRate, replicas);
      } else {
        if (mixes.has("day")) result.ours = await runRamp(ours, "day", traffic, steps, seconds);
        if (mixes.has("relay")) {
          traffic.setMix(loadScenario(scenarioPath, RELAY_ONLY).mix);
          result.oursRelay = await runRamp(ours, "relay", traffic, steps, seconds);
          result.integrity = traffic.relayIntegrity();
        }
      }
      result.problems = ours.problems().slice(0, 50);
    } finally {
      await ours.stop();
    }
  }

  if (baseline) {
    const bare = await startStand({ ...standOpts, bot: "baseline" });
    try {
      const traffic = createTraffic(bare, loadScenario(scenarioPath, RELAY_ONLY), 2);
      await traffic.step(20, 10, 30_000);
      result.baseline = await runRamp(bare, "bare", traffic, steps, seconds);
    } finally {
      await bare.stop();
    }
  }
  console.log(`  ${uptime()}`);
  const file = writeResults("load", result);
  console.log(`results → ${file}`);
  await sleep(100);
}
