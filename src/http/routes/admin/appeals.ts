import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import {
  type DecideAppealResult,
  MODERATOR_ACTIONS,
  type ModerationService,
  USER_STATUSES,
} from "../../../services/moderation/index.ts";
import { errorBody, errorResponses } from "../../errors.ts";
import { bigIdParams, dateTime, nullableDateTime, wordOf } from "../../schemas.ts";
import { ACTOR, adminDoc, iso, notifyQuietly } from "./shared.ts";

/** Appeals against bans and suspensions: the open ones, and the moderators' answer. */
export interface AppealRoutesOptions {
  moderation: ModerationService;
  onAppealDecision?: (res: Extract<DecideAppealResult, { ok: true }>) => Promise<void>;
}

const appealSchema = z.object({
  id: z.number().int().optional(),
  user_id: z.number().int().optional(),
  nickname: z.string().nullable().optional(),
  user_status: wordOf(USER_STATUSES).optional(),
  text: z.string().nullable().optional(),
  created_at: dateTime.optional(),
  action: z
    .object({
      id: z.number().int().optional(),
      action: wordOf(MODERATOR_ACTIONS).optional(),
      reason: z.string().nullable().optional(),
      until: nullableDateTime.optional(),
      created_at: dateTime.optional(),
    })
    .optional(),
});

const decisionReply = z.object({
  appeal_id: z.number().int(),
  user_id: z.number().int(),
  granted: z.boolean(),
  lifted: z.enum(["unban", "unsuspend"]).nullable().optional().describe("unban, unsuspend or null"),
});

export const appealRoutes: FastifyPluginAsyncZod<AppealRoutesOptions> = async (app, opts) => {
  const { moderation } = opts;

  app.get(
    "/admin/appeals",
    {
      schema: {
        ...adminDoc,
        summary: "Open appeals, oldest first",
        response: { 200: z.object({ items: z.array(appealSchema) }), ...errorResponses(401) },
      },
    },
    async () => {
      const items = await moderation.openAppeals();
      return {
        items: items.map((a) => ({
          id: a.id,
          user_id: a.userId,
          nickname: a.nickname,
          user_status: a.userStatus,
          text: a.text,
          created_at: a.createdAt.toISOString(),
          action: {
            id: a.action.id,
            action: a.action.action,
            reason: a.action.reason,
            until: iso(a.action.until),
            created_at: a.action.createdAt.toISOString(),
          },
        })),
      };
    },
  );

  app.post(
    "/admin/appeals/:id/decision",
    {
      schema: {
        ...adminDoc,
        summary: "Grant (lifts the ban or suspension appealed against) or reject an appeal",
        params: bigIdParams,
        body: z.strictObject({ grant: z.boolean() }),
        response: { 200: decisionReply, ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (request, reply) => {
      const res = await moderation.decideAppeal(request.params.id, {
        actor: ACTOR,
        grant: request.body.grant,
      });
      if (!res.ok) {
        const status = res.reason === "not_found" ? 404 : res.reason === "already_decided" ? 409 : 400;
        return reply.code(status).send(errorBody(res.reason, `Decision refused: ${res.reason}`));
      }
      await notifyQuietly(app.log, () => opts.onAppealDecision?.(res));
      return { appeal_id: res.appealId, user_id: res.userId, granted: res.granted, lifted: res.lifted };
    },
  );
};
