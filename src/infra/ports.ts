/**
 * Infra ports: the small interfaces services depend on. Each has a Redis implementation
 * (REDIS_URL set) and an in-process one (embedded mode); contract tests run the same cases on both.
 */

/** One entry of a stream, as a consumer sees it. */
export interface StreamEntry {
  id: string;
  fields: Record<string, string>;
  /** How many times this entry has been delivered (1 on first delivery). */
  deliveries: number;
}

export interface DeadLetter {
  id: string;
  originalId: string;
  fields: Record<string, string>;
  error: string;
}

/**
 * An append-only stream with consumer-group semantics (Redis Streams model):
 * entries are delivered to one consumer of a group, stay pending until acked,
 * can be reclaimed by another consumer after `minIdleMs`, and can be dead-lettered.
 */
export interface Stream {
  /** Appends an entry; returns its id. */
  add(stream: string, fields: Record<string, string>): Promise<string>;
  /** Creates the group if missing (idempotent). New groups start at the beginning of the stream. */
  ensureGroup(stream: string, group: string): Promise<void>;
  /**
   * Reads up to `count` new entries for `consumer`, waiting up to `blockMs` when none is ready
   * (0 = do not wait). Entries become pending for this consumer. Rejects (NOGROUP) when the group
   * does not exist. `blockMs` is wall time; a read blocked when the infra is closed returns [].
   */
  read(
    stream: string,
    group: string,
    consumer: string,
    opts: { count: number; blockMs: number },
  ): Promise<StreamEntry[]>;
  /** Marks entries processed; returns how many were pending. */
  ack(stream: string, group: string, ids: string[]): Promise<number>;
  /** Moves entries pending longer than `minIdleMs` to `consumer` (XAUTOCLAIM); increments deliveries. */
  reclaim(
    stream: string,
    group: string,
    consumer: string,
    opts: { minIdleMs: number; count: number },
  ): Promise<StreamEntry[]>;
  /** Number of entries delivered but not acked in the group (0 when the stream or group is missing). */
  pendingCount(stream: string, group: string): Promise<number>;
  /** Number of entries in the stream (XLEN). */
  length(stream: string): Promise<number>;
  /**
   * Acks the entry in `stream` and appends it with the error to `${stream}.dead` (or `deadStream`),
   * stored as the entry's fields plus `error` and `original_id` (which overwrite same-named fields).
   */
  deadLetter(
    stream: string,
    group: string,
    entry: StreamEntry,
    error: string,
    deadStream?: string,
  ): Promise<void>;
  /** Reads dead letters (oldest first) — for operators and tests. */
  deadLetters(deadStream: string, count: number): Promise<DeadLetter[]>;
}

/** One write of a `KeyValue.batch`. */
export type KvWrite =
  | { op: "set"; key: string; value: string; ttlMs?: number }
  | { op: "push"; key: string; value: string; max: number; ttlMs: number }
  /** One field of a hash; the hash's TTL is refreshed (it lives `ttlMs` after its last write). */
  | { op: "hset"; key: string; field: string; value: string; ttlMs: number }
  /** Adds one to a counter; `ttlMs` goes on only when this creates it (a fixed window, as `increment`). */
  | { op: "incr"; key: string; ttlMs: number };

/**
 * Takes a write that may wait until the end of the current update, where it joins the update's last
 * round trip (the bot's "done" mark). Only offered where nothing can read it earlier: with a webhook,
 * Telegram sends a chat's next update after this one was answered.
 */
export type DeferWrite = (write: KvWrite) => void;

/** Writes now, in one round trip, or hands each write to `defer` when the caller offers it. */
export async function writeOrDefer(
  kv: KeyValue,
  writes: readonly KvWrite[],
  defer?: DeferWrite,
): Promise<void> {
  if (defer) for (const w of writes) defer(w);
  else await kv.batch(writes);
}

/** Key-value store with TTL. Values are strings; callers serialise. */
export interface KeyValue {
  get(key: string): Promise<string | null>;
  /** Several values in one round trip (MGET), in the order of `keys`. */
  getMany(keys: readonly string[]): Promise<Array<string | null>>;
  /** ttlMs omitted = no expiry. */
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  /**
   * Several writes in one round trip, in order (pipelined; not atomic: the call rejects if any failed).
   * The same as calling `set` / `pushCapped` / `increment` for each ("hset": one field of a hash, see
   * `hashGet`).
   */
  batch(ops: readonly KvWrite[]): Promise<void>;
  /** Sets only when absent; returns true when it was set (SET NX). */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  delete(...keys: string[]): Promise<number>;
  /**
   * Atomically increments an integer counter. `ttlMs` is applied only when the key has no TTL
   * (normally: when this call created it), so repeated increments do not extend the window.
   */
  increment(key: string, ttlMs?: number): Promise<number>;
  /** Appends to a capped list (newest last), trimming to `max` items, refreshing the TTL. */
  pushCapped(key: string, value: string, max: number, ttlMs: number): Promise<void>;
  /** Whole list, oldest first. */
  list(key: string): Promise<string[]>;
  /** One field of a hash written by `batch` ("hset"); null when the hash or the field is missing. */
  hashGet(key: string, field: string): Promise<string | null>;
  /** Milliseconds until the key expires; null when it is missing or has no TTL (PTTL). */
  remainingTtl(key: string): Promise<number | null>;
}

/** Short-lived exclusive locks (a double click, a proposal being decided). */
export interface Locks {
  /** Returns a release function when the lock was taken, or null when someone holds it. */
  acquire(key: string, ttlMs: number): Promise<(() => Promise<void>) | null>;
}

/** Everything infra, built once per process by `createInfra(config)`. */
export interface Infra {
  kind: "redis" | "memory";
  stream: Stream;
  kv: KeyValue;
  locks: Locks;
  /** Round-trip check for /ready; false (never a throw) when unreachable or closed. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * The stream or its consumer group is gone (Redis restarted without its data, or was flushed): a
 * reader recreates the group with `ensureGroup` instead of failing until someone restarts it.
 */
export function isMissingGroup(err: unknown): boolean {
  return err instanceof Error && err.message.startsWith("NOGROUP");
}
