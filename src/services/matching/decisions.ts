import { eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { chatSessions, engagements, matches, matchQueue, recentContacts } from "../../db/schema.ts";
import { DECLINE_COOLDOWN_MS, type DecisionOutcome, type MatchingMetrics } from "./rules.ts";
import { requeue, type SearchDeps } from "./search.ts";

type MatchRow = typeof matches.$inferSelect;

/** ➖: the proposal ends, both get the 72 h cooldown, the decliner leaves the search. */
async function declineIn(tx: Db, m: MatchRow, userId: number, now: Date): Promise<DecisionOutcome> {
  const side = m.userA === userId ? "a" : "b";
  const other = side === "a" ? m.userB : m.userA;
  await tx
    .update(matches)
    .set({ status: "declined", decidedAt: now, [side === "a" ? "decisionA" : "decisionB"]: "decline" })
    .where(eq(matches.id, m.id));
  await tx.delete(engagements).where(eq(engagements.matchId, m.id));
  const until = new Date(now.getTime() + DECLINE_COOLDOWN_MS);
  // Unlike setCooldownIn (chats.ts), the stored reason stays whatever it was: a decline never relabels it.
  await tx
    .insert(recentContacts)
    .values(
      [
        { userId, otherId: other, until, reason: "declined" as const },
        { userId: other, otherId: userId, until, reason: "declined" as const },
      ].sort((x, y) => x.userId - y.userId),
    )
    .onConflictDoUpdate({
      target: [recentContacts.userId, recentContacts.otherId],
      set: {
        until: sql`greatest(${recentContacts.until}, excluded.until)`,
        reason: sql`${recentContacts.reason}`,
      },
    });
  // The one who declined leaves the search; the other goes back to it if they were searching
  // or had already said yes (someone who only opted in and said nothing is not put in a queue).
  await tx.delete(matchQueue).where(eq(matchQueue.userId, userId));
  const [otherQueued] = await tx.select().from(matchQueue).where(eq(matchQueue.userId, other));
  const otherAccepted = (side === "a" ? m.decisionB : m.decisionA) === "accept";
  return {
    kind: "declined",
    matchId: m.id,
    declinedBy: userId,
    other,
    otherRequeued: otherQueued !== undefined || otherAccepted,
  };
}

/** ✅: recorded; when both said yes the chat starts and both leave the search. */
async function acceptIn(tx: Db, m: MatchRow, userId: number, now: Date): Promise<DecisionOutcome> {
  const side = m.userA === userId ? "a" : "b";
  const decisionA = side === "a" ? "accept" : m.decisionA;
  const decisionB = side === "b" ? "accept" : m.decisionB;
  if (decisionA === "accept" && decisionB === "accept") {
    await tx
      .update(matches)
      .set({ status: "active", decidedAt: now, decisionA, decisionB })
      .where(eq(matches.id, m.id));
    const [session] = await tx.insert(chatSessions).values({ matchId: m.id, startedAt: now }).returning();
    await tx.delete(matchQueue).where(inArray(matchQueue.userId, [m.userA, m.userB]));
    if (!session) throw new Error("chat session not created");
    return { kind: "started", matchId: m.id, sessionId: session.id, userIds: [m.userA, m.userB] };
  }
  await tx.update(matches).set({ decisionA, decisionB }).where(eq(matches.id, m.id));
  return { kind: "waiting", matchId: m.id };
}

/** Mutual consent: each side's ✅ or ➖ on a proposal, and the start of a chat. */
export function createDecisions(deps: SearchDeps & { metrics: MatchingMetrics }) {
  const { db, clock, metrics } = deps;
  return {
    /** ✅ / ➖ on a proposal. Anything not matching an open proposal of this person is "stale". */
    async decide(userId: number, matchId: number, action: "accept" | "decline"): Promise<DecisionOutcome> {
      const now = clock.now();
      const outcome = await db.transaction(async (tx): Promise<DecisionOutcome> => {
        const [m] = await tx.select().from(matches).where(eq(matches.id, matchId)).for("update");
        if (!m || m.status !== "proposed" || m.expiresAt <= now) return { kind: "stale" };
        if (m.userA !== userId && m.userB !== userId) return { kind: "stale" };
        return action === "decline" ? declineIn(tx, m, userId, now) : acceptIn(tx, m, userId, now);
      });
      const [m] = await db.select({ variant: matches.variant }).from(matches).where(eq(matches.id, matchId));
      if (outcome.kind === "declined") {
        metrics.declined(m?.variant ?? "strict");
        if (outcome.otherRequeued) {
          const [q] = await db.select().from(matchQueue).where(eq(matchQueue.userId, outcome.other));
          await requeue(deps, outcome.other, q?.requeueCount ?? 0);
        }
      }
      if (outcome.kind === "started") metrics.accepted(m?.variant ?? "strict");
      return outcome;
    },
  };
}
