/**
 * In-process implementation of the infra ports for embedded mode (no REDIS_URL) and tests.
 * It mirrors the Redis implementation's observable behaviour; the contract tests in
 * tests/integration/infra run the same cases on both.
 *
 * Time: TTLs, lock expiry, pending idle times and rate-limit windows follow the injected clock
 * (`now`), so tests advance time without sleeping. Only `read`'s `blockMs` is real wall time,
 * because it is a wait, not a deadline stored in data.
 */
import { randomUUID } from "node:crypto";
import type { DeadLetter, Infra, KeyValue, Locks, Stream, StreamEntry } from "./ports.ts";

export interface MemoryInfraOptions {
  /** Clock in epoch milliseconds; defaults to Date.now. */
  now?: () => number;
  /** How often expired keys, locks and rate-limit windows are swept (real time). Default 30 s. */
  sweepIntervalMs?: number;
}

/** Same approximate cap the Redis implementation passes to XADD (MAXLEN ~ 100000). */
export const STREAM_MAX_LENGTH = 100_000;
/** Trim in batches, like Redis' `~`, so an add is not O(n) every time. */
const STREAM_TRIM_SLACK = 1_000;

interface PendingEntry {
  consumer: string;
  deliveries: number;
  lastDeliveredAt: number;
}

interface Group {
  /** Absolute index (see MemStream.base) of the next never-delivered entry. */
  nextAbs: number;
  /** Ordered by first delivery, which is id order — the same order as Redis' PEL. */
  pending: Map<string, PendingEntry>;
}

interface MemStream {
  entries: { id: string; fields: Record<string, string> }[];
  byId: Map<string, Record<string, string>>;
  /** Number of entries trimmed from the front; absolute index = base + array index. */
  base: number;
  lastMs: number;
  lastSeq: number;
  groups: Map<string, Group>;
  /** Blocked readers waiting for the next add. */
  waiters: Set<() => void>;
}

function noGroupError(stream: string, group: string): Error {
  return new Error(`NOGROUP No such key '${stream}' or consumer group '${group}'`);
}

function parseInteger(value: string): number {
  const n = Number(value);
  if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(n)) {
    throw new Error("ERR value is not an integer or out of range");
  }
  return n;
}

function wrongTypeError(): Error {
  return new Error("WRONGTYPE Operation against a key holding the wrong kind of value");
}

/**
 * The in-process stream with Redis Streams semantics (consumer groups, pending entries, claim, dead
 * letters). Long because it is one small state machine whose methods share the same maps.
 */
