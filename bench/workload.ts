import { sql } from "drizzle-orm";
import type { Db } from "../src/db/client.ts";
import { formatWeekMask, HOURS_PER_WEEK, hourOfWeek } from "../src/domain/matching/week-mask.ts";
import { seededRandom } from "../src/domain/safety/model.ts";

/**
 * A deterministic synthetic population for the matching benchmark. Every random choice comes from
 * one seeded PRNG, so the same (size, seed) gives the same database on PostgreSQL and PGlite.
 */
export interface WorkloadOptions {
  users: number;
  seed: number;
  /** The instant the data is built around (queue expiry, cooldowns, «available now»). */
  now: Date;
  batchSize?: number;
  log?: (msg: string) => void;
}

export interface WorkloadStats {
  users: number;
  userTopics: number;
  searching: number;
  optedIn: number;
  optedInAvailableNow: number;
  recentContacts: number;
  engaged: number;
  banned: number;
  loadSeconds: number;
}

/** The same seeded generator the safety models train with (Mulberry32). */
export const mulberry32 = seededRandom;

/** RU/CIS time zones (UTC offset hours) with rough shares of an audience centred on Moscow time. */
const TIME_ZONES: Array<[offset: number, share: number, name: string]> = [
  [3, 0.55, "Europe/Moscow"],
  [2, 0.03, "Europe/Kaliningrad"],
  [4, 0.05, "Europe/Samara"],
  [5, 0.15, "Asia/Yekaterinburg"],
  [6, 0.08, "Asia/Almaty"],
  [7, 0.05, "Asia/Novosibirsk"],
  [8, 0.03, "Asia/Irkutsk"],
  [9, 0.02, "Asia/Yakutsk"],
  [10, 0.02, "Asia/Vladivostok"],
  [12, 0.02, "Asia/Kamchatka"],
];

/** Local windows (avail_local bits 0..3 weekday, 4..7 weekend): утро 06–12, день 12–18, вечер 18–24, ночь 00–06. */
const WINDOW_HOURS: Array<[from: number, to: number]> = [
  [6, 12],
  [12, 18],
  [18, 24],
  [0, 6],
];
/** Probability of each of the 8 local windows being chosen: evenings dominate, nights are rare. */
const WINDOW_PROB = [0.2, 0.25, 0.7, 0.08, 0.3, 0.4, 0.6, 0.1];

function pick<T>(rand: () => number, items: Array<[T, number, ...unknown[]]>): T {
  let r = rand();
  for (const it of items) {
    r -= it[1];
    if (r <= 0) return it[0];
  }
  return items[items.length - 1]![0];
}

function utcHours(availLocal: number, offset: number): number[] {
  const out: number[] = [];
  for (let bit = 0; bit < 8; bit++) {
    if (((availLocal >> bit) & 1) === 0) continue;
    const weekend = bit >= 4;
    const [from, to] = WINDOW_HOURS[bit % 4]!;
    for (let day = weekend ? 5 : 0; day < (weekend ? 7 : 5); day++) {
      for (let h = from; h < to; h++) {
        out.push((((day * 24 + h - offset) % HOURS_PER_WEEK) + HOURS_PER_WEEK) % HOURS_PER_WEEK);
      }
    }
  }
  return out;
}

const arr = (xs: ReadonlyArray<number | string | boolean | null>): string =>
  `{${xs.map((x) => (x === null ? "NULL" : typeof x === "string" ? `"${x}"` : String(x))).join(",")}}`;

