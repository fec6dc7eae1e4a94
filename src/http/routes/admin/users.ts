import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import {
  MODERATOR_ACTIONS,
  type ModerationService,
  USER_STATUSES,
  type UserView,
} from "../../../services/moderation/index.ts";
import { errorBody, errorResponses } from "../../errors.ts";
import { bigIdParams, dateTime, nullableDateTime, wordOf } from "../../schemas.ts";
import { adminDoc, iso, page, pagingQuery } from "./shared.ts";

/** The people moderators look at: a list by open reports, and one person's record. */
export interface UserRoutesOptions {
  moderation: ModerationService;
}

const userListItemSchema = z.object({
  id: z.number().int(),
  nickname: z.string().nullable().optional(),
  status: wordOf(USER_STATUSES),
  suspended_until: nullableDateTime.optional(),
  muted_until: nullableDateTime.optional(),
  toxicity_strikes: z.number().int().optional(),
  open_reports_against: z.number().int().optional(),
  created_at: dateTime.optional(),
});

const userSchema = userListItemSchema.omit({ open_reports_against: true }).extend({
  last_seen_at: nullableDateTime.optional(),
  deleted_at: nullableDateTime.optional(),
  reports_against: z
    .object({
      total: z.number().int().optional(),
      open: z.number().int().optional(),
      open_from_distinct_people: z.number().int().optional(),
    })
    .optional(),
  reports_by: z.number().int().optional(),
  sessions: z.number().int().optional(),
  safety_flags: z
    .object({ toxicity: z.number().int().optional(), crisis: z.number().int().optional() })
    .optional(),
  actions: z
    .array(
      z.object({
        id: z.number().int().optional(),
        action: wordOf(MODERATOR_ACTIONS).optional(),
        actor: z.string().optional(),
        reason: z.string().nullable().optional(),
        until: nullableDateTime.optional(),
        created_at: dateTime.optional(),
      }),
    )
    .optional(),
});

const listQuery = z.strictObject({ status: z.enum(USER_STATUSES).optional(), ...pagingQuery });

/** One person as moderators read them: no Telegram id, no messages. */
function toUserReply(user: UserView) {
  return {
    id: user.id,
    nickname: user.nickname,
    status: user.status,
    suspended_until: iso(user.suspendedUntil),
    muted_until: iso(user.mutedUntil),
    toxicity_strikes: user.toxicityStrikes,
    created_at: user.createdAt.toISOString(),
    last_seen_at: iso(user.lastSeenAt),
    deleted_at: iso(user.deletedAt),
    reports_against: {
      total: user.reportsAgainst.total,
      open: user.reportsAgainst.open,
      open_from_distinct_people: user.reportsAgainst.openFromDistinctPeople,
    },
    reports_by: user.reportsBy,
    sessions: user.sessions,
    safety_flags: user.safetyFlags,
    actions: user.actions.map((a) => ({
      id: a.id,
      action: a.action,
      actor: a.actor,
      reason: a.reason,
      until: iso(a.until),
      created_at: a.createdAt.toISOString(),
    })),
  };
}

export const userRoutes: FastifyPluginAsyncZod<UserRoutesOptions> = async (app, { moderation }) => {
  app.get(
    "/admin/users",
    {
      schema: {
        ...adminDoc,
        summary: "People, most open reports first",
        querystring: listQuery,
        response: {
          200: z.object({ items: z.array(userListItemSchema), total: z.number().int() }),
          ...errorResponses(400, 401),
        },
      },
    },
    async (request) => {
      const { status } = request.query;
      const { items, total } = await moderation.listUsers({
        ...(status ? { status } : {}),
        ...page(request.query),
      });
      return {
        total,
        items: items.map((u) => ({
          id: u.id,
          nickname: u.nickname,
          status: u.status,
          suspended_until: iso(u.suspendedUntil),
          muted_until: iso(u.mutedUntil),
          toxicity_strikes: u.toxicityStrikes,
          open_reports_against: u.openReportsAgainst,
          created_at: u.createdAt.toISOString(),
        })),
      };
    },
  );

  app.get(
    "/admin/users/:id",
    {
      schema: {
        ...adminDoc,
        summary:
          "One person: status, strikes, report counts, moderation history (no Telegram id, no messages)",
        params: bigIdParams,
        response: { 200: userSchema, ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const user = await moderation.getUser(request.params.id);
      if (!user) return reply.code(404).send(errorBody("not_found", "No such user"));
      return toUserReply(user);
    },
  );
};
