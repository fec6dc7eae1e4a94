import { and, eq, inArray, isNotNull, lt, sql } from "drizzle-orm";
import type { Clock } from "../../clock.ts";
import type { Db } from "../../db/client.ts";
import { reportEvidence, reports, users } from "../../db/schema.ts";
import {
  EVIDENCE_RETENTION_MS,
  EVIDENCE_SHOWN_MS,
  type EvidenceOrigin,
  MAX_EVIDENCE_PER_REPORT,
  OPEN_STATUSES,
  type ReportStatus,
} from "./rules.ts";

/**
 * Evidence a reporter forwards: copies in the moderators' chat, taken down before Telegram's 48 h
 * deletion limit, shown again on request, and deleted 30 days after the report closes.
 */
export function createEvidence(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;
  return {
    /** A copy the bot made in the moderators' chat, attached by the reporter while the report is open. */
    async attachEvidence(
      reportId: number,
      reporterId: number,
      modChatMessageId: number,
      source: { sourceMessageId?: number; origin?: EvidenceOrigin } = {},
    ): Promise<
      | { ok: true; evidenceId: number }
      | { ok: false; reason: "not_found" | "report_closed" | "bad_message_id" | "too_many" }
    > {
      if (!Number.isSafeInteger(modChatMessageId) || modChatMessageId <= 0) {
        return { ok: false, reason: "bad_message_id" };
      }
      return db.transaction(async (tx) => {
        const [report] = await tx.select().from(reports).where(eq(reports.id, reportId)).for("update");
        // Someone else's report looks the same as none: no probing of report ids.
        if (!report || report.fromUser !== reporterId) return { ok: false, reason: "not_found" };
        if (!OPEN_STATUSES.includes(report.status as ReportStatus))
          return { ok: false, reason: "report_closed" };
        const [count] = await tx
          .select({ n: sql<number>`count(*)::int` })
          .from(reportEvidence)
          .where(eq(reportEvidence.reportId, reportId));
        if ((count?.n ?? 0) >= MAX_EVIDENCE_PER_REPORT) return { ok: false, reason: "too_many" };
        const [row] = await tx
          .insert(reportEvidence)
          .values({
            reportId,
            modChatMessageId,
            shownAt: clock.now(),
            sourceMessageId: source.sourceMessageId ?? null,
            origin: source.origin ?? "conversation",
            createdAt: clock.now(),
          })
          .returning({ id: reportEvidence.id });
        if (!row) throw new Error("evidence not stored");
        return { ok: true, evidenceId: row.id };
      });
    },

    /** Copies shown to moderators 47 h ago or more: the bot deletes them while Telegram still allows it. */
    async evidenceToTakeDown(limit = 500): Promise<Array<{ id: number; modChatMessageId: number }>> {
      const cutoff = new Date(clock.now().getTime() - EVIDENCE_SHOWN_MS);
      const rows = await db
        .select({ id: reportEvidence.id, modChatMessageId: reportEvidence.modChatMessageId })
        .from(reportEvidence)
        .where(and(isNotNull(reportEvidence.modChatMessageId), lt(reportEvidence.shownAt, cutoff)))
        .orderBy(reportEvidence.id)
        .limit(limit);
      return rows.flatMap((r) =>
        r.modChatMessageId === null ? [] : [{ id: r.id, modChatMessageId: r.modChatMessageId }],
      );
    },

    /** The copies are gone from the moderators' chat; the evidence stays with its report, to be shown again. */
    async markEvidenceTakenDown(ids: number[]): Promise<void> {
      if (ids.length === 0) return;
      await db
        .update(reportEvidence)
        .set({ modChatMessageId: null, shownAt: null })
        .where(inArray(reportEvidence.id, ids));
    },

    /**
     * A report's evidence to show again: where each piece is in the reporter's chat. Empty when the
     * report is gone, has none, or its reporter erased their data (their chat is out of reach).
     */
    async evidenceSources(reportId: number): Promise<{
      reporterTgId: number | null;
      items: Array<{ id: number; sourceMessageId: number; origin: EvidenceOrigin; shown: boolean }>;
    }> {
      const [report] = await db
        .select({ tgId: users.tgId })
        .from(reports)
        .innerJoin(users, eq(users.id, reports.fromUser))
        .where(eq(reports.id, reportId));
      const rows = await db
        .select()
        .from(reportEvidence)
        .where(eq(reportEvidence.reportId, reportId))
        .orderBy(reportEvidence.id);
      return {
        reporterTgId: report?.tgId ?? null,
        items: rows.flatMap((r) =>
          r.sourceMessageId === null
            ? []
            : [
                {
                  id: r.id,
                  sourceMessageId: r.sourceMessageId,
                  origin: r.origin as EvidenceOrigin,
                  shown: r.modChatMessageId !== null,
                },
              ],
        ),
      };
    },

    async markEvidenceShown(id: number, modChatMessageId: number): Promise<void> {
      await db
        .update(reportEvidence)
        .set({ modChatMessageId, shownAt: clock.now() })
        .where(eq(reportEvidence.id, id));
    },

    /** Evidence of reports closed more than 30 days ago: the bot deletes copies still shown, then calls deleteEvidence. */
    async evidenceToDelete(
      limit = 500,
    ): Promise<Array<{ id: number; reportId: number; modChatMessageId: number | null }>> {
      const cutoff = new Date(clock.now().getTime() - EVIDENCE_RETENTION_MS);
      return db
        .select({
          id: reportEvidence.id,
          reportId: reportEvidence.reportId,
          modChatMessageId: reportEvidence.modChatMessageId,
        })
        .from(reportEvidence)
        .innerJoin(reports, eq(reports.id, reportEvidence.reportId))
        .where(and(inArray(reports.status, ["resolved", "dismissed"]), lt(reports.closedAt, cutoff)))
        .orderBy(reportEvidence.id)
        .limit(limit);
    },

    async deleteEvidence(ids: number[]): Promise<number> {
      if (ids.length === 0) return 0;
      const gone = await db
        .delete(reportEvidence)
        .where(inArray(reportEvidence.id, ids))
        .returning({ id: reportEvidence.id });
      return gone.length;
    },
  };
}