function createMemoryStream(now: () => number, isClosed: () => boolean): Stream & { wakeAll(): void } {
  const streams = new Map<string, MemStream>();

  function getOrCreate(name: string): MemStream {
    let s = streams.get(name);
    if (!s) {
      s = {
        entries: [],
        byId: new Map(),
        base: 0,
        lastMs: 0,
        lastSeq: -1,
        groups: new Map(),
        waiters: new Set(),
      };
      streams.set(name, s);
    }
    return s;
  }

  function getGroup(stream: string, group: string): { s: MemStream; g: Group } {
    const s = streams.get(stream);
    const g = s?.groups.get(group);
    if (!s || !g) throw noGroupError(stream, group);
    return { s, g };
  }

  function append(name: string, fields: Record<string, string>): string {
    const s = getOrCreate(name);
    // Ids are `${ms}-${seq}` and strictly increasing even if the clock stalls or goes back.
    const ms = Math.max(now(), s.lastMs);
    const seq = ms === s.lastMs ? s.lastSeq + 1 : 0;
    s.lastMs = ms;
    s.lastSeq = seq;
    const id = `${ms}-${seq}`;
    const copy = { ...fields };
    s.entries.push({ id, fields: copy });
    s.byId.set(id, copy);
    if (s.entries.length > STREAM_MAX_LENGTH + STREAM_TRIM_SLACK) {
      const removed = s.entries.splice(0, s.entries.length - STREAM_MAX_LENGTH);
      for (const e of removed) s.byId.delete(e.id);
      s.base += removed.length;
    }
    const waiters = [...s.waiters];
    s.waiters.clear();
    for (const wake of waiters) wake();
    return id;
  }

  function readNow(stream: string, group: string, consumer: string, count: number): StreamEntry[] {
    const { s, g } = getGroup(stream, group);
    const start = Math.max(g.nextAbs - s.base, 0);
    const slice = s.entries.slice(start, start + Math.max(count, 0));
    const at = now();
    g.nextAbs = s.base + start + slice.length;
    return slice.map((e) => {
      g.pending.set(e.id, { consumer, deliveries: 1, lastDeliveredAt: at });
      return { id: e.id, fields: { ...e.fields }, deliveries: 1 };
    });
  }

  /** Resolves when an entry is added to `stream`, after `ms`, or on close — whichever is first. */
  function waitForAdd(stream: string, ms: number): Promise<void> {
    const s = getOrCreate(stream);
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        s.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      s.waiters.add(wake);
    });
  }

  return {
    async add(stream, fields) {
      return append(stream, fields);
    },

    async ensureGroup(stream, group) {
      const s = getOrCreate(stream);
      if (!s.groups.has(group)) s.groups.set(group, { nextAbs: s.base, pending: new Map() });
    },

    async read(stream, group, consumer, opts) {
      const deadline = Date.now() + opts.blockMs;
      for (;;) {
        if (isClosed()) return [];
        const got = readNow(stream, group, consumer, opts.count);
        if (got.length > 0) return got;
        const left = deadline - Date.now();
        if (opts.blockMs <= 0 || left <= 0) return [];
        // Another blocked reader may take the entry first; then this one waits for the time left.
        await waitForAdd(stream, left);
      }
    },

    async ack(stream, group, ids) {
      const g = streams.get(stream)?.groups.get(group);
      if (!g) return 0;
      let acked = 0;
      for (const id of ids) if (g.pending.delete(id)) acked++;
      return acked;
    },

    async reclaim(stream, group, consumer, opts) {
      const { s, g } = getGroup(stream, group);
      const at = now();
      const claimed: StreamEntry[] = [];
      for (const [id, p] of g.pending) {
        if (claimed.length >= opts.count) break;
        if (at - p.lastDeliveredAt < opts.minIdleMs) continue;
        const fields = s.byId.get(id);
        if (!fields) {
          // Trimmed from the stream: like Redis 7's XAUTOCLAIM, drop it from the pending list.
          g.pending.delete(id);
          continue;
        }
        p.consumer = consumer;
        p.deliveries += 1;
        p.lastDeliveredAt = at;
        claimed.push({ id, fields: { ...fields }, deliveries: p.deliveries });
      }
      return claimed;
    },

    async pendingCount(stream, group) {
      return streams.get(stream)?.groups.get(group)?.pending.size ?? 0;
    },

    async length(stream) {
      return streams.get(stream)?.entries.length ?? 0;
    },

    async deadLetter(stream, group, entry, error, deadStream) {
      append(deadStream ?? `${stream}.dead`, { ...entry.fields, error, original_id: entry.id });
      streams.get(stream)?.groups.get(group)?.pending.delete(entry.id);
    },

    async deadLetters(deadStream, count) {
      const s = streams.get(deadStream);
      if (!s) return [];
      return s.entries.slice(0, Math.max(count, 0)).map((e) => toDeadLetter(e.id, e.fields));
    },

    wakeAll() {
      for (const s of streams.values()) {
        const waiters = [...s.waiters];
        s.waiters.clear();
        for (const wake of waiters) wake();
      }
    },
  };
}

/** Splits a dead-stream entry into the original fields and the dead-letter metadata. */
export function toDeadLetter(id: string, raw: Record<string, string>): DeadLetter {
  const { error = "", original_id: originalId = "", ...fields } = raw;
  return { id, originalId, fields, error };
}

interface KvItem {
  value: string | string[] | Map<string, string>;
  expiresAt: number | null;
}

