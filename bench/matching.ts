import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, freemem, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import type { Clock } from "../src/clock.ts";
import { loadSeeker } from "../src/services/matching/candidate-facts.ts";
import {
  type Candidate,
  createCandidateFinder,
  createCandidateIndex,
} from "../src/services/matching/candidates.ts";
import { openWorkloadDb } from "./lib/workload-db.ts";
import { mulberry32 } from "./workload.ts";

/**
 * Candidate selection for one searching user: the spec's reference SQL (sprint-2 §6, adapted to the
 * schema) vs. the SQL pool finder vs. the in-memory index finder, on the same generated data.
 *
 *   npx tsx bench/run.ts matching [--sizes=10000,100000,1000000] [--engine=postgres|pglite]
 *     [--samples=300] [--seed=42] [--url=postgres://…] [--reuse] [--keep]
 */

const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), "results");
/** Wednesday 20:30 Moscow time: an evening, when most people say they are available. */
const NOW = new Date("2026-01-07T17:30:00Z");
const LIMIT = 10;

/** sprint-2-matching.md §6, verbatim but for table names, parameters and `now()` → the bench instant. */
const referenceSql = (userId: number, now: Date) => sql`
WITH me AS (
  SELECT ${userId}::bigint AS user_id,
         ARRAY(SELECT topic_id FROM user_topics WHERE user_id = ${userId}) AS my_topics,
         (SELECT tz FROM users WHERE id = ${userId}) AS my_tz
), pool AS (
  SELECT u.id AS cand_id, u.tz,
         ARRAY(SELECT topic_id FROM user_topics ut WHERE ut.user_id = u.id) AS cand_topics
  FROM users u
  WHERE u.id <> ${userId}
    AND NOT EXISTS (
      SELECT 1 FROM recent_contacts rc
      WHERE rc.user_id = ${userId} AND rc.other_id = u.id AND rc.until > ${now.toISOString()}::timestamptz
    )
), overlap AS (
  SELECT p.cand_id,
         CARDINALITY(ARRAY(SELECT UNNEST(p.cand_topics) INTERSECT SELECT UNNEST(me.my_topics))) AS shared_cnt,
         p.tz
  FROM pool p, me
)
SELECT cand_id, shared_cnt
FROM overlap
WHERE shared_cnt >= 2
ORDER BY shared_cnt DESC
LIMIT 10`;

interface Args {
  sizes: number[];
  engine: "postgres" | "pglite";
  samples: number;
  seed: number;
  url: string;
  reuse: boolean;
  keep: boolean;
}

function parseArgs(argv: string[]): Args {
  const get = (name: string) =>
    argv
      .find((a) => a.startsWith(`--${name}=`))
      ?.split("=")
      .slice(1)
      .join("=");
  const engine = get("engine") ?? "postgres";
  if (engine !== "postgres" && engine !== "pglite") throw new Error(`--engine=${engine}`);
  return {
    sizes: (get("sizes") ?? (engine === "pglite" ? "10000,100000" : "10000,100000,1000000"))
      .split(",")
      .map((s) => Number(s.replace(/_/g, ""))),
    engine,
    samples: Number(get("samples") ?? 300),
    seed: Number(get("seed") ?? 42),
    url: get("url") ?? process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test",
    reuse: argv.includes("--reuse"),
    keep: argv.includes("--keep"),
  };
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

interface Timing {
  n: number;
  median: number;
  p95: number;
  p99: number;
  mean: number;
}

function summarize(ms: number[]): Timing {
  const s = [...ms].sort((a, b) => a - b);
  return {
    n: s.length,
    median: pct(s, 50),
    p95: pct(s, 95),
    p99: pct(s, 99),
    mean: s.reduce((a, b) => a + b, 0) / Math.max(1, s.length),
  };
}

async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const out = await fn();
  return [performance.now() - t0, out];
}

function sameResult(a: Candidate[], b: Candidate[]): boolean {
  return (
    a.length === b.length &&
    a.every((x, i) => x.userId === b[i]!.userId && x.score === b[i]!.score && x.searching === b[i]!.searching)
  );
}

