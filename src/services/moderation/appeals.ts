import { eq } from "drizzle-orm";
import type { Clock } from "../../clock.ts";
import type { Db } from "../../db/client.ts";
import { appeals, moderationActions, users } from "../../db/schema.ts";
import { cleanText, isValidActor, latestSanctionIn, restorePeopleIn } from "./people.ts";
import { APPEAL_TEXT_MAX, isSanctionedAt } from "./rules.ts";

export type AppealResult =
  | { ok: true; appealId: number; moderationActionId: number }
  | {
      ok: false;
      reason: "not_found" | "not_sanctioned" | "empty_text" | "text_too_long" | "already_appealed";
    };

export type DecideAppealResult =
  | {
      ok: true;
      appealId: number;
      userId: number;
      tgId: number | null;
      granted: boolean;
      /** What the grant lifted; null when rejected or when the sanction had already ended or changed. */
      lifted: "unban" | "unsuspend" | null;
    }
  | { ok: false; reason: "not_found" | "already_decided" | "bad_actor" };

export interface AppealView {
  id: number;
  userId: number;
  nickname: string | null;
  userStatus: string;
  text: string | null;
  createdAt: Date;
  action: { id: number; action: string; reason: string | null; until: Date | null; createdAt: Date };
}

/** A sanctioned person asking moderators to look again, and the moderators' answer. */
export function createAppeals(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;
  return {
    /** One appeal per ban or suspension, by the person it is about, while it lasts. */
    async appeal(userId: number, rawText: string): Promise<AppealResult> {
      const text = cleanText(rawText);
      if (text === "") return { ok: false, reason: "empty_text" };
      if ([...text].length > APPEAL_TEXT_MAX) return { ok: false, reason: "text_too_long" };
      const now = clock.now();
      return db.transaction(async (tx): Promise<AppealResult> => {
        const [user] = await tx.select().from(users).where(eq(users.id, userId)).for("no key update");
        if (!user) return { ok: false, reason: "not_found" };
        if (!isSanctionedAt(user, now)) return { ok: false, reason: "not_sanctioned" };
        const sanction = await latestSanctionIn(tx, userId);
        if (!sanction) return { ok: false, reason: "not_sanctioned" };
        const [row] = await tx
          .insert(appeals)
          .values({ userId, moderationActionId: sanction.id, text, createdAt: now })
          .onConflictDoNothing({ target: appeals.moderationActionId })
          .returning({ id: appeals.id });
        if (!row) return { ok: false, reason: "already_appealed" };
        return { ok: true, appealId: row.id, moderationActionId: sanction.id };
      });
    },

    async decideAppeal(
      appealId: number,
      input: { actor: string; grant: boolean },
    ): Promise<DecideAppealResult> {
      if (!isValidActor(input.actor)) return { ok: false, reason: "bad_actor" };
      const now = clock.now();
      return db.transaction(async (tx): Promise<DecideAppealResult> => {
        const [appeal] = await tx.select().from(appeals).where(eq(appeals.id, appealId)).for("update");
        if (!appeal) return { ok: false, reason: "not_found" };
        if (appeal.status !== "open") return { ok: false, reason: "already_decided" };
        const [user] = await tx.select().from(users).where(eq(users.id, appeal.userId)).for("no key update");
        if (!user) return { ok: false, reason: "not_found" };
        await tx
          .update(appeals)
          .set({ status: input.grant ? "granted" : "rejected", decidedAt: now })
          .where(eq(appeals.id, appealId));
        let lifted: "unban" | "unsuspend" | null = null;
        if (input.grant) {
          // Only the sanction appealed against is lifted: not a newer one imposed since.
          const latest = await latestSanctionIn(tx, user.id);
          const current =
            latest?.id === appeal.moderationActionId &&
            ((latest.action === "ban" && user.status === "banned") ||
              (latest.action === "suspend" && user.status === "suspended"));
          if (current && latest) {
            lifted = latest.action === "ban" ? "unban" : "unsuspend";
            const by = { actor: input.actor, action: lifted, reason: `appeal ${appealId} granted` };
            await restorePeopleIn(tx, eq(users.id, user.id), by, now);
          }
        }
        return { ok: true, appealId, userId: user.id, tgId: user.tgId, granted: input.grant, lifted };
      });
    },

    async openAppeals(limit = 100): Promise<AppealView[]> {
      const rows = await db
        .select({
          appeal: appeals,
          action: moderationActions,
          nickname: users.nickname,
          userStatus: users.status,
        })
        .from(appeals)
        .innerJoin(moderationActions, eq(moderationActions.id, appeals.moderationActionId))
        .innerJoin(users, eq(users.id, appeals.userId))
        .where(eq(appeals.status, "open"))
        .orderBy(appeals.createdAt, appeals.id)
        .limit(limit);
      return rows.map((r) => ({
        id: r.appeal.id,
        userId: r.appeal.userId,
        nickname: r.nickname,
        userStatus: r.userStatus,
        text: r.appeal.text,
        createdAt: r.appeal.createdAt,
        action: {
          id: r.action.id,
          action: r.action.action,
          reason: r.action.reason,
          until: r.action.until,
          createdAt: r.action.createdAt,
        },
      }));
    },
  };
}
