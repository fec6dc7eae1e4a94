import { and, eq, gt, inArray, isNull, lt, sql } from "drizzle-orm";
import type { Clock } from "../../clock.ts";
import type { Db } from "../../db/client.ts";
import { engagements, matches, matchQueue, searches } from "../../db/schema.ts";
import type { Stream } from "../../infra/ports.ts";
import type { Profile, ProfileService } from "../profile.ts";
import { assignVariant } from "./experiment.ts";
import { MATCH_STREAM, RETRY_AFTER_MS, SEARCH_TTL_MS, type SearchRefusal } from "./rules.ts";

/**
 * The search: match_queue is the source of truth, the stream only wakes workers. A search lives 24 h
 * and is woken again every RETRY_AFTER_MS until someone is proposed.
 */
export interface SearchDeps {
  db: Db;
  clock: Clock;
  stream: Stream;
}

/** The proposal or chat the person is part of, if any. */
export async function engagementOf(db: Db, userId: number) {
  const [row] = await db
    .select({ matchId: engagements.matchId, status: matches.status })
    .from(engagements)
    .innerJoin(matches, eq(matches.id, engagements.matchId))
    .where(eq(engagements.userId, userId));
  return row ?? null;
}

async function wake(deps: SearchDeps, userId: number): Promise<void> {
  await deps.stream.add(MATCH_STREAM, {
    user_id: String(userId),
    requested_at: String(deps.clock.now().getTime()),
  });
}

/**
 * The first proposal of the searches the two people are running (if they are): `proposed_at` of the
 * `searches` row that the queue row points at (same user, started_at = enqueued_at). Inside the
 * proposal's transaction, so the KPI counts exactly the proposals that were made.
 */
export async function markSearchesProposedIn(tx: Db, userIds: number[], now: Date): Promise<void> {
  await tx
    .update(searches)
    .set({ proposedAt: now })
    .from(matchQueue)
    .where(
      and(
        inArray(matchQueue.userId, userIds),
        eq(searches.userId, matchQueue.userId),
        eq(searches.startedAt, matchQueue.enqueuedAt),
        gt(matchQueue.expiresAt, now),
        isNull(searches.proposedAt),
      ),
    );
}

/** Puts a person back into the search (after a decline by the other, or an expiry they accepted). */
export async function requeue(deps: SearchDeps, userId: number, requeueCount: number): Promise<void> {
  const now = deps.clock.now();
  await deps.db
    .insert(matchQueue)
    .values({
      userId,
      enqueuedAt: now,
      expiresAt: new Date(now.getTime() + SEARCH_TTL_MS),
      scoreReadyAt: now,
      requeueCount,
      variant: await assignVariant(deps.db, userId),
    })
    .onConflictDoUpdate({ target: matchQueue.userId, set: { scoreReadyAt: now, requeueCount } });
  await wake(deps, userId);
}

/** The search queue: /find, cancel, expiry and waking waiting searches (a container of short methods). */
export function createSearch(
  deps: SearchDeps & { profiles: ProfileService; onStarted?: (userId: number) => Promise<void> },
) {
  const { db, clock, profiles } = deps;
  return {
    /** /find: checks everything, records the search, wakes a worker. The profile it read comes back with it. */
    async requestSearch(
      userId: number,
    ): Promise<
      | { ok: true; alreadySearching: boolean; profile: Profile }
      | { ok: false; reason: SearchRefusal; missing?: string[]; until?: Date | null }
    > {
      const user = await profiles.findById(userId);
      if (!user || user.status === "deleted") return { ok: false, reason: "not_registered" };
      const now = clock.now();
      if (user.status === "banned") return { ok: false, reason: "banned" };
      if (user.status === "suspended" && (!user.suspendedUntil || user.suspendedUntil > now)) {
        return { ok: false, reason: "suspended", until: user.suspendedUntil };
      }
      // Independent reads at once; the answers are still checked in the order the person should see them.
      const [profile, engaged, [live]] = await Promise.all([
        profiles.getProfile(userId),
        engagementOf(db, userId),
        db
          .select({ userId: matchQueue.userId })
          .from(matchQueue)
          .where(and(eq(matchQueue.userId, userId), sql`${matchQueue.expiresAt} > ${now}`)),
      ]);
      const missing = profiles.missingForSearch(profile);
      if (missing.length > 0) return { ok: false, reason: "profile_incomplete", missing };
      if (engaged) return { ok: false, reason: engaged.status === "active" ? "in_chat" : "has_proposal" };
      if (live) return { ok: true, alreadySearching: true, profile };
      const variant = await assignVariant(db, userId);
      const fresh = {
        enqueuedAt: now,
        expiresAt: new Date(now.getTime() + SEARCH_TTL_MS),
        scoreReadyAt: now,
        requeueCount: 0,
        variant,
      };
      // A row left behind by an expired search is replaced by the new one; a live row (a second /find
      // racing this one) is left alone. The search is also recorded for the KPI, with the same instant.
      const started = await db.transaction(async (tx) => {
        const [queued] = await tx
          .insert(matchQueue)
          .values({ userId, ...fresh })
          .onConflictDoUpdate({
            target: matchQueue.userId,
            set: fresh,
            setWhere: sql`${matchQueue.expiresAt} <= ${now.toISOString()}::timestamptz`,
          })
          .returning({ userId: matchQueue.userId });
        if (!queued) return false;
        await tx.insert(searches).values({ userId, variant, startedAt: now });
        return true;
      });
      if (!started) return { ok: true, alreadySearching: true, profile };
      await Promise.all([wake(deps, userId), deps.onStarted?.(userId)]);
      return { ok: true, alreadySearching: false, profile };
    },

    async cancelSearch(userId: number): Promise<boolean> {
      const deleted = await db.delete(matchQueue).where(eq(matchQueue.userId, userId)).returning();
      return deleted.length > 0;
    },

    async isSearching(userId: number): Promise<boolean> {
      const [row] = await db.select().from(matchQueue).where(eq(matchQueue.userId, userId));
      return row !== undefined && row.expiresAt > clock.now();
    },

    /** Searches past their 24 h: removed; returns who to tell kindly. */
    async expireSearches(): Promise<number[]> {
      const now = clock.now();
      const gone = await db
        .delete(matchQueue)
        .where(lt(matchQueue.expiresAt, now))
        .returning({ userId: matchQueue.userId });
      return gone.map((g) => g.userId);
    },

    /** Searches waiting for someone new: woken again once their retry time has come. */
    async wakeWaitingSearches(limit = 500): Promise<number> {
      const now = clock.now();
      const due = await db
        .update(matchQueue)
        .set({ scoreReadyAt: new Date(now.getTime() + RETRY_AFTER_MS) })
        .where(
          sql`${matchQueue.userId} in (select ${matchQueue.userId} from ${matchQueue} where ${matchQueue.scoreReadyAt} <= ${now} and ${matchQueue.expiresAt} > ${now} limit ${limit})`,
        )
        .returning({ userId: matchQueue.userId });
      for (const d of due) await wake(deps, d.userId);
      return due.length;
    },

    async queueSize(): Promise<number> {
      const [row] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(matchQueue)
        .where(sql`${matchQueue.expiresAt} > ${clock.now()}`);
      return row?.n ?? 0;
    },
  };
}
