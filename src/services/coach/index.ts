import { and, eq, isNull } from "drizzle-orm";
import { users } from "../../db/schema.ts";
import { createHints } from "./hints.ts";
import { createRecording } from "./record.ts";
import { createCoachStore } from "./store.ts";
import type { CoachServiceDeps } from "./types.ts";

export type { CoachMetrics } from "./metrics.ts";
export type { HintProvider } from "./provider.ts";
export * from "./types.ts";

/**
 * The AI coach: private, optional hints for the person answering (never sent on their behalf).
 * Recording relayed messages (record.ts), hints on request (hints.ts, with the model call in
 * model.ts), and here the person's switches; what all of them keep is in store.ts.
 *
 * Privacy: only anonymised text is kept, in the key-value store with a TTL (never PostgreSQL, never
 * logs); `ai_hints` rows hold the kind, source and prompt version of a shown hint, never its text.
 */
export function createCoachService(deps: CoachServiceDeps) {
  const { db, clock, kv } = deps;
  const store = createCoachStore(deps);
  const { key, forgetSession, sharesWords } = store;

  return {
    /** Whether hints may be offered in this session at all (global flag + rollout share). */
    isActiveForSession(sessionId: number): boolean {
      return store.isSessionActive(sessionId);
    },

    /** The person's own switch (/coach). Returns false when there is no such person. */
    async setCoachEnabled(userId: number, on: boolean): Promise<boolean> {
      const rows = await db
        .update(users)
        .set({ coachEnabled: on, updatedAt: clock.now() })
        .where(eq(users.id, userId))
        .returning({ id: users.id });
      return rows.length > 0;
    },

    async isCoachEnabled(userId: number): Promise<boolean> {
      return (await store.enabledAmong([userId])).has(userId);
    },

    /** A model is configured: words may leave the server (with consent); otherwise only templates run. */
    usesModel: deps.provider !== undefined,

    /** The person's answer to «may your words reach the model?»; changeable in /coach and /profile. */
    async setShareConsent(userId: number, on: boolean): Promise<boolean> {
      const rows = await db
        .update(users)
        .set({ coachShareConsent: on, coachShareAsked: true, updatedAt: clock.now() })
        .where(eq(users.id, userId))
        .returning({ id: users.id });
      return rows.length > 0;
    },

    sharesWords,

    /**
     * True exactly once per person: the moment to ask for consent (a model is configured and the
     * coach is active in their conversation). Marks them asked, so the question is never repeated.
     */
    async claimShareQuestion(userId: number, sessionId: number): Promise<boolean> {
      if (deps.provider === undefined || !store.isSessionActive(sessionId)) return false;
      const rows = await db
        .update(users)
        .set({ coachShareAsked: true })
        .where(and(eq(users.id, userId), eq(users.coachShareAsked, false), isNull(users.deletedAt)))
        .returning({ id: users.id });
      return rows.length > 0;
    },

    ...createRecording(store),
    ...createHints(store),

    /** The owner pressed «Вставить подсказку». False when the hint is not theirs. */
    markCopied(hintId: number, userId: number): Promise<boolean> {
      return store.markFlag(hintId, userId, "copied");
    },

    /** The owner sent a message based on the hint. False when the hint is not theirs. */
    markSent(hintId: number, userId: number): Promise<boolean> {
      return store.markFlag(hintId, userId, "sent");
    },

    /** Drops everything kept about the conversation (at /end, on /delete, on a ban). */
    forgetSession,

    /** Drops the contexts of every session this person recently wrote or read in (on /delete). */
    async forgetUser(userId: number): Promise<void> {
      const sessions = new Set((await kv.list(key.userSessions(userId))).map(Number));
      for (const s of sessions) if (Number.isSafeInteger(s)) await forgetSession(s);
      await kv.delete(key.userSessions(userId));
    },
  };
}

export type CoachService = ReturnType<typeof createCoachService>;
