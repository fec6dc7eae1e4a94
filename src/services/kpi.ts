/**
 * The spec's goals («Цели MVP») per UTC day and per A/B variant (strict, soft, and all), computed
 * from rows and counters only — never from anything anyone wrote. Each figure carries its numerator
 * and denominator (the console shows «12 / 40 (30 %)»), the spec's goal where it sets one, and
 * whether the goal is met. Counts add up across days and variants, so a week is the sum of its days.
 *
 * Definitions (a «day» is a UTC calendar day; the variant is the one the row carries):
 * - **Searches matched within 24 h** (goal ≥ 60 %): of the searches started that day (`searches`,
 *   one row per /find that opened a search) whose 24 h are over, those that got their first proposal
 *   within 24 h of the start, as the one searching or as the one proposed. A search younger than
 *   24 h is `searchesPending` and not counted yet, proposed or not: counting only the early
 *   successes would flatter the last day. A search cancelled before any proposal counts as not
 *   matched; going back to the search after a decline or an expired proposal is the same search; a
 *   proposal withdrawn because it could not be delivered still counts as the first proposal.
 *   Someone put in the queue only because they accepted an opt-in proposal that fell through (they
 *   never pressed /find) has no search here. Variant: the search's own.
 * - **Accept rate** (goal ≥ 40 %): proposals decided that day (`matches.decided_at`) that both
 *   people accepted (a chat started) / all decided that day — declined, expired and withdrawn
 *   included, as the `accept_rate` gauge counts them. Variant: the proposal's.
 * - **Conversations** are the chat sessions that ended that day (`chat_sessions.ended_at`), whatever
 *   ended them; their variant is their proposal's. Over them:
 *   - **average length** (goal ≥ 10 min): Σ (ended_at − started_at) in minutes / conversations;
 *   - **tip rate** (goal ≥ 8 %): conversations with at least one tip in status `paid` (a refunded tip
 *     no longer counts) / conversations; **average tip**: Stars of those paid tips / paid tips;
 *   - **report rate** (goal ≤ 3 %): conversations with at least one report / conversations;
 *   - **crisis flags per 1 000 conversations**: crisis flags (`safety_flags.source = 'crisis'`)
 *     raised in them × 1 000 / conversations (every flagged message counts, so one conversation may
 *     add several).
 *   Tips and reports may come up to 24 h after the end, so a day's figures can still grow the day after.
 * - **Caring contact**: check-ins sent that day, and their answers by category (лучше / так же /
 *   хуже, whenever they came) and those not answered; answered / sent. Variant: the person's
 *   assignment in the strict/soft experiment.
 *
 * What /delete removes leaves these figures too: an erased person's searches, crisis flags and
 * check-ins go with them (their conversations, proposals, tips and reports stay, under the scrubbed id).
 */

import { sql } from "drizzle-orm";
import type { Clock } from "../clock.ts";
import type { Db } from "../db/client.ts";
import { rows } from "./matching/candidate-facts.ts";
import { MATCH_EXPERIMENT, variantFor } from "./matching/index.ts";

export const KPI_VARIANTS = ["strict", "soft", "all"] as const;
export type KpiVariant = (typeof KPI_VARIANTS)[number];
/** The longest range `daily` answers, in days. */
export const KPI_MAX_DAYS = 92;
/** A search counts as matched when its first proposal came within this long of its start. */
export const KPI_MATCH_WITHIN_MS = 24 * 3600_000;
const DAY_MS = 24 * 3600_000;

export interface KpiGoal {
  op: "atLeast" | "atMost";
  value: number;
}

/** How a figure's value reads: a share (0..1), minutes, Stars, or a count per 1 000. */
export type KpiUnit = "ratio" | "minutes" | "stars" | "per1000";

export interface KpiFigure {
  numerator: number;
  denominator: number;
  /** numerator / denominator (× 1 000 for `per1000`); null when the denominator is 0. */
  value: number | null;
  unit: KpiUnit;
  goal: KpiGoal | null;
  /** Whether the value meets the goal; null without a goal or a value. */
  met: boolean | null;
}

