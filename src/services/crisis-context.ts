/**
 * Conversation context for crisis detection: each person's recent risk marks in one conversation
 * (scores and cue names only — never text), in the key-value store with a TTL, dropped at /end and
 * /delete. The rule that adds them up is pure (`domain/safety/context.ts`).
 */

import type { Clock } from "../clock.ts";
import {
  CONTEXT_TTL_MS,
  CONTEXT_WINDOW,
  mayEscalate,
  type RiskMark,
  shouldEscalate,
} from "../domain/safety/context.ts";
import { type DeferWrite, type KeyValue, type KvWrite, writeOrDefer } from "../infra/ports.ts";

interface StoredMark extends RiskMark {
  /** Whose message (our user id). */
  u: number;
}

const key = (sessionId: number) => `risk:${sessionId}`;

export function createCrisisContext(deps: { kv: KeyValue; clock: Clock }) {
  const { kv, clock } = deps;
  return {
    /**
     * Records one message's marks and says whether, read with the same person's earlier messages
     * in this conversation, it should bring crisis support.
     */
    async observe(
      sessionId: number,
      userId: number,
      mark: Omit<RiskMark, "t">,
      defer?: DeferWrite,
    ): Promise<boolean> {
      const now = clock.now().getTime();
      // Most messages are calm: they cannot escalate, so the history is not read for them.
      const history = (mayEscalate(mark) ? await kv.list(key(sessionId)) : [])
        .map((raw) => {
          try {
            return JSON.parse(raw) as StoredMark;
          } catch {
            return null;
          }
        })
        .filter((m): m is StoredMark => m !== null && m.u === userId);
      const current: RiskMark = { ...mark, t: now };
      const escalate = shouldEscalate(history, current, now);
      const stored: StoredMark = {
        u: userId,
        r: Math.round(current.r * 1000) / 1000,
        c: current.c,
        x: current.x || escalate,
        t: now,
      };
      // Both people's marks share one key, so /end drops them with one delete.
      const write: KvWrite = {
        op: "push",
        key: key(sessionId),
        value: JSON.stringify(stored),
        max: CONTEXT_WINDOW * 2,
        ttlMs: CONTEXT_TTL_MS,
      };
      await writeOrDefer(kv, [write], defer);
      return escalate;
    },

    /** The conversation ended (or someone erased their data): nothing of it stays. */
    async forget(sessionId: number): Promise<void> {
      await kv.delete(key(sessionId));
    },
  };
}

export type CrisisContext = ReturnType<typeof createCrisisContext>;
