import { sql } from "drizzle-orm";
import { createManualClock } from "../src/clock.ts";
import { nextDigestAt } from "../src/domain/digest.ts";
import { createDigestService, type DigestOutcome } from "../src/services/digest.ts";
import { createCandidateFinder, createCandidateIndex } from "../src/services/matching/candidates.ts";
import { DEFAULT_DATABASE_URL, flag, numFlag, pct, uptime, writeResults } from "./lib/common.ts";
import { openWorkloadDb } from "./lib/workload-db.ts";

/**
 * The weekly digest at scale: the matching workload (1M registered people by default), 10 % of the
 * active ones opted in to the digest with their next digest spread over a week by the real schedule
 * (`nextDigestAt`: their windows, their zones, a minute per person). Then the busiest hour of that
 * week is run the way the worker runs it — claim due people, count new candidates with the in-memory
 * index, record the run — and timed. Sending is not included (the outgoing bulk budget paces it);
 * the Telegram-paced time at 25 messages/s is reported beside.
 *
 *   npx tsx bench/run.ts digest [--users=1000000] [--opted-percent=10] [--seed=42] [--url=postgres://…] [--reuse] [--keep]
 *
 * Also shown: the claim query's plan (it must read the partial index of opted-in people, never
 * scan `users`), and what one claim costs while nobody is due.
 */

/** Wednesday 20:30 Moscow time: the matching workload is built around this instant. */
const NOW = new Date("2026-01-07T17:30:00Z");
const DAY = 24 * 3600_000;
const HOUR = 3600_000;
const BULK_PER_SECOND = 25;