/** The spec's goals («Цели MVP»). */
export const KPI_GOALS = {
  searchMatched24h: { op: "atLeast", value: 0.6 },
  accept: { op: "atLeast", value: 0.4 },
  conversationMinutes: { op: "atLeast", value: 10 },
  tip: { op: "atLeast", value: 0.08 },
  report: { op: "atMost", value: 0.03 },
} as const satisfies Record<string, KpiGoal>;

/** The raw counts of one day and variant; every figure is made from them. */
export interface KpiCounts {
  searchesCounted: number;
  searchesMatched: number;
  searchesPending: number;
  proposalsDecided: number;
  proposalsAccepted: number;
  conversationsEnded: number;
  conversationMinutes: number;
  conversationsTipped: number;
  tipsPaid: number;
  tipStars: number;
  conversationsReported: number;
  crisisFlags: number;
  checkInsSent: number;
  checkInsBetter: number;
  checkInsSame: number;
  checkInsWorse: number;
}

export interface KpiFigures {
  searchMatched24h: KpiFigure;
  /** Searches started that day that are younger than 24 h: not in `searchMatched24h` yet. */
  searchesPending: number;
  accept: KpiFigure;
  conversationMinutes: KpiFigure;
  tip: KpiFigure;
  tipAverage: KpiFigure;
  report: KpiFigure;
  crisisFlagsPer1000: KpiFigure;
  checkIns: {
    sent: number;
    better: number;
    same: number;
    worse: number;
    unanswered: number;
    answered: KpiFigure;
  };
}

export interface KpiDay {
  /** YYYY-MM-DD, UTC. */
  day: string;
  variants: Record<KpiVariant, KpiFigures>;
}

export type KpiDailyResult =
  | {
      ok: true;
      /** First and last UTC day covered (YYYY-MM-DD), both included. */
      from: string;
      to: string;
      /** The instant the figures were computed at (pending searches are relative to it). */
      asOf: Date;
      days: KpiDay[];
      /** The whole range: the days added up. */
      total: Record<KpiVariant, KpiFigures>;
    }
  | { ok: false; reason: "bad_range" | "too_long" };

export function emptyCounts(): KpiCounts {
  return {
    searchesCounted: 0,
    searchesMatched: 0,
    searchesPending: 0,
    proposalsDecided: 0,
    proposalsAccepted: 0,
    conversationsEnded: 0,
    conversationMinutes: 0,
    conversationsTipped: 0,
    tipsPaid: 0,
    tipStars: 0,
    conversationsReported: 0,
    crisisFlags: 0,
    checkInsSent: 0,
    checkInsBetter: 0,
    checkInsSame: 0,
    checkInsWorse: 0,
  };
}

export function addCounts(into: KpiCounts, more: Partial<KpiCounts>): KpiCounts {
  for (const key of Object.keys(more) as Array<keyof KpiCounts>) into[key] += more[key] ?? 0;
  return into;
}

function figure(numerator: number, denominator: number, unit: KpiUnit, goal: KpiGoal | null): KpiFigure {
  const value = denominator === 0 ? null : (numerator / denominator) * (unit === "per1000" ? 1000 : 1);
  const met =
    goal === null || value === null
      ? null
      : goal.op === "atLeast"
        ? value >= goal.value
        : value <= goal.value;
  return { numerator, denominator, value, unit, goal, met };
}

/** The figures of one day (or range) and variant from its counts. */
export function kpiFigures(c: KpiCounts): KpiFigures {
  const answered = c.checkInsBetter + c.checkInsSame + c.checkInsWorse;
  return {
    searchMatched24h: figure(c.searchesMatched, c.searchesCounted, "ratio", KPI_GOALS.searchMatched24h),
    searchesPending: c.searchesPending,
    accept: figure(c.proposalsAccepted, c.proposalsDecided, "ratio", KPI_GOALS.accept),
    conversationMinutes: figure(
      c.conversationMinutes,
      c.conversationsEnded,
      "minutes",
      KPI_GOALS.conversationMinutes,
    ),
    tip: figure(c.conversationsTipped, c.conversationsEnded, "ratio", KPI_GOALS.tip),
    tipAverage: figure(c.tipStars, c.tipsPaid, "stars", null),
    report: figure(c.conversationsReported, c.conversationsEnded, "ratio", KPI_GOALS.report),
    crisisFlagsPer1000: figure(c.crisisFlags, c.conversationsEnded, "per1000", null),
    checkIns: {
      sent: c.checkInsSent,
      better: c.checkInsBetter,
      same: c.checkInsSame,
      worse: c.checkInsWorse,
      unanswered: c.checkInsSent - answered,
      answered: figure(answered, c.checkInsSent, "ratio", null),
    },
  };
}

