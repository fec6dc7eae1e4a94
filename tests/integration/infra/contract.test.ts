/**
 * One contract for the infra ports, run on the in-process implementation and, with REDIS_URL set,
 * on Redis. A case that passes on one and fails on the other is a bug in the implementation.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Infra, StreamEntry } from "../../../src/infra/ports.ts";
import { type ContractTarget, contractTargets, type InfraUnderTest, uniqueName } from "./harness.ts";

const GROUP = "workers";

describe.each(contractTargets())("infra contract: $name", (target: ContractTarget) => {
  let sut: InfraUnderTest;
  let infra: Infra;

  beforeEach(async () => {
    sut = await target.create();
    infra = sut.infra;
  });

  afterEach(async () => {
    await infra.close();
  });

  afterAll(async () => {
    await target.cleanup();
  });

  async function newStream(): Promise<string> {
    const name = uniqueName("s");
    await infra.stream.ensureGroup(name, GROUP);
    return name;
  }

  describe("stream", () => {
    it("delivers added entries once, keeps them pending until acked", async () => {
      const s = await newStream();
      const id1 = await infra.stream.add(s, { kind: "find", user: "1" });
      const id2 = await infra.stream.add(s, { kind: "find", user: "2" });

      const got = await infra.stream.read(s, GROUP, "c1", { count: 10, blockMs: 0 });
      expect(got).toEqual([
        { id: id1, fields: { kind: "find", user: "1" }, deliveries: 1 },
        { id: id2, fields: { kind: "find", user: "2" }, deliveries: 1 },
      ]);
      expect(await infra.stream.pendingCount(s, GROUP)).toBe(2);
      expect(await infra.stream.read(s, GROUP, "c1", { count: 10, blockMs: 0 })).toEqual([]);

      expect(await infra.stream.ack(s, GROUP, [id1])).toBe(1);
      expect(await infra.stream.ack(s, GROUP, [id1])).toBe(0);
      expect(await infra.stream.pendingCount(s, GROUP)).toBe(1);
      expect(await infra.stream.ack(s, GROUP, [id2, "1-999"])).toBe(1);
      expect(await infra.stream.pendingCount(s, GROUP)).toBe(0);
      // Acking does not delete: the stream still holds both entries.
      expect(await infra.stream.length(s)).toBe(2);
    });

    it("read honours count", async () => {
      const s = await newStream();
      for (let i = 0; i < 5; i++) await infra.stream.add(s, { i: String(i) });
      const first = await infra.stream.read(s, GROUP, "c1", { count: 2, blockMs: 0 });
      expect(first.map((e) => e.fields.i)).toEqual(["0", "1"]);
      const rest = await infra.stream.read(s, GROUP, "c1", { count: 10, blockMs: 0 });
      expect(rest.map((e) => e.fields.i)).toEqual(["2", "3", "4"]);
    });

    it("a blocked read wakes soon after an add, long before blockMs", async () => {
      const s = await newStream();
      const started = Date.now();
      const reading = infra.stream.read(s, GROUP, "c1", { count: 10, blockMs: 4000 });
      await new Promise((resolve) => setTimeout(resolve, 100));
      await infra.stream.add(s, { late: "yes" });
      const got = await reading;
      const elapsed = Date.now() - started;
      expect(got.map((e) => e.fields)).toEqual([{ late: "yes" }]);
      expect(elapsed).toBeGreaterThanOrEqual(90);
      expect(elapsed).toBeLessThan(1000);
    });

    it("a blocked read with nothing to read returns [] after blockMs", async () => {
      const s = await newStream();
      const started = Date.now();
      const got = await infra.stream.read(s, GROUP, "c1", { count: 10, blockMs: 200 });
      const elapsed = Date.now() - started;
      expect(got).toEqual([]);
      expect(elapsed).toBeGreaterThanOrEqual(180);
      expect(elapsed).toBeLessThan(1500);
    });

    it("blockMs 0 returns at once when nothing is there", async () => {
      const s = await newStream();
      const started = Date.now();
      expect(await infra.stream.read(s, GROUP, "c1", { count: 10, blockMs: 0 })).toEqual([]);
      expect(Date.now() - started).toBeLessThan(200);
    });

    it("a blocked read does not stall other commands", async () => {
      const s = await newStream();
      const reading = infra.stream.read(s, GROUP, "c1", { count: 1, blockMs: 3000 });
      const started = Date.now();
      const key = uniqueName("k");
      await infra.kv.set(key, "v");
      expect(await infra.kv.get(key)).toBe("v");
      expect(await infra.stream.length(s)).toBe(0);
      expect(Date.now() - started).toBeLessThan(500);
      await infra.stream.add(s, { unblock: "1" });
      expect(await reading).toHaveLength(1);
    });

    it("close ends a blocked read promptly with []", async () => {
      const s = await newStream();
      const started = Date.now();
      const reading = infra.stream.read(s, GROUP, "c1", { count: 1, blockMs: 5000 });
      await new Promise((resolve) => setTimeout(resolve, 50));
      await infra.close();
      expect(await reading).toEqual([]);
      expect(Date.now() - started).toBeLessThan(1500);
    });

    it("two consumers of a group never get the same entry", async () => {
      const s = await newStream();
      const ids: string[] = [];
      for (let i = 0; i < 10; i++) ids.push(await infra.stream.add(s, { i: String(i) }));
      const a = await infra.stream.read(s, GROUP, "a", { count: 4, blockMs: 0 });
      const b = await infra.stream.read(s, GROUP, "b", { count: 10, blockMs: 0 });
      expect(a).toHaveLength(4);
      expect(b).toHaveLength(6);
      const seen = [...a, ...b].map((e) => e.id);
      expect(new Set(seen).size).toBe(10);
      expect(seen.sort()).toEqual([...ids].sort());
    });

    it("one add wakes two blocked consumers but only one gets the entry", async () => {
      const s = await newStream();
      const a = infra.stream.read(s, GROUP, "a", { count: 10, blockMs: 400 });
      const b = infra.stream.read(s, GROUP, "b", { count: 10, blockMs: 400 });
      await new Promise((resolve) => setTimeout(resolve, 50));
      const id = await infra.stream.add(s, { only: "one" });
      const [ga, gb] = await Promise.all([a, b]);
      expect([...ga, ...gb].map((e) => e.id)).toEqual([id]);
    });

    it("an unacked entry is reclaimed by another consumer after minIdle, counting deliveries", async () => {
      const s = await newStream();
      const minIdleMs = 50;
      const id = await infra.stream.add(s, { job: "stuck" });
      const [first] = await infra.stream.read(s, GROUP, "crashed", { count: 1, blockMs: 0 });
      expect(first?.deliveries).toBe(1);

      // Not idle long enough yet.
      expect(await infra.stream.reclaim(s, GROUP, "rescuer", { minIdleMs: 10_000, count: 10 })).toEqual([]);

      await sut.advance(minIdleMs + 30);
      const reclaimed = await infra.stream.reclaim(s, GROUP, "rescuer", { minIdleMs, count: 10 });
      expect(reclaimed).toEqual([{ id, fields: { job: "stuck" }, deliveries: 2 }]);

      // Reclaiming resets the idle time, so a third consumer has to wait again.
      expect(await infra.stream.reclaim(s, GROUP, "third", { minIdleMs, count: 10 })).toEqual([]);
      await sut.advance(minIdleMs + 30);
      const again = await infra.stream.reclaim(s, GROUP, "third", { minIdleMs, count: 10 });
      expect(again.map((e) => [e.id, e.deliveries])).toEqual([[id, 3]]);

      // Still one pending entry throughout; acking it by id settles it.
      expect(await infra.stream.pendingCount(s, GROUP)).toBe(1);
      expect(await infra.stream.ack(s, GROUP, [id])).toBe(1);
      expect(await infra.stream.pendingCount(s, GROUP)).toBe(0);
    });

    it("reclaim honours count and never returns acked entries", async () => {
      const s = await newStream();
      for (let i = 0; i < 5; i++) await infra.stream.add(s, { i: String(i) });
      const read = await infra.stream.read(s, GROUP, "c1", { count: 5, blockMs: 0 });
      await infra.stream.ack(s, GROUP, [read[0]!.id]);
      await sut.advance(80);
      const first = await infra.stream.reclaim(s, GROUP, "c2", { minIdleMs: 50, count: 3 });
      expect(first.map((e) => e.fields.i)).toEqual(["1", "2", "3"]);
      // c2 finishes its three; whatever the machine's speed, only the untouched one is left to reclaim.
      await infra.stream.ack(
        s,
        GROUP,
        first.map((e) => e.id),
      );
      await sut.advance(80);
      const rest = await infra.stream.reclaim(s, GROUP, "c3", { minIdleMs: 50, count: 10 });
      expect(rest.map((e) => e.fields.i)).toEqual(["4"]);
    });

    it("deadLetter moves an entry out of pending into the default dead stream, with the error", async () => {
      const s = await newStream();
      const id = await infra.stream.add(s, { job: "poison", user: "7" });
      const [entry] = await infra.stream.read(s, GROUP, "c1", { count: 1, blockMs: 0 });
      await infra.stream.deadLetter(s, GROUP, entry as StreamEntry, "TypeError: boom");

      expect(await infra.stream.pendingCount(s, GROUP)).toBe(0);
      expect(await infra.stream.length(`${s}.dead`)).toBe(1);
      const dead = await infra.stream.deadLetters(`${s}.dead`, 10);
      expect(dead).toHaveLength(1);
      expect(dead[0]).toMatchObject({
        originalId: id,
        fields: { job: "poison", user: "7" },
        error: "TypeError: boom",
      });
      expect(dead[0]?.id).toEqual(expect.any(String));
      // It is not reclaimable any more.
      await sut.advance(80);
      expect(await infra.stream.reclaim(s, GROUP, "c2", { minIdleMs: 50, count: 10 })).toEqual([]);
    });

    it("deadLetter honours an explicit dead stream, and deadLetters reads oldest first", async () => {
      const s = await newStream();
      const dlq = uniqueName("dlq");
      for (let i = 0; i < 3; i++) await infra.stream.add(s, { i: String(i) });
      const entries = await infra.stream.read(s, GROUP, "c1", { count: 3, blockMs: 0 });
      for (const e of entries) await infra.stream.deadLetter(s, GROUP, e, `err ${e.fields.i}`, dlq);
      expect(await infra.stream.length(`${s}.dead`)).toBe(0);
      const dead = await infra.stream.deadLetters(dlq, 2);
      expect(dead.map((d) => [d.originalId, d.error])).toEqual([
        [entries[0]!.id, "err 0"],
        [entries[1]!.id, "err 1"],
      ]);
    });

    it("ensureGroup is idempotent and a new group starts at the beginning of the stream", async () => {
      const s = uniqueName("s");
      await infra.stream.add(s, { early: "1" });
      await infra.stream.ensureGroup(s, GROUP);
      await infra.stream.ensureGroup(s, GROUP);
      const got = await infra.stream.read(s, GROUP, "c1", { count: 10, blockMs: 0 });
      expect(got.map((e) => e.fields)).toEqual([{ early: "1" }]);

      // Calling it again neither rewinds the group nor clears its pending entries.
      await infra.stream.ensureGroup(s, GROUP);
      expect(await infra.stream.read(s, GROUP, "c1", { count: 10, blockMs: 0 })).toEqual([]);
      expect(await infra.stream.pendingCount(s, GROUP)).toBe(1);

      // A second group sees the whole stream independently.
      await infra.stream.ensureGroup(s, "auditors");
      expect(await infra.stream.read(s, "auditors", "x", { count: 10, blockMs: 0 })).toHaveLength(1);
    });

    it("length and pendingCount are 0 for unknown streams; reading without a group fails", async () => {
      const s = uniqueName("nothing");
      expect(await infra.stream.length(s)).toBe(0);
      expect(await infra.stream.pendingCount(s, GROUP)).toBe(0);
      expect(await infra.stream.deadLetters(s, 10)).toEqual([]);
      await expect(infra.stream.read(s, GROUP, "c1", { count: 1, blockMs: 0 })).rejects.toThrow(/NOGROUP/);
      await infra.stream.add(s, { a: "1" });
      expect(await infra.stream.length(s)).toBe(1);
    });

    it("500 entries read by 4 concurrent consumers are each delivered exactly once", async () => {
      const s = await newStream();
      const total = 500;
      const added: string[] = [];
      const delivered: string[] = [];
      const producer = (async () => {
        for (let i = 0; i < total; i += 50) {
          const batch = Array.from({ length: 50 }, (_, j) => infra.stream.add(s, { n: String(i + j) }));
          added.push(...(await Promise.all(batch)));
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
      })();
      const consumer = async (name: string): Promise<void> => {
        const deadline = Date.now() + 8000;
        while (delivered.length < total && Date.now() < deadline) {
          const got = await infra.stream.read(s, GROUP, name, { count: 7, blockMs: 30 });
          for (const e of got) delivered.push(e.id);
          if (got.length > 0) {
            await infra.stream.ack(
              s,
              GROUP,
              got.map((e) => e.id),
            );
          }
        }
      };
      await Promise.all([producer, ...["w1", "w2", "w3", "w4"].map(consumer)]);

      expect(delivered).toHaveLength(total);
      expect(new Set(delivered).size).toBe(total);
      expect([...delivered].sort()).toEqual([...added].sort());
      expect(await infra.stream.pendingCount(s, GROUP)).toBe(0);
      expect(await infra.stream.length(s)).toBe(total);
    });
  });

  describe("key-value", () => {
    it("values expire after their TTL; without a TTL they stay", async () => {
      const short = uniqueName("short");
      const forever = uniqueName("forever");
      await infra.kv.set(short, "a", 100);
      await infra.kv.set(forever, "b");
      expect(await infra.kv.get(short)).toBe("a");
      await sut.advance(150);
      expect(await infra.kv.get(short)).toBeNull();
      expect(await infra.kv.get(forever)).toBe("b");
      expect(await infra.kv.get(uniqueName("missing"))).toBeNull();
    });

    it("set overwrites, delete counts what it removed", async () => {
      const a = uniqueName("a");
      const b = uniqueName("b");
      await infra.kv.set(a, "1");
      await infra.kv.set(a, "2");
      expect(await infra.kv.get(a)).toBe("2");
      await infra.kv.set(b, "x");
      expect(await infra.kv.delete(a, b, uniqueName("missing"))).toBe(2);
      expect(await infra.kv.get(a)).toBeNull();
      expect(await infra.kv.delete()).toBe(0);
    });

    it("getMany reads several keys at once; batch writes sets and capped pushes in order, each with its own TTL", async () => {
      const a = uniqueName("many-a");
      const b = uniqueName("many-b");
      const c = uniqueName("many-c");
      const l = uniqueName("many-list");
      await infra.kv.pushCapped(l, "0", 3, 100);
      await infra.kv.batch([
        { op: "set", key: a, value: "1", ttlMs: 100 },
        { op: "set", key: b, value: "2" },
        { op: "push", key: l, value: "1", max: 3, ttlMs: 300 },
        { op: "set", key: c, value: "3", ttlMs: 300 },
        { op: "push", key: l, value: "2", max: 3, ttlMs: 300 },
        { op: "push", key: l, value: "3", max: 3, ttlMs: 300 },
      ]);
      expect(await infra.kv.getMany([c, uniqueName("missing"), a, b])).toEqual(["3", null, "1", "2"]);
      expect(await infra.kv.list(l)).toEqual(["1", "2", "3"]);
      await sut.advance(150);
      // The push refreshed the list's TTL; the 100 ms entry is gone.
      expect(await infra.kv.getMany([a, b, c])).toEqual([null, "2", "3"]);
      expect(await infra.kv.list(l)).toEqual(["1", "2", "3"]);
      expect(await infra.kv.getMany([])).toEqual([]);
      await infra.kv.batch([]);
      await infra.kv.batch([{ op: "set", key: b, value: "22", ttlMs: 100 }]);
      expect(await infra.kv.get(b)).toBe("22");
    });

    it("a hash takes fields through batch, reads one with hashGet, and lives ttlMs after its last write", async () => {
      const h = uniqueName("hash");
      expect(await infra.kv.hashGet(h, "1")).toBeNull();
      await infra.kv.batch([
        { op: "hset", key: h, field: "1", value: "501", ttlMs: 150 },
        { op: "hset", key: h, field: "2", value: "502", ttlMs: 150 },
      ]);
      expect(await infra.kv.hashGet(h, "1")).toBe("501");
      expect(await infra.kv.hashGet(h, "3")).toBeNull();
      await sut.advance(100);
      await infra.kv.batch([{ op: "hset", key: h, field: "1", value: "601", ttlMs: 150 }]);
      await sut.advance(100);
      // 200 ms after the first write, 100 ms after the last: the whole hash is still there.
      expect([await infra.kv.hashGet(h, "1"), await infra.kv.hashGet(h, "2")]).toEqual(["601", "502"]);
      await sut.advance(100);
      expect(await infra.kv.hashGet(h, "2")).toBeNull();
      await infra.kv.batch([{ op: "hset", key: h, field: "1", value: "1", ttlMs: 150 }]);
      expect(await infra.kv.delete(h)).toBe(1);
      expect(await infra.kv.hashGet(h, "1")).toBeNull();
    });

    it("a counter takes increments through batch; its window starts with the first and is not extended", async () => {
      const n = uniqueName("count");
      await infra.kv.batch([{ op: "incr", key: n, ttlMs: 150 }]);
      await sut.advance(100);
      await infra.kv.batch([
        { op: "incr", key: n, ttlMs: 150 },
        { op: "incr", key: n, ttlMs: 150 },
      ]);
      expect(await infra.kv.get(n)).toBe("3");
      // 150 ms after the first increment the window is over, although the last was 50 ms ago.
      await sut.advance(60);
      expect(await infra.kv.get(n)).toBeNull();
      await infra.kv.batch([{ op: "incr", key: n, ttlMs: 150 }]);
      expect(await infra.kv.get(n)).toBe("1");
    });

    it("remainingTtl says how long a key lives; null when it is missing or has no TTL", async () => {
      const k = uniqueName("ttl");
      expect(await infra.kv.remainingTtl(k)).toBeNull();
      await infra.kv.set(k, "1", 1_000);
      await sut.advance(100);
      const left = await infra.kv.remainingTtl(k);
      expect(left).toBeGreaterThan(800);
      expect(left).toBeLessThanOrEqual(900);
      await infra.kv.set(k, "1");
      expect(await infra.kv.remainingTtl(k)).toBeNull();
      await infra.kv.delete(k);
    });

    it("setIfAbsent sets only when absent, and again once the value expired", async () => {
      const key = uniqueName("once");
      expect(await infra.kv.setIfAbsent(key, "first", 100)).toBe(true);
      expect(await infra.kv.setIfAbsent(key, "second", 100)).toBe(false);
      expect(await infra.kv.get(key)).toBe("first");
      await sut.advance(150);
      expect(await infra.kv.setIfAbsent(key, "third", 100)).toBe(true);
      expect(await infra.kv.get(key)).toBe("third");
    });

    it("increment counts atomically; the TTL starts when the key is created and is not extended", async () => {
      const key = uniqueName("count");
      const results = await Promise.all(Array.from({ length: 20 }, () => infra.kv.increment(key, 150)));
      expect([...results].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      await sut.advance(100);
      expect(await infra.kv.increment(key, 150)).toBe(21);
      await sut.advance(100);
      // 200 ms after creation: the 150 ms TTL from the first increment has run out.
      expect(await infra.kv.get(key)).toBeNull();
      expect(await infra.kv.increment(key, 150)).toBe(1);

      const plain = uniqueName("plain");
      expect(await infra.kv.increment(plain)).toBe(1);
      await sut.advance(200);
      expect(await infra.kv.increment(plain)).toBe(2);
    });

    it("pushCapped keeps the newest `max` items, oldest first, and refreshes the TTL", async () => {
      const key = uniqueName("ctx");
      for (const v of ["1", "2", "3", "4", "5"]) await infra.kv.pushCapped(key, v, 3, 150);
      expect(await infra.kv.list(key)).toEqual(["3", "4", "5"]);
      await sut.advance(100);
      await infra.kv.pushCapped(key, "6", 3, 150);
      await sut.advance(100);
      // 200 ms after the first push, but only 100 ms after the last one.
      expect(await infra.kv.list(key)).toEqual(["4", "5", "6"]);
      await sut.advance(100);
      expect(await infra.kv.list(key)).toEqual([]);
      expect(await infra.kv.list(uniqueName("missing"))).toEqual([]);
    });
  });

  describe("locks", () => {
    it("a lock is exclusive until released", async () => {
      const key = uniqueName("lock");
      const release = await infra.locks.acquire(key, 5000);
      expect(release).toBeTypeOf("function");
      expect(await infra.locks.acquire(key, 5000)).toBeNull();
      await release!();
      const again = await infra.locks.acquire(key, 5000);
      expect(again).toBeTypeOf("function");
      await again!();
    });

    it("a lock expires after its TTL", async () => {
      const key = uniqueName("lock");
      expect(await infra.locks.acquire(key, 100)).not.toBeNull();
      expect(await infra.locks.acquire(key, 100)).toBeNull();
      await sut.advance(150);
      expect(await infra.locks.acquire(key, 100)).not.toBeNull();
    });

    it("releasing an expired lock does not release the next holder's lock", async () => {
      const key = uniqueName("lock");
      const releaseA = await infra.locks.acquire(key, 100);
      await sut.advance(150);
      const releaseB = await infra.locks.acquire(key, 5000);
      expect(releaseB).not.toBeNull();
      await releaseA!();
      expect(await infra.locks.acquire(key, 5000)).toBeNull();
      await releaseB!();
      expect(await infra.locks.acquire(key, 5000)).not.toBeNull();
    });

    it("200 concurrent attempts on one lock: exactly one wins (20 rounds)", async () => {
      for (let round = 0; round < 20; round++) {
        const key = uniqueName(`race-${round}`);
        const attempts = await Promise.all(Array.from({ length: 200 }, () => infra.locks.acquire(key, 5000)));
        expect(attempts.filter((r) => r !== null)).toHaveLength(1);
      }
    });
  });

  describe("lifecycle", () => {
    it("is the implementation the target asked for", () => {
      expect(infra.kind).toBe(target.name);
    });

    it("ping answers true while open and false after close; close is idempotent", async () => {
      expect(await infra.ping()).toBe(true);
      await infra.close();
      await infra.close();
      expect(await infra.ping()).toBe(false);
    });
  });
});
