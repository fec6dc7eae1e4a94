import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, freemem, loadavg, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";

/** Shared helpers of bench/relay.ts, bench/find.ts and bench/startup.ts. */

export const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "results");
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export const DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/test";
export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

/** `--name=value` from argv, or undefined. */
export function flag(argv: string[], name: string): string | undefined {
  const hit = argv.find((a) => a.startsWith(`--${name}=`));
  return hit?.slice(name.length + 3);
}

export function numFlag(argv: string[], name: string, fallback: number): number {
  const v = flag(argv, name);
  if (v === undefined) return fallback;
  const n = Number(v.replace(/_/g, ""));
  if (!Number.isFinite(n)) throw new Error(`--${name}=${v} is not a number`);
  return n;
}

export function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export interface Stats {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  min: number;
  mean: number;
}

export function stats(values: number[]): Stats {
  const s = [...values].sort((a, b) => a - b);
  return {
    n: s.length,
    p50: pct(s, 50),
    p95: pct(s, 95),
    p99: pct(s, 99),
    max: s.length ? s[s.length - 1]! : Number.NaN,
    min: s.length ? s[0]! : Number.NaN,
    mean: s.reduce((a, b) => a + b, 0) / Math.max(1, s.length),
  };
}

/** A millisecond figure with sensible precision. */
export function ms(x: number): string {
  if (!Number.isFinite(x)) return "—";
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}

export function uptime(): string {
  try {
    return execFileSync("uptime", { encoding: "utf8" }).trim();
  } catch {
    return `load average: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(", ")}`;
  }
}

export function machine() {
  return {
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    totalMemGb: +(totalmem() / 2 ** 30).toFixed(1),
    freeMemGb: +(freemem() / 2 ** 30).toFixed(1),
    node: process.version,
  };
}

/** Appends one run to bench/results/<name>-<date>.json (a `runs` array, like bench/matching.ts). */
export function writeResults(name: string, run: Record<string, unknown>): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${name}-${new Date().toISOString().slice(0, 10)}.json`);
  let previous: { runs?: unknown[] } = {};
  try {
    previous = JSON.parse(readFileSync(file, "utf8")) as { runs?: unknown[] };
  } catch {}
  const full = { at: new Date().toISOString(), command: commandLine(), machine: machine(), ...run };
  writeFileSync(file, `${JSON.stringify({ runs: [...(previous.runs ?? []), full] }, null, 2)}\n`);
  return file;
}

export function commandLine(): string {
  const [, script, ...rest] = process.argv;
  const rel = script ? script.replace(`${ROOT}/`, "") : "bench/run.ts";
  return ["npx tsx", rel, ...rest].join(" ");
}

export function uniqueSuffix(): string {
  return `${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
}

/** Deletes every Redis key under `prefix` (the bench's own namespace). */
export async function dropRedisPrefix(url: string, prefix: string): Promise<number> {
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2 });
  await r.connect();
  let cursor = "0";
  let deleted = 0;
  try {
    do {
      const [next, keys] = await r.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
      cursor = next;
      if (keys.length) deleted += await r.del(...keys);
    } while (cursor !== "0");
  } finally {
    r.disconnect();
  }
  return deleted;
}

export const sleep = (msDelay: number) => new Promise<void>((r) => setTimeout(r, msDelay));

/** Runs `fn` over items with at most `limit` in flight. */
export async function pool<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>) {
  const out = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  });
  await Promise.all(workers);
  return out;
}

/** Wraps every method of `obj` so that each call increments `counter.n` (round-trip counting). */
export function counting<T extends object>(obj: T, counter: { n: number; trace?: string[] }): T {
  return new Proxy(obj, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== "function") return v;
      return (...args: unknown[]) => {
        counter.n++;
        // Which call, on which key shape (digits masked): for `bench relay --trace`.
        const arg = Array.isArray(args[0])
          ? args[0].map((a) => (typeof a === "object" && a && "key" in a ? String(a.key) : String(a)))
          : [String(args[0] ?? "")];
        counter.trace?.push(`${String(prop)}(${arg.join(", ").replace(/\d+/g, "#")})`);
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}