const utcDay = (d: Date): string => d.toISOString().slice(0, 10);
const dayStart = (d: Date): Date => new Date(`${utcDay(d)}T00:00:00.000Z`);
const at = (d: Date) => sql`${d.toISOString()}::timestamptz`;
const dayOf = (column: string) => sql.raw(`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD')`);

/** Counts by day and the row's own variant (any string); `add` sorts them into strict/soft/all. */
type Rows = Array<{ day: string; variant: string; counts: Partial<KpiCounts> }>;

interface Window {
  start: Date;
  end: Date;
  now: Date;
}

async function searchCounts(db: Db, w: Window): Promise<Rows> {
  const cut = new Date(w.now.getTime() - KPI_MATCH_WITHIN_MS);
  const list = await rows<{
    day: string;
    variant: string;
    counted: number;
    matched: number;
    pending: number;
  }>(
    db,
    sql`select ${dayOf("started_at")} as day, variant,
          count(*) filter (where started_at <= ${at(cut)})::int as counted,
          count(*) filter (where started_at <= ${at(cut)} and proposed_at is not null
            and proposed_at <= started_at + ${`${KPI_MATCH_WITHIN_MS} milliseconds`}::interval)::int as matched,
          count(*) filter (where started_at > ${at(cut)})::int as pending
        from searches
        where started_at >= ${at(w.start)} and started_at < ${at(w.end)}
        group by 1, 2`,
  );
  return list.map((r) => ({
    day: r.day,
    variant: r.variant,
    counts: { searchesCounted: r.counted, searchesMatched: r.matched, searchesPending: r.pending },
  }));
}

async function proposalCounts(db: Db, w: Window): Promise<Rows> {
  const list = await rows<{ day: string; variant: string; decided: number; accepted: number }>(
    db,
    sql`select ${dayOf("decided_at")} as day, variant, count(*)::int as decided,
          count(*) filter (where status in ('active','completed'))::int as accepted
        from matches
        where decided_at >= ${at(w.start)} and decided_at < ${at(w.end)} and status <> 'proposed'
        group by 1, 2`,
  );
  return list.map((r) => ({
    day: r.day,
    variant: r.variant,
    counts: { proposalsDecided: r.decided, proposalsAccepted: r.accepted },
  }));
}

interface ConversationRow {
  day: string;
  variant: string;
  ended: number;
  minutes: number;
  tipped: number;
  tips: number;
  stars: number;
  reported: number;
  flags: number;
}

/** Conversations that ended in the window, with their tips, reports and crisis flags. */
async function conversationCounts(db: Db, w: Window): Promise<Rows> {
  const list = await rows<ConversationRow>(
    db,
    sql`with ended as (
          select s.id, m.variant, ${dayOf("s.ended_at")} as day,
            extract(epoch from (s.ended_at - s.started_at)) / 60 as minutes
          from chat_sessions s join matches m on m.id = s.match_id
          where s.ended_at >= ${at(w.start)} and s.ended_at < ${at(w.end)})
        select e.day, e.variant, count(*)::int as ended,
          coalesce(sum(e.minutes), 0)::float8 as minutes,
          count(*) filter (where tp.n > 0)::int as tipped,
          coalesce(sum(tp.n), 0)::int as tips,
          coalesce(sum(tp.stars), 0)::int as stars,
          count(*) filter (where rp.n > 0)::int as reported,
          coalesce(sum(cf.n), 0)::int as flags
        from ended e
        left join lateral (select count(*) as n, sum(t.amount) as stars from tips t
          where t.chat_session_id = e.id and t.status = 'paid') tp on true
        left join lateral (select count(*) as n from reports r where r.chat_session_id = e.id) rp on true
        left join lateral (select count(*) as n from safety_flags f
          where f.chat_session_id = e.id and f.source = 'crisis') cf on true
        group by e.day, e.variant`,
  );
  return list.map((r) => ({
    day: r.day,
    variant: r.variant,
    counts: {
      conversationsEnded: r.ended,
      conversationMinutes: Number(r.minutes),
      conversationsTipped: r.tipped,
      tipsPaid: r.tips,
      tipStars: r.stars,
      conversationsReported: r.reported,
      crisisFlags: r.flags,
    },
  }));
}