function createMemoryKv(now: () => number): KeyValue & { sweep(): void } {
  const items = new Map<string, KvItem>();

  function live(key: string): KvItem | undefined {
    const item = items.get(key);
    if (item && item.expiresAt !== null && item.expiresAt <= now()) {
      items.delete(key);
      return undefined;
    }
    return item;
  }

  const store: KeyValue & { sweep(): void } = {
    async get(key) {
      const item = live(key);
      if (!item) return null;
      if (typeof item.value !== "string") throw wrongTypeError();
      return item.value;
    },

    async getMany(keys) {
      return Promise.all(keys.map((key) => store.get(key)));
    },

    async set(key, value, ttlMs) {
      items.set(key, { value, expiresAt: ttlMs === undefined ? null : now() + ttlMs });
    },

    async batch(ops) {
      for (const w of ops) {
        if (w.op === "push") await store.pushCapped(w.key, w.value, w.max, w.ttlMs);
        else if (w.op === "incr") await store.increment(w.key, w.ttlMs);
        else if (w.op === "hset") {
          const item = live(w.key);
          if (item && !(item.value instanceof Map)) throw wrongTypeError();
          const map = item ? (item.value as Map<string, string>) : new Map<string, string>();
          map.set(w.field, w.value);
          items.set(w.key, { value: map, expiresAt: now() + w.ttlMs });
        } else await store.set(w.key, w.value, w.ttlMs);
      }
    },

    async hashGet(key, field) {
      const item = live(key);
      if (!item) return null;
      if (!(item.value instanceof Map)) throw wrongTypeError();
      return item.value.get(field) ?? null;
    },

    async remainingTtl(key) {
      const item = live(key);
      return item?.expiresAt == null ? null : item.expiresAt - now();
    },

    async setIfAbsent(key, value, ttlMs) {
      if (live(key)) return false;
      items.set(key, { value, expiresAt: now() + ttlMs });
      return true;
    },

    async delete(...keys) {
      let deleted = 0;
      for (const key of keys) {
        if (live(key)) {
          items.delete(key);
          deleted++;
        }
      }
      return deleted;
    },

    async increment(key, ttlMs) {
      const item = live(key);
      if (item && typeof item.value !== "string") throw wrongTypeError();
      const current = item ? parseInteger(item.value as string) : 0;
      const next = current + 1;
      // Same rule as the Redis script: a TTL is set only when the key has none.
      const expiresAt = item?.expiresAt ?? (ttlMs === undefined ? null : now() + ttlMs);
      items.set(key, { value: String(next), expiresAt });
      return next;
    },

    async pushCapped(key, value, max, ttlMs) {
      const item = live(key);
      if (item && !Array.isArray(item.value)) throw wrongTypeError();
      const list = item ? (item.value as string[]) : [];
      list.push(value);
      if (list.length > max) list.splice(0, list.length - Math.max(max, 0));
      if (list.length === 0) {
        items.delete(key);
        return;
      }
      items.set(key, { value: list, expiresAt: now() + ttlMs });
    },

    async list(key) {
      const item = live(key);
      if (!item) return [];
      if (!Array.isArray(item.value)) throw wrongTypeError();
      return [...item.value];
    },

    sweep() {
      const at = now();
      for (const [key, item] of items) {
        if (item.expiresAt !== null && item.expiresAt <= at) items.delete(key);
      }
    },
  };
  return store;
}

function createMemoryLocks(now: () => number): Locks & { sweep(): void } {
  const held = new Map<string, { token: string; expiresAt: number }>();

  return {
    async acquire(key, ttlMs) {
      const current = held.get(key);
      if (current && current.expiresAt > now()) return null;
      const token = randomUUID();
      held.set(key, { token, expiresAt: now() + ttlMs });
      return async () => {
        // Compare-and-delete: after expiry someone else may hold the key with another token.
        if (held.get(key)?.token === token) held.delete(key);
      };
    },

    sweep() {
      const at = now();
      for (const [key, lock] of held) if (lock.expiresAt <= at) held.delete(key);
    },
  };
}

export function createMemoryInfra(opts: MemoryInfraOptions = {}): Infra {
  const now = opts.now ?? Date.now;
  let closed = false;
  const stream = createMemoryStream(now, () => closed);
  const kv = createMemoryKv(now);
  const locks = createMemoryLocks(now);

  const sweeper = setInterval(() => {
    kv.sweep();
    locks.sweep();
  }, opts.sweepIntervalMs ?? 30_000);
  sweeper.unref();

  return {
    kind: "memory",
    stream: {
      add: stream.add,
      ensureGroup: stream.ensureGroup,
      read: stream.read,
      ack: stream.ack,
      reclaim: stream.reclaim,
      pendingCount: stream.pendingCount,
      length: stream.length,
      deadLetter: stream.deadLetter,
      deadLetters: stream.deadLetters,
    },
    kv: {
      get: kv.get,
      getMany: kv.getMany,
      set: kv.set,
      batch: kv.batch,
      hashGet: kv.hashGet,
      remainingTtl: kv.remainingTtl,
      setIfAbsent: kv.setIfAbsent,
      delete: kv.delete,
      increment: kv.increment,
      pushCapped: kv.pushCapped,
      list: kv.list,
    },
    locks: { acquire: locks.acquire },
    async ping() {
      return !closed;
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(sweeper);
      // Blocked readers return [] so worker loops can notice shutdown.
      stream.wakeAll();
    },
  };
}
