/**
 * Caring contact: after a conversation in which someone showed signs of crisis, they may accept one
 * check-in 24 h later («Как ты сейчас?» — лучше / так же / хуже). Caring-contact follow-ups are one of
 * the few interventions shown to reduce suicide attempts. Only the answer's category is stored.
 */

import { and, asc, eq, inArray, lte } from "drizzle-orm";
import type { Clock } from "../clock.ts";
import type { Db } from "../db/client.ts";
import { checkIns } from "../db/schema.ts";

export const CHECK_IN_AFTER_MS = 24 * 60 * 60 * 1000;
export const CHECK_IN_ANSWERS = ["better", "same", "worse"] as const;
export type CheckInAnswer = (typeof CHECK_IN_ANSWERS)[number];

export interface DueCheckIn {
  id: number;
  userId: number;
}

export type CheckInAnswerResult =
  | { ok: true; answer: CheckInAnswer }
  | { ok: false; reason: "not_found" | "already_answered" | "bad_answer" };

export function createCheckInService(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;
  return {
    /** One check-in per person at a time: a second «да» while one is waiting changes nothing. */
    async schedule(userId: number): Promise<{ scheduled: boolean; dueAt: Date }> {
      const dueAt = new Date(clock.now().getTime() + CHECK_IN_AFTER_MS);
      return db.transaction(async (tx) => {
        const [open] = await tx
          .select({ id: checkIns.id, dueAt: checkIns.dueAt })
          .from(checkIns)
          .where(and(eq(checkIns.userId, userId), eq(checkIns.status, "scheduled")))
          .for("update");
        if (open) return { scheduled: false, dueAt: open.dueAt };
        await tx.insert(checkIns).values({ userId, dueAt, status: "scheduled" });
        return { scheduled: true, dueAt };
      });
    },

    /**
     * Claims check-ins whose time has come (marked sent before anyone is written to, so two workers
     * never send the same one twice; a send that then fails is not retried — one message is the point).
     */
    async claimDue(limit = 100): Promise<DueCheckIn[]> {
      const now = clock.now();
      return db.transaction(async (tx) => {
        const due = await tx
          .select({ id: checkIns.id, userId: checkIns.userId })
          .from(checkIns)
          .where(and(eq(checkIns.status, "scheduled"), lte(checkIns.dueAt, now)))
          .orderBy(asc(checkIns.dueAt))
          .limit(limit)
          .for("update", { skipLocked: true });
        if (due.length === 0) return [];
        await tx
          .update(checkIns)
          .set({ status: "sent", sentAt: now })
          .where(
            inArray(
              checkIns.id,
              due.map((d) => d.id),
            ),
          );
        return due;
      });
    },

    /** The person's answer; only its category is kept. */
    async answer(userId: number, checkInId: number, answer: string): Promise<CheckInAnswerResult> {
      if (!CHECK_IN_ANSWERS.includes(answer as CheckInAnswer)) return { ok: false, reason: "bad_answer" };
      const [row] = await db
        .update(checkIns)
        .set({ status: "answered", answer, answeredAt: clock.now() })
        .where(and(eq(checkIns.id, checkInId), eq(checkIns.userId, userId), eq(checkIns.status, "sent")))
        .returning({ id: checkIns.id });
      if (row) return { ok: true, answer: answer as CheckInAnswer };
      const [exists] = await db
        .select({ status: checkIns.status })
        .from(checkIns)
        .where(and(eq(checkIns.id, checkInId), eq(checkIns.userId, userId)));
      return { ok: false, reason: exists ? "already_answered" : "not_found" };
    },

    /** The person said «не нужно» later, or went away: nothing more is sent. */
    async cancelFor(userId: number): Promise<number> {
      const rows = await db
        .update(checkIns)
        .set({ status: "cancelled" })
        .where(and(eq(checkIns.userId, userId), eq(checkIns.status, "scheduled")))
        .returning({ id: checkIns.id });
      return rows.length;
    },
  };
}

export type CheckInService = ReturnType<typeof createCheckInService>;
