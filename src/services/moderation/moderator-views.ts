import { and, asc, desc, eq, gte, inArray, or, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import {
  appeals,
  chatSessions,
  matches,
  moderationActions,
  reports,
  safetyFlags,
  users,
} from "../../db/schema.ts";
import { OPEN_STATUSES, type ReportStatus, type UserStatus } from "./rules.ts";

export interface ReportView {
  id: number;
  sessionId: number | null;
  fromUser: number;
  toUser: number;
  reason: string;
  status: string;
  comment: string | null;
  createdAt: Date;
  closedAt: Date | null;
  evidenceCount: number;
}

export interface UserView {
  id: number;
  nickname: string | null;
  status: string;
  suspendedUntil: Date | null;
  mutedUntil: Date | null;
  toxicityStrikes: number;
  createdAt: Date;
  lastSeenAt: Date | null;
  deletedAt: Date | null;
  reportsAgainst: { total: number; open: number; openFromDistinctPeople: number };
  reportsBy: number;
  sessions: number;
  safetyFlags: { toxicity: number; crisis: number };
  actions: Array<{
    id: number;
    action: string;
    actor: string;
    reason: string | null;
    until: Date | null;
    createdAt: Date;
  }>;
}

export type UserListItem = Pick<
  UserView,
  "id" | "nickname" | "status" | "suspendedUntil" | "mutedUntil" | "toxicityStrikes" | "createdAt"
> & { openReportsAgainst: number };

/** Counts about a person for moderators: reports both ways, sessions, safety flags. */
async function countsAbout(db: Db, userId: number) {
  const [against] = await db
    .select({
      total: sql<number>`count(*)::int`,
      open: sql<number>`count(*) filter (where ${reports.status} in ('new','in_review'))::int`,
      openDistinct: sql<number>`count(distinct ${reports.fromUser}) filter (where ${reports.status} in ('new','in_review'))::int`,
    })
    .from(reports)
    .where(eq(reports.toUser, userId));
  const [by] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(reports)
    .where(eq(reports.fromUser, userId));
  const [sessions] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(chatSessions)
    .innerJoin(matches, eq(matches.id, chatSessions.matchId))
    .where(or(eq(matches.userA, userId), eq(matches.userB, userId)));
  const [flags] = await db
    .select({
      toxicity: sql<number>`count(*) filter (where ${safetyFlags.source} = 'toxicity')::int`,
      crisis: sql<number>`count(*) filter (where ${safetyFlags.source} = 'crisis')::int`,
    })
    .from(safetyFlags)
    .where(eq(safetyFlags.userId, userId));
  return {
    reportsAgainst: {
      total: against?.total ?? 0,
      open: against?.open ?? 0,
      openFromDistinctPeople: against?.openDistinct ?? 0,
    },
    reportsBy: by?.n ?? 0,
    sessions: sessions?.n ?? 0,
    safetyFlags: { toxicity: flags?.toxicity ?? 0, crisis: flags?.crisis ?? 0 },
  };
}

/** What moderators read (admin API, console, moderators' chat): no Telegram ids, no message content. */
export function createModeratorViews(deps: { db: Db }) {
  const { db } = deps;

  async function listReportsWhere(where: SQL | undefined, limit: number, offset: number) {
    const items: ReportView[] = await db
      .select({
        id: reports.id,
        sessionId: reports.chatSessionId,
        fromUser: reports.fromUser,
        toUser: reports.toUser,
        reason: reports.reason,
        status: reports.status,
        comment: reports.comment,
        createdAt: reports.createdAt,
        closedAt: reports.closedAt,
        evidenceCount: sql<number>`(select count(*) from report_evidence e where e.report_id = "reports"."id")::int`,
      })
      .from(reports)
      .where(where)
      .orderBy(desc(reports.createdAt), desc(reports.id))
      .limit(limit)
      .offset(offset);
    const [total] = await db.select({ n: sql<number>`count(*)::int` }).from(reports).where(where);
    return { items, total: total?.n ?? 0 };
  }

  return {
    /**
     * What a person wrote to the moderators, read on a moderator's request: the moderators' chat holds
     * only ids and categories, so the text goes with the report or appeal (and with /delete).
     */
    async writtenText(kind: "report" | "appeal", id: number): Promise<string | null> {
      if (kind === "report") {
        const [row] = await db.select({ text: reports.comment }).from(reports).where(eq(reports.id, id));
        return row?.text ?? null;
      }
      const [row] = await db.select({ text: appeals.text }).from(appeals).where(eq(appeals.id, id));
      return row?.text ?? null;
    },

    async getReport(reportId: number): Promise<ReportView | null> {
      const { items } = await listReportsWhere(eq(reports.id, reportId), 1, 0);
      return items[0] ?? null;
    },

    /** Newest first. status "open" = new or in_review. */
    async listReports(opts: { status?: ReportStatus | "open"; limit: number; offset: number }) {
      const where =
        opts.status === undefined
          ? undefined
          : opts.status === "open"
            ? inArray(reports.status, OPEN_STATUSES)
            : eq(reports.status, opts.status);
      return listReportsWhere(where, opts.limit, opts.offset);
    },

    /** The most open reports from different people against any one person (the report-wave gauge). */
    async openReportsMaxPerPerson(): Promise<number> {
      const [row] = await db.select({ n: sql<number>`coalesce(max(c), 0)::int` }).from(
        db
          .select({ c: sql<number>`count(distinct ${reports.fromUser})`.as("c") })
          .from(reports)
          .where(inArray(reports.status, OPEN_STATUSES))
          .groupBy(reports.toUser)
          .as("per_person"),
      );
      return row?.n ?? 0;
    },

    /** Crisis flags since `since`, most severe first, then oldest: who, the label and when — no text. */
    async recentCrisisFlags(since: Date, limit = 200) {
      return db
        .select({
          id: safetyFlags.id,
          userId: safetyFlags.userId,
          nickname: users.nickname,
          label: safetyFlags.label,
          severity: safetyFlags.severity,
          createdAt: safetyFlags.createdAt,
        })
        .from(safetyFlags)
        .innerJoin(users, eq(users.id, safetyFlags.userId))
        .where(and(eq(safetyFlags.source, "crisis"), gte(safetyFlags.createdAt, since)))
        .orderBy(desc(safetyFlags.severity), asc(safetyFlags.createdAt))
        .limit(limit);
    },

    /** What moderators see about a person: no Telegram id, no message content. */
    async getUser(userId: number): Promise<UserView | null> {
      const [user] = await db.select().from(users).where(eq(users.id, userId));
      if (!user) return null;
      const counts = await countsAbout(db, userId);
      const actions = await db
        .select({
          id: moderationActions.id,
          action: moderationActions.action,
          actor: moderationActions.actor,
          reason: moderationActions.reason,
          until: moderationActions.until,
          createdAt: moderationActions.createdAt,
        })
        .from(moderationActions)
        .where(eq(moderationActions.targetUser, userId))
        .orderBy(desc(moderationActions.createdAt), desc(moderationActions.id))
        .limit(50);
      return {
        id: user.id,
        nickname: user.nickname,
        status: user.status,
        suspendedUntil: user.suspendedUntil,
        mutedUntil: user.mutedUntil,
        toxicityStrikes: user.toxicityStrikes,
        createdAt: user.createdAt,
        lastSeenAt: user.lastSeenAt,
        deletedAt: user.deletedAt,
        ...counts,
        actions,
      };
    },

    /** Most open reports first, then newest. */
    async listUsers(opts: { status?: UserStatus; limit: number; offset: number }) {
      const where = opts.status ? eq(users.status, opts.status) : undefined;
      // Correlated subqueries name the outer table explicitly: drizzle renders a lone column unqualified.
      const openAgainst = sql<number>`(select count(*) from reports r where r.to_user = "users"."id" and r.status in ('new','in_review'))::int`;
      const items: UserListItem[] = await db
        .select({
          id: users.id,
          nickname: users.nickname,
          status: users.status,
          suspendedUntil: users.suspendedUntil,
          mutedUntil: users.mutedUntil,
          toxicityStrikes: users.toxicityStrikes,
          openReportsAgainst: openAgainst,
          createdAt: users.createdAt,
        })
        .from(users)
        .where(where)
        .orderBy(desc(openAgainst), desc(users.id))
        .limit(opts.limit)
        .offset(opts.offset);
      const [total] = await db.select({ n: sql<number>`count(*)::int` }).from(users).where(where);
      return { items, total: total?.n ?? 0 };
    },
  };
}
