import { and, eq, gte, type SQL } from "drizzle-orm";
import type { Clock } from "../../clock.ts";
import type { Db } from "../../db/client.ts";
import { safetyFlags } from "../../db/schema.ts";

/** What the safety screen saw in one message: categories and a severity, never the text. */
export interface StrikeInput {
  sessionId: number | null;
  labels: readonly string[];
  severity: number;
}

export function checkSeverity(severity: number): number {
  if (!Number.isInteger(severity) || severity < 0 || severity > 3) {
    throw new RangeError(`severity must be an integer 0..3, got ${severity}`);
  }
  return severity;
}

export function flagLabel(labels: readonly string[], fallback: string): string {
  const first = labels[0]?.trim();
  return (first && first.length > 0 ? first : fallback).slice(0, 32);
}

/** Signs of crisis: flags that alert moderators and change how the bot and the coach answer. */
export function createCrisisFlags(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;

  async function crisisFlagWhere(...conditions: SQL[]): Promise<boolean> {
    const [row] = await db
      .select({ id: safetyFlags.id })
      .from(safetyFlags)
      .where(and(eq(safetyFlags.source, "crisis"), ...conditions))
      .limit(1);
    return row !== undefined;
  }

  return {
    /** Signs of crisis in a person's message: a flag (never the text); severity 3 alerts moderators. */
    async recordCrisisFlag(
      userId: number,
      input: StrikeInput,
    ): Promise<{ flagId: number; alertModerators: boolean }> {
      const severity = checkSeverity(input.severity);
      const [flag] = await db
        .insert(safetyFlags)
        .values({
          chatSessionId: input.sessionId,
          userId,
          label: flagLabel(input.labels, "crisis"),
          severity,
          source: "crisis",
          createdAt: clock.now(),
        })
        .returning({ id: safetyFlags.id });
      if (!flag) throw new Error("flag not stored");
      return { flagId: flag.id, alertModerators: severity >= 3 };
    },

    /** Whether this person showed signs of crisis in this conversation (their /end looks different). */
    crisisInSession(sessionId: number, userId: number): Promise<boolean> {
      return crisisFlagWhere(eq(safetyFlags.chatSessionId, sessionId), eq(safetyFlags.userId, userId));
    },

    /** For the AI coach: whether anyone in this chat showed signs of crisis recently. */
    hasRecentCrisisFlag(sessionId: number, withinMs: number): Promise<boolean> {
      return crisisFlagWhere(
        eq(safetyFlags.chatSessionId, sessionId),
        gte(safetyFlags.createdAt, new Date(clock.now().getTime() - withinMs)),
      );
    },
  };
}
