import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import {
  ACTION_REASON_MAX,
  type ActRejection,
  type ActResult,
  MAX_SUSPEND_DAYS,
  MODERATOR_ACTIONS,
  type ModerationService,
  REPORT_STATUSES,
} from "../../../services/moderation/index.ts";
import { errorBody, errorResponses } from "../../errors.ts";
import { bigIdParams, nullableDateTime, text } from "../../schemas.ts";
import { ACTOR, adminDoc, iso, notifyQuietly } from "./shared.ts";

/** Moderators act on a person: on the one a report is about, or directly. */
export interface ActionRoutesOptions {
  moderation: ModerationService;
  /** Tells the people concerned through the bot (absent when this process has no bot). */
  onAct?: (res: Extract<ActResult, { ok: true }>) => Promise<void>;
}

const actionBody = z.strictObject({
  action: z.enum(MODERATOR_ACTIONS),
  reason: text(ACTION_REASON_MAX).optional(),
  days: z.number().int().min(1).max(MAX_SUSPEND_DAYS).optional().describe("suspend only; default 7"),
});

const actionReply = z.object({
  action_id: z.number().int(),
  action: z.enum(MODERATOR_ACTIONS),
  target_user_id: z.number().int(),
  until: nullableDateTime.optional(),
  report_id: z.number().int().nullable().optional(),
  report_status: z.enum(REPORT_STATUSES).nullable().optional(),
  lifted_suspension: z.boolean().optional(),
  ended_session_id: z.number().int().nullable().optional(),
});

const ACT_STATUS: Record<ActRejection, 400 | 404 | 409> = {
  bad_actor: 400,
  bad_action: 400,
  bad_days: 400,
  reason_too_long: 400,
  report_required: 400,
  not_found: 404,
  report_not_found: 404,
  report_mismatch: 409,
  report_closed: 409,
  user_deleted: 409,
  already_banned: 409,
  not_banned: 409,
  not_suspended: 409,
};

const actionResponses = { 200: actionReply, ...errorResponses(400, 401, 404, 409) };

export const actionRoutes: FastifyPluginAsyncZod<ActionRoutesOptions> = async (app, opts) => {
  const { moderation } = opts;

  /** The answer to an action: the refusal's status and code, or what was done (after telling people). */
  async function answer(res: ActResult) {
    if (!res.ok)
      return { status: ACT_STATUS[res.reason], body: errorBody(res.reason, `Action refused: ${res.reason}`) };
    await notifyQuietly(app.log, () => opts.onAct?.(res));
    return {
      status: 200 as const,
      body: {
        action_id: res.actionId,
        action: res.action,
        target_user_id: res.targetUserId,
        until: iso(res.until),
        report_id: res.reportId,
        report_status: res.reportStatus,
        lifted_suspension: res.liftedSuspension,
        ended_session_id: res.endedChat?.sessionId ?? null,
      },
    };
  }

  app.post(
    "/admin/reports/:id/actions",
    {
      schema: {
        ...adminDoc,
        summary: "Act on the person a report is about (dismiss closes it; warn/suspend/ban resolve it)",
        params: bigIdParams,
        body: actionBody,
        response: actionResponses,
      },
    },
    async (request, reply) => {
      const reportId = request.params.id;
      const { action, reason, days } = request.body;
      const report = await moderation.getReport(reportId);
      if (!report) return reply.code(404).send(errorBody("not_found", "No such report"));
      const res = await moderation.act({
        actor: ACTOR,
        targetUserId: report.toUser,
        action,
        reportId,
        reason: reason ?? null,
        days: days ?? null,
      });
      const { status, body } = await answer(res);
      return reply.code(status).send(body);
    },
  );

  app.post(
    "/admin/users/:id/actions",
    {
      schema: {
        ...adminDoc,
        summary:
          "Warn, suspend, ban, unban or unsuspend a person (dismiss needs a report: use the report route)",
        params: bigIdParams,
        body: actionBody,
        response: actionResponses,
      },
    },
    async (request, reply) => {
      const { action, reason, days } = request.body;
      const res = await moderation.act({
        actor: ACTOR,
        targetUserId: request.params.id,
        action,
        reason: reason ?? null,
        days: days ?? null,
      });
      const { status, body } = await answer(res);
      return reply.code(status).send(body);
    },
  );
};
