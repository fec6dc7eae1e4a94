/**
 * The weekly digest: once a week, to people who asked for it, how many people new this week would be
 * proposed to them now, and up to three topics they share — never who. Runs are rows in
 * `digest_runs` (outcome, arm, count; whether a search followed within 24 h and whether they
 * stopped), so the KPI is computed from rows and counters, never from anything anyone wrote.
 *
 * The job claims only people whose `digest_next_at` has come (a partial index on opted-in people):
 * no scan of everyone registered. Counting uses the candidate finder — the worker's in-memory index
 * when there is one — with the same filters and scoring as /find.
 */

import { and, eq, gte, inArray, isNull, lte, sql } from "drizzle-orm";
import type { Clock } from "../clock.ts";
import type { Db } from "../db/client.ts";
import { digestRuns, engagements, matchQueue, preferences, users } from "../db/schema.ts";
import {
  DIGEST_EFFECT_WINDOW_MS,
  DIGEST_MAX_COUNT,
  DIGEST_NEW_WITHIN_MS,
  type DigestArm,
  digestArm,
  nextDigestAt,
  topSharedTopics,
} from "../domain/digest.ts";
import { idArray, rows } from "./matching/candidate-facts.ts";
import type { CandidateFinder } from "./matching/candidates.ts";
import { variantFor } from "./matching/experiment.ts";

export const DIGEST_OUTCOMES = ["sent", "held", "empty", "busy", "unreachable", "failed"] as const;
export type DigestOutcome = (typeof DIGEST_OUTCOMES)[number];

export interface DigestMetrics {
  /** Every run by arm and outcome. */
  run(arm: DigestArm, outcome: DigestOutcome): void;
  /** A search opened within 24 h of a digest (or of the control arm's run). */
  searched(arm: DigestArm): void;
  /** «Больше не присылать» from a digest. */
  stopped(): void;
}

const noMetrics: DigestMetrics = { run() {}, searched() {}, stopped() {} };

/** What one due person gets: a message to send, or a run that ends here. */
export type DigestPlan =
  | { send: true; runId: number; userId: number; count: number; topicIds: number[] }
  | { send: false; userId: number; outcome: DigestOutcome | null };

export interface DigestArmStats {
  arm: DigestArm;
  /** Runs that counted someone (sent, or held back in the control arm). */
  eligible: number;
  sent: number;
  searchedWithin24h: number;
  stopped: number;
  empty: number;
  busy: number;
  unreachable: number;
  failed: number;
}

