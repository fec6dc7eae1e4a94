import { sql } from "drizzle-orm";
import pg from "pg";
import { type Database, openDatabase } from "../../src/db/client.ts";
import { migrate } from "../../src/db/migrate.ts";
import { seedTopics } from "../../src/db/seed.ts";
import { loadWorkload, type WorkloadStats } from "../workload.ts";

/**
 * The synthetic population of `bench/workload.ts` in its own database (`tno_bench_<size>` on
 * PostgreSQL, or a fresh PGlite), loaded once and reused with `--reuse` when seed, size and generator
 * version match. Shared by the matching and digest benchmarks.
 */
export interface WorkloadDbArgs {
  engine: "postgres" | "pglite";
  url: string;
  seed: number;
  reuse: boolean;
}

/** Bumped when the generator changes, so --reuse never measures stale data. */
const WORKLOAD_VERSION = 2;

async function adminQuery(url: string, text: string): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query(text);
  } finally {
    await c.end();
  }
}

async function openBenchDb(
  args: WorkloadDbArgs,
  size: number,
): Promise<{ database: Database; fresh: boolean; drop: () => Promise<void> }> {
  if (args.engine === "pglite") {
    return { database: await openDatabase({}), fresh: true, drop: async () => {} };
  }
  const name = `tno_bench_${size}`;
  const url = new URL(args.url);
  url.pathname = `/${name}`;
  const exists = (await adminQuery(args.url, `select 1 from pg_database where datname = '${name}'`)).rowCount;
  let fresh = true;
  if (exists && args.reuse) {
    const probe = await openDatabase({ url: url.toString(), poolSize: 4 });
    try {
      const r = (await probe.db.execute(sql`select seed, users, version from bench_meta`)) as unknown as {
        rows: Array<{ seed: number; users: number; version: number }>;
      };
      const m = r.rows[0];
      fresh = !(
        m &&
        Number(m.seed) === args.seed &&
        Number(m.users) === size &&
        Number(m.version) === WORKLOAD_VERSION
      );
    } catch {
      fresh = true;
    }
    if (!fresh)
      return { database: probe, fresh, drop: () => adminQuery(args.url, `drop database ${name}`).then() };
    await probe.close();
  }
  await adminQuery(args.url, `drop database if exists ${name} with (force)`);
  await adminQuery(args.url, `create database ${name}`);
  const database = await openDatabase({ url: url.toString(), poolSize: 4 });
  return {
    database,
    fresh,
    drop: () => adminQuery(args.url, `drop database if exists ${name} with (force)`).then(),
  };
}

/** Opens (or loads) the workload database; migrations are applied either way (a reused one may be older). */
export async function openWorkloadDb(
  args: WorkloadDbArgs,
  size: number,
  now: Date,
  log: (msg: string) => void,
): Promise<{ database: Database; stats: WorkloadStats; drop: () => Promise<void> }> {
  const { database, fresh, drop } = await openBenchDb(args, size);
  const db = database.db;
  await migrate(db);
  let stats: WorkloadStats;
  if (fresh) {
    await seedTopics(db);
    stats = await loadWorkload(db, { users: size, seed: args.seed, now, log });
    await db.execute(sql`create table bench_meta (seed int, users int, version int, stats jsonb)`);
    await db.execute(
      sql`insert into bench_meta values (${args.seed}, ${size}, ${WORKLOAD_VERSION}, ${JSON.stringify(stats)}::jsonb)`,
    );
    log(`  loaded in ${stats.loadSeconds.toFixed(1)} s`);
  } else {
    const r = (await db.execute(sql`select stats from bench_meta`)) as unknown as {
      rows: Array<{ stats: WorkloadStats | string }>;
    };
    const s = r.rows[0]!.stats;
    stats = typeof s === "string" ? (JSON.parse(s) as WorkloadStats) : s;
    log("  reusing the loaded database");
  }
  return { database, stats, drop };
}
