import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import {
  type ModerationService,
  REPORT_REASONS,
  REPORT_STATUSES,
} from "../../../services/moderation/index.ts";
import { errorResponses } from "../../errors.ts";
import { dateTime, nullableDateTime, wordOf } from "../../schemas.ts";
import { adminDoc, iso, page, pagingQuery } from "./shared.ts";

/** The reports people sent, as moderators read them. */
export interface ReportRoutesOptions {
  moderation: ModerationService;
}

const reportSchema = z.object({
  id: z.number().int(),
  session_id: z.number().int().nullable().optional(),
  from_user: z.number().int(),
  to_user: z.number().int(),
  reason: wordOf(REPORT_REASONS),
  status: wordOf(REPORT_STATUSES),
  comment: z.string().nullable().optional(),
  evidence_count: z.number().int().optional(),
  created_at: dateTime,
  closed_at: nullableDateTime.optional(),
});

const listQuery = z.strictObject({
  status: z.enum([...REPORT_STATUSES, "open"]).optional(),
  ...pagingQuery,
});

export const reportRoutes: FastifyPluginAsyncZod<ReportRoutesOptions> = async (app, { moderation }) => {
  app.get(
    "/admin/reports",
    {
      schema: {
        ...adminDoc,
        summary: "Reports, newest first",
        querystring: listQuery,
        response: {
          200: z.object({ items: z.array(reportSchema), total: z.number().int() }),
          ...errorResponses(400, 401),
        },
      },
    },
    async (request) => {
      const { status } = request.query;
      const { items, total } = await moderation.listReports({
        ...(status ? { status } : {}),
        ...page(request.query),
      });
      return {
        total,
        items: items.map((r) => ({
          id: r.id,
          session_id: r.sessionId,
          from_user: r.fromUser,
          to_user: r.toUser,
          reason: r.reason,
          status: r.status,
          comment: r.comment,
          evidence_count: r.evidenceCount,
          created_at: r.createdAt.toISOString(),
          closed_at: iso(r.closedAt),
        })),
      };
    },
  );
};