export async function main(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  const clock: Clock = { now: () => NOW };
  const results: unknown[] = [];
  const log = (m: string) => console.log(m);
  for (const size of args.sizes) {
    log(`\n== ${args.engine} ${size.toLocaleString("en")} users ==`);
    const { database, stats, drop } = await openWorkloadDb(args, size, NOW, log);
    const db = database.db;
    log(`  ${JSON.stringify(stats)}`);
    // Proposed migration (see docs/benchmarks.md): lets the index's incremental refresh find changed
    // profiles without scanning every user.
    await db.execute(sql`create index if not exists users_updated_at_idx on users (updated_at)`);
    await db.execute(sql`create index if not exists preferences_updated_at_idx on preferences (updated_at)`);

    // Searchers who could be matched (the workload a match worker actually sees), in seeded order.
    const seekersRes = (await db.execute(sql`
      select q.user_id from match_queue q join users u on u.id = q.user_id
      where q.expires_at > ${NOW.toISOString()}::timestamptz and u.status = 'active'
        and u.tg_id is not null and u.safety_ack
        and not exists (select 1 from engagements e where e.user_id = q.user_id)
      order by q.user_id`)) as unknown as { rows: Array<{ user_id: number | string }> };
    const seekers = seekersRes.rows.map((r) => Number(r.user_id));
    const rand = mulberry32(args.seed + size);
    for (let i = seekers.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [seekers[i], seekers[j]] = [seekers[j]!, seekers[i]!];
    }
    const sample = (n: number) => Array.from({ length: n }, (_, i) => seekers[i % seekers.length]!);

    // 1. The spec's reference SQL: a few samples, it is slow.
    const refN = size >= 1_000_000 ? 7 : size >= 100_000 ? 15 : 40;
    const refSamples = sample(args.engine === "pglite" ? Math.ceil(refN / 3) : refN);
    await db.execute(referenceSql(refSamples[0]!, NOW));
    const refMs: number[] = [];
    for (const id of refSamples) refMs.push((await time(() => db.execute(referenceSql(id, NOW))))[0]);
    const ref = summarize(refMs);
    log(`  reference SQL   median ${ref.median.toFixed(1)} ms  p95 ${ref.p95.toFixed(1)} ms  (n=${ref.n})`);

    // 2. Our finder without the index: SQL from the eligible pool, scored in TypeScript.
    const sqlFinder = createCandidateFinder({ db, clock });
    // PGlite runs single-threaded WASM: fewer samples of the slow paths at 100k.
    const heavy = size >= 1_000_000 || (args.engine === "pglite" && size >= 100_000);
    const poolSamples = sample(heavy ? 20 : 60);
    await sqlFinder.findCandidates(poolSamples[0]!, { variant: "strict", limit: LIMIT });
    const poolMs: number[] = [];
    for (const id of poolSamples) {
      poolMs.push((await time(() => sqlFinder.findCandidates(id, { variant: "strict", limit: LIMIT })))[0]);
    }
    const pool = summarize(poolMs);
    log(
      `  pool SQL finder median ${pool.median.toFixed(1)} ms  p95 ${pool.p95.toFixed(1)} ms  (n=${pool.n})`,
    );

    // 3. Our finder with the in-memory index (what the worker runs).
    const [indexLoadMs, index] = await time(async () => {
      const ix = await createCandidateIndex({ db, clock });
      await ix.load();
      return ix;
    });
    // Typed arrays plus ~40 bytes per Map entry (user id → slot).
    const indexMb = index.memoryBytes() / 2 ** 20;
    log(
      `  index: ${index.size()} people loaded in ${(indexLoadMs / 1000).toFixed(2)} s, ~${indexMb.toFixed(0)} MB`,
    );
    const finder = createCandidateFinder({ db, clock, index });
    // One incremental refresh with nothing changed: the steady-state cost per replica per tick.
    const refreshMs: number[] = [];
    for (let i = 0; i < 5; i++) refreshMs.push((await time(() => index.refresh()))[0]);
    const refresh = summarize(refreshMs);
    log(`  index refresh (no changes) median ${refresh.median.toFixed(1)} ms`);

    // Same answers as the SQL path (both read the same, unchanged data).
    let compared = 0;
    let mismatches = 0;
    for (const id of sample(Math.min(heavy ? 10 : 40, seekers.length))) {
      for (const variant of ["strict", "soft"] as const) {
        const a = await finder.findCandidates(id, { variant, limit: LIMIT });
        const b = await sqlFinder.findCandidates(id, { variant, limit: LIMIT });
        compared++;
        if (!sameResult(a, b)) mismatches++;
      }
    }
    log(`  index vs pool SQL: ${mismatches} mismatches in ${compared} comparisons`);

    const oursSamples = sample(args.samples);
    for (const id of oursSamples.slice(0, 30))
      await finder.findCandidates(id, { variant: "strict", limit: LIMIT });
    const oursMs: number[] = [];
    let found = 0;
    for (const id of oursSamples) {
      const [ms, list] = await time(() => finder.findCandidates(id, { variant: "strict", limit: LIMIT }));
      oursMs.push(ms);
      found += list.length;
    }
    const ours = summarize(oursMs);
    const softMs: number[] = [];
    for (const id of oursSamples.slice(0, Math.min(100, oursSamples.length))) {
      softMs.push((await time(() => finder.findCandidates(id, { variant: "soft", limit: LIMIT })))[0]);
    }
    const soft = summarize(softMs);

    // The in-memory part alone, and how many people qualify per search (the work the scan does).
    const scanMs: number[] = [];
    const qualifying: number[] = [];
    for (const id of oursSamples.slice(0, 100)) {
      const s = await loadSeeker(db, index.space, id, 1, NOW);
      if (!s) continue;
      const t0 = performance.now();
      index.scan(s.seeker, "strict", NOW, LIMIT * 2 + 8, s.cooldownIds);
      scanMs.push(performance.now() - t0);
      qualifying.push(index.scan(s.seeker, "strict", NOW, 1e9, s.cooldownIds).length);
    }
    const scan = summarize(scanMs);
    const q = summarize(qualifying);
    const ratio = ref.median / ours.median;
    log(
      `  index finder    median ${ours.median.toFixed(2)} ms  p95 ${ours.p95.toFixed(2)} ms  p99 ${ours.p99.toFixed(2)} ms  (n=${ours.n}, avg ${(found / ours.n).toFixed(1)} results)`,
    );
    log(`  soft variant    median ${soft.median.toFixed(2)} ms  p95 ${soft.p95.toFixed(2)} ms`);
    log(
      `  scan only       median ${scan.median.toFixed(3)} ms  p95 ${scan.p95.toFixed(3)} ms; qualifying people median ${q.median}`,
    );
    log(`  ratio reference/index (medians) ${ratio.toFixed(0)}×`);
    results.push({
      engine: args.engine,
      users: size,
      workload: stats,
      reference: ref,
      poolSql: pool,
      index: ours,
      indexSoft: soft,
      scanOnly: scan,
      qualifyingPerSearch: q,
      index_people: index.size(),
      index_load_ms: indexLoadMs,
      index_refresh: refresh,
      index_mb: indexMb,
      correctness: { compared, mismatches },
      ratio_median: ratio,
      ratio_p95: ref.p95 / ours.p95,
    });
    index.stop();
    await database.close();
    if (!args.keep && args.engine === "postgres") await drop();
  }

  // Table.
  const f = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
  console.log(
    "\n| users | engine | reference SQL median / p95 (n) | pool SQL median / p95 | index finder median / p95 / p99 (n) | ratio (median) |",
  );
  console.log("|---:|---|---:|---:|---:|---:|");
  for (const r of results as Array<{
    users: number;
    engine: string;
    reference: Timing;
    poolSql: Timing;
    index: Timing;
    ratio_median: number;
  }>) {
    console.log(
      `| ${r.users.toLocaleString("en")} | ${r.engine} | ${f(r.reference.median)} / ${f(r.reference.p95)} ms (${r.reference.n}) | ${f(r.poolSql.median)} / ${f(r.poolSql.p95)} ms | ${f(r.index.median)} / ${f(r.index.p95)} / ${f(r.index.p99)} ms (${r.index.n}) | ${r.ratio_median.toFixed(0)}× |`,
    );
  }

  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `matching-${new Date().toISOString().slice(0, 10)}.json`);
  let previous: { runs?: unknown[] } = {};
  try {
    previous = JSON.parse(readFileSync(file, "utf8")) as { runs?: unknown[] };
  } catch {}
  const machine = {
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    totalMemGb: +(totalmem() / 2 ** 30).toFixed(1),
    freeMemGb: +(freemem() / 2 ** 30).toFixed(1),
    node: process.version,
  };
  const run = { at: new Date().toISOString(), args, machine, results };
  writeFileSync(file, `${JSON.stringify({ runs: [...(previous.runs ?? []), run] }, null, 2)}\n`);
  console.log(`\nwritten ${file}`);
}
