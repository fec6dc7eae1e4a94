import { createHash } from "node:crypto";
import { and, eq, gte, sql } from "drizzle-orm";
import type { Clock } from "../../clock.ts";
import type { Db } from "../../db/client.ts";
import { experimentAssignments, matches } from "../../db/schema.ts";
import type { MatchVariant } from "../../domain/matching/topics.ts";

/** The strict/soft A/B experiment: who gets which variant, and how each variant's proposals fare. */
export const MATCH_EXPERIMENT = "match_variant";

/** Deterministic A/B assignment: the same person always gets the same variant. */
export function variantFor(userId: number): MatchVariant {
  const byte = createHash("sha256").update(`${MATCH_EXPERIMENT}:${userId}`).digest()[0] ?? 0;
  return byte % 2 === 0 ? "strict" : "soft";
}

/** The person's recorded variant (recorded now if it was not yet). */
export async function assignVariant(db: Db, userId: number): Promise<MatchVariant> {
  const variant = variantFor(userId);
  await db
    .insert(experimentAssignments)
    .values({ userId, experiment: MATCH_EXPERIMENT, variant })
    .onConflictDoNothing();
  const [row] = await db
    .select({ variant: experimentAssignments.variant })
    .from(experimentAssignments)
    .where(
      and(eq(experimentAssignments.userId, userId), eq(experimentAssignments.experiment, MATCH_EXPERIMENT)),
    );
  return (row?.variant ?? variant) as MatchVariant;
}

export function createExperimentStats(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;
  return {
    /**
     * Decided proposals per variant over the last `windowMs` (default 7 days), from the database: the
     * same numbers whichever process asks (decisions happen in the bot, expiries in the worker).
     * Accepted = both accepted (the chat started); withdrawn proposals count as expired.
     */
    async acceptRates(
      windowMs = 7 * 24 * 3600_000,
    ): Promise<Array<{ variant: string; accepted: number; decided: number }>> {
      const since = new Date(clock.now().getTime() - windowMs);
      const rows = await db
        .select({
          variant: matches.variant,
          accepted: sql<number>`count(*) filter (where ${matches.status} in ('active','completed'))::int`,
          decided: sql<number>`count(*) filter (where ${matches.status} <> 'proposed')::int`,
        })
        .from(matches)
        .where(gte(matches.decidedAt, since))
        .groupBy(matches.variant);
      return rows.map((r) => ({ variant: r.variant, accepted: r.accepted, decided: r.decided }));
    },
  };
}
