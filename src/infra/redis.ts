/**
 * Redis implementation of the infra ports (REDIS_URL set). Every key lives under `${prefix}:`:
 * streams `${prefix}:stream:<name>`, values `${prefix}:kv:<key>`, locks `${prefix}:lock:<key>`
 * (rate limits are counters in the key-value space, e.g. bot/relay-budget.ts).
 *
 * Blocking XREADGROUP calls run on their own connections (a small pool of `duplicate()`s): a
 * blocked connection would otherwise stall every other command queued behind it.
 */
import { randomUUID } from "node:crypto";
import { type ChainableCommander, Redis } from "ioredis";
import { STREAM_MAX_LENGTH, toDeadLetter } from "./memory.ts";
import {
  type Infra,
  isMissingGroup,
  type KeyValue,
  type Locks,
  type Stream,
  type StreamEntry,
} from "./ports.ts";

export interface RedisInfraOptions {
  url: string;
  /** Namespace for every key, so deployments and test runs never collide. */
  prefix: string;
  /** Connection errors (ioredis reconnects by itself); without it they are ignored. */
  onError?: (err: Error) => void;
  /** Idle blocking connections kept for reuse; more are opened on demand. Default 8. */
  maxIdleBlockingConnections?: number;
  /** PING timeout for `ping()`. Default 1000 ms. */
  pingTimeoutMs?: number;
}

const RELEASE_LOCK_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

// The TTL goes on only when the key has none (just created by INCR, or set without one).
const INCREMENT_SCRIPT = `local v = redis.call('INCR', KEYS[1])
if ARGV[1] ~= '' and redis.call('PTTL', KEYS[1]) == -1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return v`;

type RawEntry = [id: string, fields: string[] | null];

function toFields(flat: string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
  return fields;
}

/** Appends to a capped list and refreshes its TTL, queued on a pipeline or a transaction. */
function queuePush(chain: ChainableCommander, key: string, value: string, max: number, ttlMs: number) {
  return chain.rpush(key, value).ltrim(key, -Math.max(max, 0), -1).pexpire(key, ttlMs);
}

/** Runs a pipeline or a transaction; rejects with the first command's error, if any failed. */
async function execAll(chain: ChainableCommander): Promise<void> {
  const failed = (await chain.exec())?.find(([err]) => err);
  if (failed?.[0]) throw failed[0];
}

function flatten(fields: Record<string, string>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(fields)) out.push(k, v);
  return out;
}

/**
 * The Redis side of every port (key-value, rate limits, the match stream). Long because it is one
 * connection shared by small adapters, each a few lines over a Redis command or script.
 */
