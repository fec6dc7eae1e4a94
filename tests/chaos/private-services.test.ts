import { existsSync } from "node:fs";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type PrivatePostgres,
  type PrivateRedis,
  privateServicesAvailable,
  startPrivatePostgres,
  startPrivateRedis,
} from "../../bench/lib/private-services.ts";

/**
 * bench/lib/private-services.ts: private PostgreSQL and Redis instances that fault-injection tests
 * may kill and restart. Data written before a restart (and, for Redis with AOF everysec, before a
 * SIGKILL) must be there after it; stop() removes the temp dirs. Skipped when the binaries are absent.
 */

const AVAILABLE = privateServicesAvailable();
const SKIP_REASON = AVAILABLE.reason ? ` (skipped: ${AVAILABLE.reason})` : "";
const TIMEOUT = 30_000;

async function withRedis<T>(url: string, fn: (r: Redis) => Promise<T>): Promise<T> {
  // No reconnects: a server that is down must fail the call, not spam retries.
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  r.on("error", () => {});
  await r.connect();
  try {
    return await fn(r);
  } finally {
    r.disconnect();
  }
}

async function withPg<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** The temp dir behind a private Redis, from its own CONFIG. */
const redisDir = (url: string) =>
  withRedis(url, async (r) => ((await r.config("GET", "dir")) as string[])[1]!);

describe.skipIf(!AVAILABLE.redis)(`private Redis${SKIP_REASON}`, () => {
  let redis: PrivateRedis;
  beforeAll(async () => {
    redis = await startPrivateRedis();
  }, TIMEOUT);
  afterAll(() => redis?.stop(), TIMEOUT);

  it("runs on its own port, never 6379", async () => {
    expect(redis.port).not.toBe(6379);
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(redis.pid()).toBeGreaterThan(0);
    expect(await withRedis(redis.url, (r) => r.ping())).toBe("PONG");
  });

  it(
    "keeps a key across a restart (SIGTERM with AOF), on the same port with a new pid",
    async () => {
      await withRedis(redis.url, (r) => r.set("k:restart", "v1"));
      const before = redis.pid();
      await redis.restart({ downMs: 200 });
      expect(redis.pid()).not.toBe(before);
      expect(await withRedis(redis.url, (r) => r.get("k:restart"))).toBe("v1");
    },
    TIMEOUT,
  );

  it(
    "keeps a key across kill -9 with AOF everysec after a 1.2 s wait",
    async () => {
      await withRedis(redis.url, (r) => r.set("k:kill9", "v2"));
      await new Promise((r) => setTimeout(r, 1200));
      await redis.kill9();
      expect(redis.pid()).toBeUndefined();
      await expect(withRedis(redis.url, (r) => r.ping())).rejects.toThrow();
      await redis.start();
      expect(await withRedis(redis.url, (r) => r.mget("k:kill9", "k:restart"))).toEqual(["v2", "v1"]);
    },
    TIMEOUT,
  );

  it(
    "stop() removes the temp dir; without appendonly a restart loses the data",
    async () => {
      const dir = await redisDir(redis.url);
      expect(existsSync(dir)).toBe(true);
      await redis.stop();
      expect(existsSync(dir)).toBe(false);

      const volatile = await startPrivateRedis({ appendonly: false });
      try {
        await withRedis(volatile.url, (r) => r.set("k", "v"));
        await volatile.restart();
        expect(await withRedis(volatile.url, (r) => r.get("k"))).toBeNull();
      } finally {
        await volatile.stop();
      }
    },
    TIMEOUT,
  );
});

describe.skipIf(!AVAILABLE.postgres)(`private PostgreSQL${SKIP_REASON}`, () => {
  let pgs: PrivatePostgres;
  beforeAll(async () => {
    pgs = await startPrivatePostgres();
    await withPg(pgs.url, (c) => c.query("create table t (id int primary key, v text)"));
  }, TIMEOUT);
  afterAll(() => pgs?.stop(), TIMEOUT);

  it("runs on its own port, never 5432, with the requested settings", async () => {
    expect(pgs.port).not.toBe(5432);
    expect(pgs.url).toBe(`postgres://postgres@127.0.0.1:${pgs.port}/postgres`);
    const rows = await withPg(pgs.url, async (c) => {
      const r = await c.query<{ name: string; setting: string }>(
        "select name, setting from pg_settings where name in ('max_connections', 'fsync', 'listen_addresses')",
      );
      return Object.fromEntries(r.rows.map((x) => [x.name, x.setting]));
    });
    expect(rows).toEqual({ max_connections: "200", fsync: "off", listen_addresses: "127.0.0.1" });
  });

  it("pids() lists the postmaster and its children", () => {
    const pids = pgs.pids();
    expect(pids.length).toBeGreaterThan(1);
    // The postmaster and its long-lived children (checkpointer, writers) are there; a backend of a
    // connection that just closed may be gone by the time we look, so not every pid is checked.
    expect(existsSync(`/proc/${pids[0]}`)).toBe(true);
    expect(pids.filter((p) => existsSync(`/proc/${p}`)).length).toBeGreaterThan(1);
  });

  it(
    "keeps rows across a fast and an immediate restart",
    async () => {
      await withPg(pgs.url, (c) => c.query("insert into t values (1, 'fast')"));
      const before = pgs.pids()[0];
      await pgs.restart({ mode: "fast", downMs: 200 });
      expect(pgs.pids()[0]).not.toBe(before);

      await withPg(pgs.url, (c) => c.query("insert into t values (2, 'immediate')"));
      await pgs.restart({ mode: "immediate" });
      const rows = await withPg(
        pgs.url,
        async (c) => (await c.query("select id, v from t order by id")).rows,
      );
      expect(rows).toEqual([
        { id: 1, v: "fast" },
        { id: 2, v: "immediate" },
      ]);
    },
    TIMEOUT,
  );

  it(
    "start() brings it back after a SIGKILL of the postmaster",
    async () => {
      const pm = pgs.pids()[0]!;
      process.kill(pm, "SIGKILL");
      while (existsSync(`/proc/${pm}`)) await new Promise((r) => setTimeout(r, 50));
      await pgs.start();
      const n = await withPg(
        pgs.url,
        async (c) => (await c.query("select count(*)::int as n from t")).rows[0].n,
      );
      expect(n).toBe(2);
    },
    TIMEOUT,
  );

  it(
    "stop() stops the server and removes the temp dir",
    async () => {
      const dataDir = await withPg(pgs.url, async (c) => (await c.query("show data_directory")).rows[0]);
      const dir = (dataDir.data_directory as string).replace(/\/data$/, "");
      expect(existsSync(dir)).toBe(true);
      await pgs.stop();
      expect(existsSync(dir)).toBe(false);
      expect(pgs.pids()).toEqual([]);
      await expect(withPg(pgs.url, (c) => c.query("select 1"))).rejects.toThrow();
    },
    TIMEOUT,
  );
});