export async function main(argv: string[]): Promise<void> {
  const users = numFlag(argv, "users", 1_000_000);
  const optedPercent = numFlag(argv, "opted-percent", 10);
  const seed = numFlag(argv, "seed", 42);
  const url = flag(argv, "url") ?? process.env.BENCH_DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const log = (m: string) => console.log(m);
  log(`digest bench: ${users.toLocaleString("en")} people, ${optedPercent} % of the active ones opted in`);
  log(`  ${uptime()}`);
  const { database, stats, drop } = await openWorkloadDb(
    { engine: "postgres", url, seed, reuse: argv.includes("--reuse") },
    users,
    NOW,
    log,
  );
  const db = database.db;
  try {
    // Who joined when (spread over half a year) and when the opted-in turned proposals on (two months):
    // «new this week» is then a realistic minority, not everyone.
    const t0 = performance.now();
    await db.execute(sql`update users set
        created_at = ${NOW.toISOString()}::timestamptz - ((id * 2654435761) % 15552000) * interval '1 second',
        receive_proposals_since = case when receive_proposals
          then ${NOW.toISOString()}::timestamptz - ((id * 40503) % 5184000) * interval '1 second' end,
        digest_enabled = false, digest_next_at = null, digest_anchor_at = null, unreachable_since = null`);
    await db.execute(sql`truncate digest_runs`);
    const opted = (await db.execute(sql`select u.id, u.tz, coalesce(p.avail_local, 0) as avail
        from users u left join preferences p on p.user_id = u.id
        where u.status = 'active' and u.tg_id is not null and (u.id * 7919) % 100 < ${optedPercent}
        order by u.id`)) as unknown as { rows: Array<{ id: string; tz: string | null; avail: number }> };
    // Each opted in some time last week: their next digest falls in the week after NOW − 1 day.
    const ids: number[] = [];
    const anchors: string[] = [];
    const nexts: string[] = [];
    for (const r of opted.rows) {
      const id = Number(r.id);
      const anchor = new Date(NOW.getTime() - 8 * DAY + ((id * 104729) % (7 * DAY)));
      ids.push(id);
      anchors.push(anchor.toISOString());
      nexts.push(nextDigestAt(anchor, { availLocal: Number(r.avail), zone: r.tz, userId: id }).toISOString());
    }
    for (let i = 0; i < ids.length; i += 20_000) {
      const arr = (a: Array<string | number>) => `{${a.slice(i, i + 20_000).join(",")}}`;
      await db.execute(sql`update users u set digest_enabled = true, digest_anchor_at = v.a, digest_next_at = v.n
        from unnest(${arr(ids)}::bigint[], ${arr(anchors)}::timestamptz[], ${arr(nexts)}::timestamptz[]) as v(id, a, n)
        where u.id = v.id`);
    }
    await db.execute(sql`analyze users`);
    log(
      `  ${ids.length.toLocaleString("en")} opted in, schedule set in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );

    // The busiest hour of the week.
    const peak = (
      (await db.execute(sql`select date_trunc('hour', digest_next_at) as h, count(*)::int as n
        from users where digest_enabled group by 1 order by 2 desc, 1 limit 1`)) as unknown as {
        rows: Array<{ h: string | Date; n: number }>;
      }
    ).rows[0]!;
    const peakStart = new Date(peak.h);
    const perHour = (
      (await db.execute(sql`select count(*)::int as n from users where digest_enabled
        group by date_trunc('hour', digest_next_at)`)) as unknown as { rows: Array<{ n: number }> }
    ).rows.map((r) => r.n);
    log(
      `  busiest hour ${peakStart.toISOString()}: ${peak.n} due; median hour ${pct(
        [...perHour].sort((a, b) => a - b),
        50,
      )}`,
    );

    // Everyone due before that hour has had this week's digest already: their next is a week on.
    await db.execute(sql`update users set digest_next_at = digest_next_at + interval '7 days'
        where digest_enabled and digest_next_at < ${peakStart.toISOString()}::timestamptz`);
    const clock = createManualClock(new Date(peakStart.getTime() - 1));
    const tIndex = performance.now();
    const index = await createCandidateIndex({ db, clock });
    await index.load();
    const indexLoadS = (performance.now() - tIndex) / 1000;
    const finder = createCandidateFinder({ db, clock, index });
    const digest = createDigestService({ db, clock, finder, rolloutPercent: 100 });

    // Nobody due: what the job's every-minute look costs, and its plan.
    const idle: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t = performance.now();
      await digest.claimDue();
      idle.push(performance.now() - t);
    }
    const plan = (await db.execute(sql`explain (format json) select id from users
        where digest_enabled = true and digest_next_at <= ${peakStart.toISOString()}::timestamptz
        order by digest_next_at limit 200`)) as unknown as { rows: Array<{ "QUERY PLAN": unknown }> };
    const planText = JSON.stringify(plan.rows[0]!["QUERY PLAN"]);
    const usesIndex = planText.includes("users_digest_due_idx");
    const seqScan = planText.includes('"Seq Scan"');
    log(
      `  claim plan: ${usesIndex ? "users_digest_due_idx" : "NOT the partial index"}${seqScan ? ", Seq Scan!" : ""}`,
    );

    // The busiest hour, run as the worker runs it.
    clock.set(new Date(peakStart.getTime() + HOUR));
    const per: number[] = [];
    const outcomes: Partial<Record<DigestOutcome | "none", number>> = {};
    const counts: number[] = [];
    const tHour = performance.now();
    let claimMs = 0;
    for (;;) {
      const tc = performance.now();
      const due = await digest.claimDue();
      claimMs += performance.now() - tc;
      if (due.length === 0) break;
      for (const id of due) {
        const t = performance.now();
        const p = await digest.prepare(id);
        per.push(performance.now() - t);
        const key = p.send ? "sent" : (p.outcome ?? "none");
        outcomes[key] = (outcomes[key] ?? 0) + 1;
        if (p.send) counts.push(p.count);
      }
    }
    const hourS = (performance.now() - tHour) / 1000;
    index.stop();
    const sorted = [...per].sort((a, b) => a - b);
    const mean = per.reduce((a, b) => a + b, 0) / Math.max(1, per.length);
    const result = {
      machine: uptime(),
      users,
      workload: stats,
      optedIn: ids.length,
      busiestHour: {
        start: peakStart.toISOString(),
        due: peak.n,
        medianHourDue: pct(
          [...perHour].sort((a, b) => a - b),
          50,
        ),
      },
      indexLoadS,
      idleClaimMs: {
        p50: pct(
          [...idle].sort((a, b) => a - b),
          50,
        ),
        max: Math.max(...idle),
      },
      claimPlan: { usesPartialIndex: usesIndex, seqScan },
      hour: {
        processed: per.length,
        computeS: hourS,
        claimS: claimMs / 1000,
        perPersonMs: {
          p50: pct(sorted, 50),
          p95: pct(sorted, 95),
          p99: pct(sorted, 99),
          max: sorted.at(-1),
          mean,
        },
        outcomes,
        sendAt25PerSecondS: (outcomes.sent ?? 0) / BULK_PER_SECOND,
        medianCount: pct(
          [...counts].sort((a, b) => a - b),
          50,
        ),
      },
      weekComputeS: (mean * ids.length) / 1000,
    };
    log(JSON.stringify(result, null, 2));
    writeResults("digest", result);
  } finally {
    await database.close();
    if (!argv.includes("--keep")) await drop();
  }
}
