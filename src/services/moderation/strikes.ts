import { and, eq, gte, sql } from "drizzle-orm";
import type { Clock } from "../../clock.ts";
import type { Db } from "../../db/client.ts";
import { moderationActions, safetyFlags, users } from "../../db/schema.ts";
import {
  MUTE_BASE_MS,
  MUTE_ESCALATION_WINDOW_MS,
  MUTE_MAX_MS,
  STRIKE_WINDOW_MS,
  TOXIC_STRIKES_TO_MUTE,
} from "./rules.ts";
import { checkSeverity, flagLabel, type StrikeInput } from "./safety-flags.ts";

export interface StrikeResult {
  flagId: number;
  /** Toxicity strikes of this person in the last 24 h, this one included. */
  recentStrikes: number;
  muted: boolean;
  until: Date | null;
  /** True exactly when this strike started a mute: moderators get one alert per mute. */
  alertModerators: boolean;
}

/** 1 h for the first mute within 7 days, doubling for each further one, at most 24 h. */
async function muteIn(tx: Db, userId: number, recentStrikes: number, now: Date): Promise<Date> {
  const [mutes] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(moderationActions)
    .where(
      and(
        eq(moderationActions.targetUser, userId),
        eq(moderationActions.action, "mute"),
        gte(moderationActions.createdAt, new Date(now.getTime() - MUTE_ESCALATION_WINDOW_MS)),
      ),
    );
  const ms = Math.min(MUTE_BASE_MS * 2 ** Math.min(mutes?.n ?? 0, 10), MUTE_MAX_MS);
  const until = new Date(now.getTime() + ms);
  await tx.update(users).set({ mutedUntil: until }).where(eq(users.id, userId));
  await tx.insert(moderationActions).values({
    targetUser: userId,
    actor: "system",
    action: "mute",
    reason: `${recentStrikes} toxicity strikes within 24 h`,
    until,
    createdAt: now,
  });
  return until;
}

/** Toxicity strikes for withheld messages, and the mutes they add up to. */
export function createStrikes(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;
  return {
    /**
     * A withheld toxic message. Three strikes within 24 h mute the sender for 1 h, doubling for each
     * further mute within 7 days (at most 24 h); the strike that starts a mute alerts moderators.
     */
    async recordToxicStrike(userId: number, input: StrikeInput): Promise<StrikeResult> {
      const severity = checkSeverity(input.severity);
      const now = clock.now();
      return db.transaction(async (tx) => {
        const [user] = await tx
          .select({ mutedUntil: users.mutedUntil })
          .from(users)
          .where(eq(users.id, userId))
          .for("no key update");
        if (!user) throw new Error(`no user ${userId}`);
        await tx
          .update(users)
          .set({ toxicityStrikes: sql`${users.toxicityStrikes} + 1`, updatedAt: now })
          .where(eq(users.id, userId));
        const [flag] = await tx
          .insert(safetyFlags)
          .values({
            chatSessionId: input.sessionId,
            userId,
            label: flagLabel(input.labels, "toxicity"),
            severity,
            source: "toxicity",
            createdAt: now,
          })
          .returning({ id: safetyFlags.id });
        if (!flag) throw new Error("flag not stored");
        const [count] = await tx
          .select({ n: sql<number>`count(*)::int` })
          .from(safetyFlags)
          .where(
            and(
              eq(safetyFlags.userId, userId),
              eq(safetyFlags.source, "toxicity"),
              gte(safetyFlags.createdAt, new Date(now.getTime() - STRIKE_WINDOW_MS)),
            ),
          );
        const recentStrikes = count?.n ?? 0;
        const flagId = flag.id;
        if (user.mutedUntil && user.mutedUntil > now) {
          return { flagId, recentStrikes, muted: true, until: user.mutedUntil, alertModerators: false };
        }
        if (recentStrikes < TOXIC_STRIKES_TO_MUTE) {
          return { flagId, recentStrikes, muted: false, until: null, alertModerators: false };
        }
        const until = await muteIn(tx, userId, recentStrikes, now);
        return { flagId, recentStrikes, muted: true, until, alertModerators: true };
      });
    },

    async isMuted(userId: number): Promise<boolean> {
      const [row] = await db.select({ mutedUntil: users.mutedUntil }).from(users).where(eq(users.id, userId));
      return row?.mutedUntil != null && row.mutedUntil > clock.now();
    },
  };
}