export async function createRedisInfra(opts: RedisInfraOptions): Promise<Infra> {
  const base = opts.prefix ? `${opts.prefix}:` : "";
  const streamKey = (name: string): string => `${base}stream:${name}`;
  const kvKey = (key: string): string => `${base}kv:${key}`;
  const lockKey = (key: string): string => `${base}lock:${key}`;
  const onError = opts.onError ?? (() => {});

  // RESP2 keeps the classic reply shapes (ioredis 6 defaults to RESP3, where XREADGROUP is a map).
  // Auto-pipelining: commands issued in the same tick (many updates at once) share one socket write.
  const main = new Redis(opts.url, { lazyConnect: true, protocol: 2, enableAutoPipelining: true });
  main.on("error", onError);
  try {
    await main.connect();
  } catch (err) {
    // Stop ioredis from retrying in the background: the caller gets the error and decides.
    main.disconnect();
    throw err;
  }

  let closed = false;
  const idleBlocking: Redis[] = [];
  const allBlocking = new Set<Redis>();
  const maxIdle = opts.maxIdleBlockingConnections ?? 8;

  async function takeBlocking(): Promise<Redis> {
    const idle = idleBlocking.pop();
    if (idle) return idle;
    const conn = main.duplicate();
    conn.on("error", onError);
    allBlocking.add(conn);
    await conn.connect();
    return conn;
  }

  function returnBlocking(conn: Redis): void {
    if (!closed && conn.status === "ready" && idleBlocking.length < maxIdle) {
      idleBlocking.push(conn);
      return;
    }
    allBlocking.delete(conn);
    conn.disconnect();
  }

  const stream: Stream = {
    async add(name, fields) {
      const args = [streamKey(name), "MAXLEN", "~", String(STREAM_MAX_LENGTH), "*", ...flatten(fields)];
      return (await main.call("XADD", args)) as string;
    },

    async ensureGroup(name, group) {
      try {
        await main.call("XGROUP", ["CREATE", streamKey(name), group, "0", "MKSTREAM"]);
      } catch (err) {
        if (!(err instanceof Error && err.message.startsWith("BUSYGROUP"))) throw err;
      }
    },

    async read(name, group, consumer, { count, blockMs }) {
      if (closed) return [];
      const args = ["GROUP", group, consumer, "COUNT", String(count)];
      // BLOCK 0 means "forever" in Redis; the port's 0 means "do not wait", so omit it.
      if (blockMs > 0) args.push("BLOCK", String(Math.ceil(blockMs)));
      args.push("STREAMS", streamKey(name), ">");
      let reply: unknown;
      if (blockMs > 0) {
        let conn: Redis | undefined;
        try {
          conn = await takeBlocking();
          reply = await conn.call("XREADGROUP", args);
        } catch (err) {
          // close() disconnects blocked connections; their reads end empty, not with an error.
          if (closed) return [];
          throw err;
        } finally {
          if (conn) returnBlocking(conn);
        }
      } else {
        reply = await main.call("XREADGROUP", args);
      }
      const streams = reply as [key: string, entries: RawEntry[]][] | null;
      const entries = streams?.[0]?.[1] ?? [];
      const out: StreamEntry[] = [];
      for (const [id, flat] of entries) {
        if (flat) out.push({ id, fields: toFields(flat), deliveries: 1 });
      }
      return out;
    },

    async ack(name, group, ids) {
      if (ids.length === 0) return 0;
      return (await main.call("XACK", [streamKey(name), group, ...ids])) as number;
    },

    async reclaim(name, group, consumer, { minIdleMs, count }) {
      const key = streamKey(name);
      const claimed: { id: string; fields: Record<string, string> }[] = [];
      let cursor = "0-0";
      // XAUTOCLAIM scans at most 10×COUNT pending entries per call; follow the cursor a few times.
      for (let round = 0; round < 10 && claimed.length < count; round++) {
        const [next, entries] = (await main.call("XAUTOCLAIM", [
          key,
          group,
          consumer,
          String(minIdleMs),
          cursor,
          "COUNT",
          String(count - claimed.length),
        ])) as [string, RawEntry[], string[]?];
        for (const [id, flat] of entries) if (flat) claimed.push({ id, fields: toFields(flat) });
        cursor = next;
        if (cursor === "0-0") break;
      }
      if (claimed.length === 0) return [];
      // XAUTOCLAIM incremented the delivery counters; read them back from the pending list.
      const pipeline = main.pipeline();
      for (const { id } of claimed) pipeline.call("XPENDING", key, group, id, id, "1");
      const results = (await pipeline.exec()) ?? [];
      return claimed.map(({ id, fields }, i) => {
        const row = (results[i]?.[1] as [string, string, number, number][] | undefined)?.[0];
        return { id, fields, deliveries: row?.[3] ?? 1 };
      });
    },

    async pendingCount(name, group) {
      try {
        const summary = (await main.call("XPENDING", [streamKey(name), group])) as [number, ...unknown[]];
        return summary[0];
      } catch (err) {
        if (isMissingGroup(err)) return 0;
        throw err;
      }
    },

    async length(name) {
      return (await main.call("XLEN", [streamKey(name)])) as number;
    },

    async deadLetter(name, group, entry, error, deadStream) {
      const dead = streamKey(deadStream ?? `${name}.dead`);
      const fields = flatten({ ...entry.fields, error, original_id: entry.id });
      await execAll(
        main
          .multi()
          .call("XADD", dead, "MAXLEN", "~", String(STREAM_MAX_LENGTH), "*", ...fields)
          .call("XACK", streamKey(name), group, entry.id),
      );
    },

    async deadLetters(deadStream, count) {
      const entries = (await main.call("XRANGE", [
        streamKey(deadStream),
        "-",
        "+",
        "COUNT",
        String(count),
      ])) as RawEntry[];
      return entries.filter(([, flat]) => flat).map(([id, flat]) => toDeadLetter(id, toFields(flat!)));
    },
  };

  const kv: KeyValue = {
    async get(key) {
      return main.get(kvKey(key));
    },

    async getMany(keys) {
      if (keys.length === 0) return [];
      return main.mget(...keys.map(kvKey));
    },

    async set(key, value, ttlMs) {
      if (ttlMs === undefined) await main.set(kvKey(key), value);
      else await main.set(kvKey(key), value, "PX", ttlMs);
    },

    async batch(ops) {
      if (ops.length === 0) return;
      const pipeline = main.pipeline();
      for (const w of ops) {
        const k = kvKey(w.key);
        if (w.op === "push") queuePush(pipeline, k, w.value, w.max, w.ttlMs);
        else if (w.op === "hset") pipeline.hset(k, w.field, w.value).pexpire(k, w.ttlMs);
        // The same script as `increment`: the TTL goes on only when the counter has none.
        else if (w.op === "incr") pipeline.eval(INCREMENT_SCRIPT, 1, k, String(w.ttlMs));
        else if (w.ttlMs === undefined) pipeline.set(k, w.value);
        else pipeline.set(k, w.value, "PX", w.ttlMs);
      }
      await execAll(pipeline);
    },

    async remainingTtl(key) {
      const ms = await main.pttl(kvKey(key));
      return ms >= 0 ? ms : null;
    },

    async setIfAbsent(key, value, ttlMs) {
      return (await main.set(kvKey(key), value, "PX", ttlMs, "NX")) === "OK";
    },

    async delete(...keys) {
      if (keys.length === 0) return 0;
      return main.del(...keys.map(kvKey));
    },

    async increment(key, ttlMs) {
      const ttlArg = ttlMs === undefined ? "" : String(ttlMs);
      return (await main.eval(INCREMENT_SCRIPT, 1, kvKey(key), ttlArg)) as number;
    },

    async pushCapped(key, value, max, ttlMs) {
      await execAll(queuePush(main.multi(), kvKey(key), value, max, ttlMs));
    },

    async list(key) {
      return main.lrange(kvKey(key), 0, -1);
    },

    async hashGet(key, field) {
      return main.hget(kvKey(key), field);
    },
  };

  const locks: Locks = {
    async acquire(key, ttlMs) {
      const k = lockKey(key);
      const token = randomUUID();
      const ok = await main.set(k, token, "PX", ttlMs, "NX");
      if (ok !== "OK") return null;
      return async () => {
        await main.eval(RELEASE_LOCK_SCRIPT, 1, k, token);
      };
    },
  };

  return {
    kind: "redis",
    stream,
    kv,
    locks,

    async ping() {
      if (closed) return false;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), opts.pingTimeoutMs ?? 1000);
      });
      try {
        const pong = main.ping().then(
          (reply) => reply === "PONG",
          () => false,
        );
        return await Promise.race([pong, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },

    async close() {
      if (closed) return;
      closed = true;
      // Blocked reads hold their connections for up to blockMs; cut them now.
      for (const conn of allBlocking) conn.disconnect();
      allBlocking.clear();
      idleBlocking.length = 0;
      if (main.status === "ready") {
        try {
          await main.quit();
          return;
        } catch {
          // fall through to a hard disconnect
        }
      }
      main.disconnect();
    },
  };
}