export async function loadWorkload(db: Db, opts: WorkloadOptions): Promise<WorkloadStats> {
  const started = performance.now();
  const log = opts.log ?? (() => {});
  const rand = mulberry32(opts.seed);
  const batch = opts.batchSize ?? 25_000;
  const now = opts.now;
  const nowHour = hourOfWeek(now);
  const topicRows = (await db.execute(sql`select id from topics order by id`)) as unknown as {
    rows: Array<{ id: number }>;
  };
  const topicIds = topicRows.rows.map((r) => Number(r.id));
  // Zipf-like popularity (s = 1) over a fixed random order of the catalogue.
  const order = [...topicIds];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const zipf = order.map((id, r) => [id, 1 / (r + 1)] as [number, number]);
  const zipfTotal = zipf.reduce((s, [, w]) => s + w, 0);
  const zipfNorm = zipf.map(([id, w]) => [id, w / zipfTotal] as [number, number]);

  const stats: WorkloadStats = {
    users: opts.users,
    userTopics: 0,
    searching: 0,
    optedIn: 0,
    optedInAvailableNow: 0,
    recentContacts: 0,
    engaged: 0,
    banned: 0,
    loadSeconds: 0,
  };
  const poolIds: number[] = [];
  const eligible = new Uint8Array(opts.users + 1);

  for (let from = 1; from <= opts.users; from += batch) {
    const to = Math.min(opts.users, from + batch - 1);
    const u = {
      id: [] as number[],
      tg: [] as Array<number | null>,
      tz: [] as string[],
      status: [] as string[],
      ack: [] as boolean[],
      receive: [] as boolean[],
      rsum: [] as number[],
      rcount: [] as number[],
    };
    const p = { id: [] as number[], local: [] as number[], utc: [] as Array<string | null> };
    const t = { user: [] as number[], topic: [] as number[], weight: [] as number[] };
    const q = { user: [] as number[], expires: [] as string[] };
    for (let id = from; id <= to; id++) {
      const r = rand();
      const status = r < 0.003 ? "banned" : r < 0.005 ? "deleted" : r < 0.007 ? "suspended" : "active";
      if (status === "banned") stats.banned++;
      const ack = rand() < 0.97;
      const receive = rand() < 0.1;
      const tzPick = pick(
        rand,
        TIME_ZONES.map(([o, s]) => [o, s]),
      );
      const tzName = TIME_ZONES.find(([o]) => o === tzPick)![2];
      let local = 0;
      if (rand() >= 0.08) for (let b = 0; b < 8; b++) if (rand() < WINDOW_PROB[b]!) local |= 1 << b;
      const hours = utcHours(local, tzPick);
      const rated = rand() < 0.4;
      const rcount = rated ? 1 + Math.floor(rand() * 20) : 0;
      const avg = 3.5 + rand() * 1.5;
      u.id.push(id);
      u.tg.push(status === "deleted" ? null : 1_000_000_000 + id);
      u.tz.push(tzName);
      u.status.push(status);
      u.ack.push(ack);
      u.receive.push(receive);
      u.rsum.push(Math.round(avg * rcount));
      u.rcount.push(rcount);
      p.id.push(id);
      p.local.push(local);
      p.utc.push(hours.length > 0 ? formatWeekMask(hours) : null);
      const k = 2 + Math.min(4, Math.floor(-Math.log(1 - rand()) * 1.6));
      const chosen = new Set<number>();
      while (chosen.size < k) chosen.add(pick(rand, zipfNorm));
      for (const topic of chosen) {
        t.user.push(id);
        t.topic.push(topic);
        const w = rand();
        t.weight.push(w < 0.25 ? 1 : w < 0.65 ? 2 : 3);
      }
      const ok = status === "active" && ack;
      eligible[id] = ok ? 1 : 0;
      if (receive) {
        stats.optedIn++;
        if (ok && hours.includes(nowHour)) stats.optedInAvailableNow++;
      }
      if (rand() < 0.01) {
        q.user.push(id);
        q.expires.push(new Date(now.getTime() + (1 + rand() * 23) * 3600_000).toISOString());
      }
      if (ok && (receive || q.user[q.user.length - 1] === id)) poolIds.push(id);
    }
    stats.userTopics += t.user.length;
    stats.searching += q.user.length;
    // updated_at a day before the bench instant: an index refresh right after loading sees a quiet
    // database (not 100 % of rows "changed in the last 30 s").
    const old = new Date(now.getTime() - 24 * 3600_000).toISOString();
    await db.execute(sql`insert into users (id, tg_id, tz, status, safety_ack, receive_proposals, rating_sum, rating_count, updated_at)
      select *, ${old}::timestamptz from unnest(${arr(u.id)}::bigint[], ${arr(u.tg)}::bigint[], ${arr(u.tz)}::varchar[],
        ${arr(u.status)}::varchar[], ${arr(u.ack)}::bool[], ${arr(u.receive)}::bool[],
        ${arr(u.rsum)}::int[], ${arr(u.rcount)}::int[])`);
    await db.execute(sql`insert into preferences (user_id, avail_local, avail_utc, updated_at)
      select a, b, c::bit(168), ${old}::timestamptz from unnest(${arr(p.id)}::bigint[], ${arr(p.local)}::smallint[], ${arr(p.utc)}::text[]) as x(a, b, c)`);
    await db.execute(sql`insert into user_topics (user_id, topic_id, weight)
      select * from unnest(${arr(t.user)}::bigint[], ${arr(t.topic)}::int[], ${arr(t.weight)}::smallint[])`);
    if (q.user.length > 0) {
      await db.execute(sql`insert into match_queue (user_id, expires_at)
        select * from unnest(${arr(q.user)}::bigint[], ${arr(q.expires)}::timestamptz[])`);
    }
    if (to % (batch * 8) === 0 || to === opts.users) log(`  users ${to}/${opts.users}`);
  }
  await db.execute(sql`select setval('users_id_seq', ${opts.users})`);

  // Cooldowns: 2% of users have 1–4 rows; half point at someone in the pool (where they matter).
  const rc = new Map<string, [number, number, string, string]>();
  const nRc = Math.floor(opts.users * 0.02);
  for (let i = 0; i < nRc; i++) {
    const a = 1 + Math.floor(rand() * opts.users);
    const n = 1 + Math.floor(rand() * 4);
    for (let j = 0; j < n; j++) {
      const b =
        rand() < 0.5 && poolIds.length > 0
          ? poolIds[Math.floor(rand() * poolIds.length)]!
          : 1 + Math.floor(rand() * opts.users);
      if (a === b) continue;
      const r = rand();
      const [reason, until] =
        r < 0.75
          ? ["declined", new Date(now.getTime() + (rand() * 96 - 24) * 3600_000).toISOString()]
          : r < 0.95
            ? ["blocked", new Date(now.getTime() + rand() * 30 * 24 * 3600_000).toISOString()]
            : ["reported", "infinity"];
      rc.set(`${a}:${b}`, [a, b, reason, until]);
    }
  }
  const rcRows = [...rc.values()];
  for (let i = 0; i < rcRows.length; i += batch) {
    const part = rcRows.slice(i, i + batch);
    await db.execute(sql`insert into recent_contacts (user_id, other_id, reason, until)
      select * from unnest(${arr(part.map((x) => x[0]))}::bigint[], ${arr(part.map((x) => x[1]))}::bigint[],
        ${arr(part.map((x) => x[2]))}::varchar[], ${arr(part.map((x) => x[3]))}::timestamptz[])`);
  }
  stats.recentContacts = rcRows.length;

  // Engaged: ~1% of users in open proposals or chats, half of them drawn from the pool.
  const engagedSet = new Set<number>();
  const pairs: Array<[number, number]> = [];
  const nPairs = Math.floor(opts.users * 0.005);
  const draw = () =>
    rand() < 0.5 && poolIds.length > 0
      ? poolIds[Math.floor(rand() * poolIds.length)]!
      : 1 + Math.floor(rand() * opts.users);
  for (let i = 0; i < nPairs; i++) {
    const a = draw();
    const b = draw();
    if (a === b || engagedSet.has(a) || engagedSet.has(b)) continue;
    engagedSet.add(a);
    engagedSet.add(b);
    pairs.push([a, b]);
  }
  for (let i = 0; i < pairs.length; i += batch) {
    const part = pairs.slice(i, i + batch);
    const ids = part.map((_, j) => i + j + 1);
    const exp = new Date(now.getTime() + 300_000).toISOString();
    await db.execute(sql`insert into matches (id, user_a, user_b, status, expires_at)
      select a, b, c, 'active', ${exp}::timestamptz
      from unnest(${arr(ids)}::bigint[], ${arr(part.map((x) => x[0]))}::bigint[], ${arr(part.map((x) => x[1]))}::bigint[]) as x(a, b, c)`);
    await db.execute(sql`insert into engagements (user_id, match_id)
      select * from unnest(${arr([...part.map((x) => x[0]), ...part.map((x) => x[1])])}::bigint[],
                           ${arr([...ids, ...ids])}::bigint[])`);
  }
  if (pairs.length > 0) await db.execute(sql`select setval('matches_id_seq', ${pairs.length})`);
  stats.engaged = engagedSet.size;
  log("  analyze");
  await db.execute(sql`analyze`);
  stats.loadSeconds = (performance.now() - started) / 1000;
  return stats;
}
