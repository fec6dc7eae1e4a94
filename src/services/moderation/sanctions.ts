import { and, eq, lt } from "drizzle-orm";
import type { Clock } from "../../clock.ts";
import type { Db } from "../../db/client.ts";
import { moderationActions, reports, users } from "../../db/schema.ts";
import {
  type EndedChat,
  endActiveChatIn,
  MET_COOLDOWN_MS,
  type Participant,
  setCooldownIn,
} from "../chats.ts";
import {
  cleanText,
  isValidActor,
  latestSanctionIn,
  openReportersCount,
  restorePeopleIn,
  type WithdrawnProposal,
  withdrawProposalsIn,
} from "./people.ts";
import {
  ACTION_REASON_MAX,
  DEFAULT_SUSPEND_DAYS,
  MAX_SUSPEND_DAYS,
  MODERATOR_ACTIONS,
  type ModeratorAction,
  OPEN_STATUSES,
  type ReportStatus,
} from "./rules.ts";

export type ActRejection =
  | "bad_actor"
  | "bad_action"
  | "bad_days"
  | "reason_too_long"
  | "not_found"
  | "report_not_found"
  | "report_mismatch"
  | "report_closed"
  | "report_required"
  | "user_deleted"
  | "already_banned"
  | "not_banned"
  | "not_suspended";

export type ActResult =
  | {
      ok: true;
      actionId: number;
      action: ModeratorAction;
      targetUserId: number;
      /** To notify the person (bot only; never in admin API responses). */
      targetTgId: number | null;
      until: Date | null;
      reportId: number | null;
      reportStatus: ReportStatus | null;
      reporterId: number | null;
      /** A dismissal brought a system suspension below the threshold and lifted it. */
      liftedSuspension: boolean;
      endedChat: EndedChat | null;
      withdrawnProposals: WithdrawnProposal[];
    }
  | { ok: false; reason: ActRejection };

export interface ActInput {
  actor: string;
  targetUserId: number;
  action: string;
  reportId?: number | null;
  reason?: string | null;
  days?: number | null;
}

type Rejected = { ok: false; reason: ActRejection };
type ReportRow = typeof reports.$inferSelect;
type UserRow = typeof users.$inferSelect;
interface CheckedAct {
  action: ModeratorAction;
  days: number;
  reason: string;
  reportId: number | null;
}

/** What can be refused before the database is asked. */
function checkAct(input: ActInput): CheckedAct | Rejected {
  if (!isValidActor(input.actor)) return { ok: false, reason: "bad_actor" };
  if (!MODERATOR_ACTIONS.includes(input.action as ModeratorAction))
    return { ok: false, reason: "bad_action" };
  const action = input.action as ModeratorAction;
  const days = input.days ?? DEFAULT_SUSPEND_DAYS;
  if (!Number.isInteger(days) || days < 1 || days > MAX_SUSPEND_DAYS)
    return { ok: false, reason: "bad_days" };
  const reason = input.reason == null ? "" : cleanText(input.reason);
  if ([...reason].length > ACTION_REASON_MAX) return { ok: false, reason: "reason_too_long" };
  const reportId = input.reportId ?? null;
  if (action === "dismiss" && reportId === null) return { ok: false, reason: "report_required" };
  return { action, days, reason, reportId };
}

const closesReport = (action: ModeratorAction) =>
  action === "dismiss" || action === "warn" || action === "suspend" || action === "ban";

/** The person (locked) and the report (locked), or why the action does not apply to them. */
async function loadTargetIn(
  tx: Db,
  userId: number,
  act: CheckedAct,
): Promise<{ user: UserRow; report: ReportRow | null } | Rejected> {
  const { action, reportId } = act;
  const [user] = await tx.select().from(users).where(eq(users.id, userId)).for("no key update");
  if (!user) return { ok: false, reason: "not_found" };
  let report: ReportRow | null = null;
  if (reportId !== null) {
    const [r] = await tx.select().from(reports).where(eq(reports.id, reportId)).for("update");
    if (!r) return { ok: false, reason: "report_not_found" };
    if (r.toUser !== user.id) return { ok: false, reason: "report_mismatch" };
    report = r;
  }
  if (report && closesReport(action) && !OPEN_STATUSES.includes(report.status as ReportStatus)) {
    return { ok: false, reason: "report_closed" };
  }
  if (user.status === "deleted" && action !== "dismiss") return { ok: false, reason: "user_deleted" };
  if (action === "suspend" && user.status === "banned") return { ok: false, reason: "already_banned" };
  if (action === "ban" && user.status === "banned") return { ok: false, reason: "already_banned" };
  if (action === "unban" && user.status !== "banned") return { ok: false, reason: "not_banned" };
  if (action === "unsuspend" && user.status !== "suspended") return { ok: false, reason: "not_suspended" };
  return { user, report };
}