/** Check-ins sent in the window by answer; someone never assigned gets the variant they would be. */
async function checkInCounts(db: Db, w: Window): Promise<Rows> {
  const list = await rows<{
    day: string;
    variant: string | null;
    user_id: string | number | null;
    sent: number;
    better: number;
    same: number;
    worse: number;
  }>(
    db,
    sql`select ${dayOf("c.sent_at")} as day, ea.variant,
          case when ea.variant is null then c.user_id end as user_id,
          count(*)::int as sent,
          count(*) filter (where c.answer = 'better')::int as better,
          count(*) filter (where c.answer = 'same')::int as same,
          count(*) filter (where c.answer = 'worse')::int as worse
        from check_ins c
        left join experiment_assignments ea on ea.user_id = c.user_id and ea.experiment = ${MATCH_EXPERIMENT}
        where c.sent_at >= ${at(w.start)} and c.sent_at < ${at(w.end)}
        group by 1, 2, 3`,
  );
  return list.map((r) => ({
    day: r.day,
    variant: r.variant ?? variantFor(Number(r.user_id)),
    counts: {
      checkInsSent: r.sent,
      checkInsBetter: r.better,
      checkInsSame: r.same,
      checkInsWorse: r.worse,
    },
  }));
}

function emptyByVariant(): Record<KpiVariant, KpiCounts> {
  return { strict: emptyCounts(), soft: emptyCounts(), all: emptyCounts() };
}

function byVariant(counts: Record<KpiVariant, KpiCounts>): Record<KpiVariant, KpiFigures> {
  return { strict: kpiFigures(counts.strict), soft: kpiFigures(counts.soft), all: kpiFigures(counts.all) };
}

export function createKpiService(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;
  const service = {
    /**
     * The figures of every UTC day from the day of `from` to the day of `to` (both included, at most
     * KPI_MAX_DAYS), per variant, and their total. Days without any activity are there with zeros.
     */
    async daily(range: { from: Date; to: Date }): Promise<KpiDailyResult> {
      const { from, to } = range;
      if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || from > to)
        return { ok: false, reason: "bad_range" };
      const start = dayStart(from);
      const end = new Date(dayStart(to).getTime() + DAY_MS);
      const dayCount = Math.round((end.getTime() - start.getTime()) / DAY_MS);
      if (dayCount > KPI_MAX_DAYS) return { ok: false, reason: "too_long" };
      const w: Window = { start, end, now: clock.now() };

      const counts = new Map<string, Record<KpiVariant, KpiCounts>>();
      for (let i = 0; i < dayCount; i++)
        counts.set(utcDay(new Date(start.getTime() + i * DAY_MS)), emptyByVariant());
      const total = emptyByVariant();
      const found = [
        ...(await searchCounts(db, w)),
        ...(await proposalCounts(db, w)),
        ...(await conversationCounts(db, w)),
        ...(await checkInCounts(db, w)),
      ];
      for (const r of found) {
        const day = counts.get(r.day);
        if (!day) continue;
        // Only the two arms have their own column; anything else (none today) counts in «all».
        const keys: KpiVariant[] =
          r.variant === "strict" || r.variant === "soft" ? [r.variant, "all"] : ["all"];
        for (const key of keys) {
          addCounts(day[key], r.counts);
          addCounts(total[key], r.counts);
        }
      }
      return {
        ok: true,
        from: utcDay(start),
        to: utcDay(new Date(end.getTime() - DAY_MS)),
        asOf: w.now,
        days: [...counts].map(([day, c]) => ({ day, variants: byVariant(c) })),
        total: byVariant(total),
      };
    },

    /** Today (UTC) and the `days − 1` days before it. */
    recent(days: number): Promise<KpiDailyResult> {
      const now = clock.now();
      return service.daily({ from: new Date(now.getTime() - (days - 1) * DAY_MS), to: now });
    },
  };
  return service;
}

export type KpiService = ReturnType<typeof createKpiService>;