export function createDigestService(deps: {
  db: Db;
  clock: Clock;
  finder: CandidateFinder;
  /** Share of opted-in people who get the digest (0–100); the rest are the control arm. */
  rolloutPercent: number;
  metrics?: DigestMetrics;
}) {
  const { db, clock, finder } = deps;
  const metrics = deps.metrics ?? noMetrics;

  async function record(userId: number, arm: DigestArm, outcome: DigestOutcome, count = 0): Promise<number> {
    const [row] = await db
      .insert(digestRuns)
      .values({ userId, arm, outcome, candidates: count, at: clock.now() })
      .returning({ id: digestRuns.id });
    // A «sent» run is counted once Telegram took the message (sent), or as what went wrong.
    if (outcome !== "sent") metrics.run(arm, outcome);
    return row!.id;
  }

  /** Searching now, or in a proposal or a chat: the digest would be noise. */
  async function isBusy(userId: number, now: Date): Promise<boolean> {
    const [row] = await rows<{ busy: boolean }>(
      db,
      sql`select exists (select 1 from ${matchQueue} where ${matchQueue.userId} = ${userId}
              and ${matchQueue.expiresAt} > ${now.toISOString()}::timestamptz)
          or exists (select 1 from ${engagements} where ${engagements.userId} = ${userId}) as busy`,
    );
    return Boolean(row?.busy);
  }

  return {
    /**
     * People whose digest is due, each moved to their next week at once (in the same transaction,
     * rows locked and skipped by other workers): a run is never repeated, even if its send fails.
     */
    async claimDue(limit = 200): Promise<number[]> {
      const now = clock.now();
      return db.transaction(async (tx) => {
        const due = await tx
          .select({ id: users.id, tz: users.tz, avail: preferences.availLocal })
          .from(users)
          .leftJoin(preferences, eq(preferences.userId, users.id))
          .where(and(eq(users.digestEnabled, true), lte(users.digestNextAt, now)))
          .orderBy(users.digestNextAt)
          .limit(limit)
          .for("update", { of: users, skipLocked: true });
        if (due.length === 0) return [];
        const ids = due.map((d) => d.id);
        const next = due.map((d) =>
          nextDigestAt(now, { availLocal: d.avail ?? 0, zone: d.tz, userId: d.id }).toISOString(),
        );
        await tx.execute(sql`update users u set digest_anchor_at = ${now.toISOString()}::timestamptz,
              digest_next_at = v.next
            from unnest(${idArray(ids)}::bigint[], ${`{${next.join(",")}}`}::timestamptz[]) as v(id, next)
            where u.id = v.id`);
        return ids;
      });
    },

    /** Decides one due person's run: count, arm, and whether a message goes out. */
    async prepare(userId: number): Promise<DigestPlan> {
      const now = clock.now();
      const [u] = await db
        .select({ status: users.status, tgId: users.tgId, unreachable: users.unreachableSince })
        .from(users)
        .where(eq(users.id, userId));
      // Suspended, banned or erased: nothing, not even a row (they are not part of the experiment).
      if (u?.status !== "active" || u.tgId === null) return { send: false, userId, outcome: null };
      const arm = digestArm(userId, deps.rolloutPercent);
      if (u.unreachable) {
        await record(userId, arm, "unreachable");
        return { send: false, userId, outcome: "unreachable" };
      }
      if (await isBusy(userId, now)) {
        await record(userId, arm, "busy");
        return { send: false, userId, outcome: "busy" };
      }
      const found = await finder.findNewCandidates(userId, {
        variant: variantFor(userId),
        now,
        newSince: new Date(now.getTime() - DIGEST_NEW_WITHIN_MS),
        max: DIGEST_MAX_COUNT + 1,
      });
      if (found.length === 0) {
        await record(userId, arm, "empty");
        return { send: false, userId, outcome: "empty" };
      }
      const outcome = arm === "digest" ? "sent" : "held";
      const runId = await record(userId, arm, outcome, found.length);
      if (arm === "control") return { send: false, userId, outcome };
      return {
        send: true,
        runId,
        userId,
        count: found.length,
        topicIds: topSharedTopics(found.map((c) => c.sharedTopicIds)),
      };
    },

    /** What became of a message the plan said to send. */
    async delivered(runId: number, userId: number, result: "sent" | "unreachable" | "failed"): Promise<void> {
      if (result === "unreachable") {
        // Telegram answered 403: the bot is blocked. Skipped from now on, until they write again.
        await db.update(users).set({ unreachableSince: clock.now() }).where(eq(users.id, userId));
      }
      if (result !== "sent")
        await db.update(digestRuns).set({ outcome: result }).where(eq(digestRuns.id, runId));
      metrics.run("digest", result);
    },

    /** A search the person started: the effect of a run in the last 24 h (either arm). */
    async noteSearch(userId: number): Promise<void> {
      const now = clock.now();
      const hit = await db
        .update(digestRuns)
        .set({ searchedAt: now })
        .where(
          and(
            eq(digestRuns.userId, userId),
            inArray(digestRuns.outcome, ["sent", "held"]),
            isNull(digestRuns.searchedAt),
            gte(digestRuns.at, new Date(now.getTime() - DIGEST_EFFECT_WINDOW_MS)),
          ),
        )
        .returning({ arm: digestRuns.arm });
      for (const h of hit) metrics.searched(h.arm as DigestArm);
    },

    /** «Больше не присылать» under a digest: off, and the run records that it was the last. */
    async stopFromRun(userId: number, runId: number): Promise<void> {
      await db.update(users).set({ digestEnabled: false, digestNextAt: null }).where(eq(users.id, userId));
      const hit = await db
        .update(digestRuns)
        .set({ stoppedAt: clock.now() })
        .where(and(eq(digestRuns.id, runId), eq(digestRuns.userId, userId), isNull(digestRuns.stoppedAt)))
        .returning({ id: digestRuns.id });
      if (hit.length > 0) metrics.stopped();
    },

    /** Per arm, over runs since `since`: the digest's KPI from rows (no text, no names). */
    async stats(since: Date): Promise<DigestArmStats[]> {
      const list = await db
        .select({
          arm: digestRuns.arm,
          outcome: digestRuns.outcome,
          n: sql<number>`count(*)::int`,
          searched: sql<number>`count(${digestRuns.searchedAt})::int`,
          stopped: sql<number>`count(${digestRuns.stoppedAt})::int`,
        })
        .from(digestRuns)
        .where(gte(digestRuns.at, since))
        .groupBy(digestRuns.arm, digestRuns.outcome);
      return (["digest", "control"] as const).map((arm) => {
        const of = (o: DigestOutcome) => list.find((r) => r.arm === arm && r.outcome === o);
        const mine = list.filter((r) => r.arm === arm);
        return {
          arm,
          eligible: (of("sent")?.n ?? 0) + (of("held")?.n ?? 0),
          sent: of("sent")?.n ?? 0,
          searchedWithin24h: mine.reduce((s, r) => s + r.searched, 0),
          stopped: mine.reduce((s, r) => s + r.stopped, 0),
          empty: of("empty")?.n ?? 0,
          busy: of("busy")?.n ?? 0,
          unreachable: of("unreachable")?.n ?? 0,
          failed: of("failed")?.n ?? 0,
        };
      });
    },
  };
}

export type DigestService = ReturnType<typeof createDigestService>;