/** A suspension or ban: the person's running chat ends (reason 'banned'), their proposals are withdrawn. */
async function imposeIn(
  tx: Db,
  userId: number,
  action: "suspend" | "ban",
  days: number,
  now: Date,
): Promise<{ until: Date | null; endedChat: EndedChat | null; withdrawn: WithdrawnProposal[] }> {
  const until = action === "suspend" ? new Date(now.getTime() + days * 24 * 3600_000) : null;
  await tx
    .update(users)
    .set({ status: action === "ban" ? "banned" : "suspended", suspendedUntil: until, updatedAt: now })
    .where(eq(users.id, userId));
  let endedChat: EndedChat | null = null;
  const ended = await endActiveChatIn(tx, userId, "banned", now, null);
  if (ended) {
    await setCooldownIn(tx, ended.userA, ended.userB, new Date(now.getTime() + MET_COOLDOWN_MS), "met");
    endedChat = {
      sessionId: ended.sessionId,
      reason: ended.reason,
      endedBy: null,
      participants: ended.participants,
    };
  }
  const withdrawn = await withdrawProposalsIn(tx, userId, now);
  return { until, endedChat, withdrawn };
}

/** After a dismissal: a system suspension with fewer open reporters than the threshold is lifted. */
async function liftSystemSuspensionIn(tx: Db, user: UserRow, threshold: number, now: Date): Promise<boolean> {
  if (user.status !== "suspended" || user.suspendedUntil !== null) return false;
  const sanction = await latestSanctionIn(tx, user.id);
  if (sanction?.actor !== "system" || (await openReportersCount(tx, user.id)) >= threshold) return false;
  const reason = "open reports fell below the threshold";
  await restorePeopleIn(tx, eq(users.id, user.id), { actor: "system", action: "unsuspend", reason }, now);
  return true;
}

/** Moderators' decisions about a person, and suspensions that end by themselves. */
export function createSanctions(deps: { db: Db; clock: Clock; threshold: number }) {
  const { db, clock, threshold } = deps;
  return {
    /**
     * A moderator's decision. suspend/ban/warn resolve the given report, dismiss closes it (and lifts a
     * system suspension that no longer has enough open reports behind it). suspend and ban also end
     * the person's running chat (reason 'banned') and withdraw their open proposals.
     */
    async act(input: ActInput): Promise<ActResult> {
      const checked = checkAct(input);
      if ("ok" in checked) return checked;
      const { action, days, reportId } = checked;
      const reason = checked.reason === "" ? null : checked.reason;
      const now = clock.now();

      return db.transaction(async (tx): Promise<ActResult> => {
        const target = await loadTargetIn(tx, input.targetUserId, checked);
        if ("ok" in target) return target;
        const { user, report } = target;

        let imposed: Awaited<ReturnType<typeof imposeIn>> = { until: null, endedChat: null, withdrawn: [] };
        let actionId: number;
        if (action === "unban" || action === "unsuspend") {
          const by = { actor: input.actor, action, reason, reportId };
          const [restored] = await restorePeopleIn(tx, eq(users.id, user.id), by, now);
          if (!restored) throw new Error("action not stored");
          actionId = restored.actionId;
        } else {
          if (action === "suspend" || action === "ban")
            imposed = await imposeIn(tx, user.id, action, days, now);
          const [row] = await tx
            .insert(moderationActions)
            .values({
              targetUser: user.id,
              actor: input.actor,
              action,
              reason,
              reportId,
              until: imposed.until,
              createdAt: now,
            })
            .returning({ id: moderationActions.id });
          if (!row) throw new Error("action not stored");
          actionId = row.id;
        }

        let reportStatus: ReportStatus | null = report ? (report.status as ReportStatus) : null;
        if (report && closesReport(action)) {
          reportStatus = action === "dismiss" ? "dismissed" : "resolved";
          await tx
            .update(reports)
            .set({ status: reportStatus, closedAt: now })
            .where(eq(reports.id, report.id));
        }
        const liftedSuspension =
          action === "dismiss" && (await liftSystemSuspensionIn(tx, user, threshold, now));

        return {
          ok: true,
          actionId,
          action,
          targetUserId: user.id,
          targetTgId: user.tgId,
          until: imposed.until,
          reportId,
          reportStatus,
          reporterId: report?.fromUser ?? null,
          liftedSuspension,
          endedChat: imposed.endedChat,
          withdrawnProposals: imposed.withdrawn,
        };
      });
    },

    /** Timed suspensions that ran out: people become active again (the bot may tell them). */
    async liftExpiredSuspensions(): Promise<Participant[]> {
      const now = clock.now();
      return db.transaction(async (tx) => {
        const due = and(eq(users.status, "suspended"), lt(users.suspendedUntil, now));
        const by = { actor: "system", action: "unsuspend", reason: "suspension ended" } as const;
        const lifted = await restorePeopleIn(tx, due!, by, now);
        return lifted.map(({ userId, tgId }) => ({ userId, tgId }));
      });
    },
  };
}
