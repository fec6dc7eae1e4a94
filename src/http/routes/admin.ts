import type { FastifyPluginAsync, FastifyReply } from "fastify";
import type {
  ActResult,
  DecideAppealResult,
  ModerationService,
  ModeratorAction,
  ReportStatus,
  UserStatus,
} from "../../services/moderation/index.ts";
import type { SosEntry, SosInput, SosService, SosWriteResult } from "../../services/sos.ts";
import { requireAdminToken } from "../auth.ts";
import { errorBody, errorResponses } from "../errors.ts";

export interface AdminRoutesOptions {
  token: string;
  moderation: ModerationService;
  sos: SosService;
  /** For the stale flag of SOS entries; defaults to the SOS service's clock. */
  now?: () => Date;
  /** Tells the people concerned through the bot (absent when this process has no bot). */
  onAct?: (res: Extract<ActResult, { ok: true }>) => Promise<void>;
  onAppealDecision?: (res: Extract<DecideAppealResult, { ok: true }>) => Promise<void>;
}

/** Moderators act as "admin" through this API; the bot's moderator commands use pseudonyms. */
const ACTOR = "admin";
const tags = ["admin"];
const security = [{ adminToken: [] }];
const MAX_PAGE = 100;

const dateTime = { type: "string", format: "date-time" } as const;
const nullableDateTime = { type: "string", format: "date-time", nullable: true } as const;
const nullableString = { type: "string", nullable: true } as const;
const idParams = {
  type: "object",
  required: ["id"],
  additionalProperties: false,
  properties: { id: { type: "string", pattern: "^[1-9][0-9]{0,14}$" } },
} as const;
/** SOS ids are 32-bit serials: longer ids are refused here rather than overflowing in SQL. */
const sosIdParams = {
  type: "object",
  required: ["id"],
  additionalProperties: false,
  properties: { id: { type: "string", pattern: "^[1-9][0-9]{0,8}$" } },
} as const;
const paging = {
  limit: { type: "string", pattern: "^[0-9]{1,3}$", description: `1–${MAX_PAGE}, default 50` },
  offset: { type: "string", pattern: "^[0-9]{1,9}$", description: "default 0" },
} as const;

const actionBody = {
  type: "object",
  required: ["action"],
  additionalProperties: false,
  properties: {
    action: { type: "string", enum: ["dismiss", "warn", "suspend", "ban", "unban", "unsuspend"] },
    reason: { type: "string", maxLength: 500 },
    days: { type: "integer", minimum: 1, maximum: 365, description: "suspend only; default 7" },
  },
} as const;

const actionResponse = {
  type: "object",
  required: ["action_id", "action", "target_user_id"],
  properties: {
    action_id: { type: "integer" },
    action: { type: "string" },
    target_user_id: { type: "integer" },
    until: nullableDateTime,
    report_id: { type: "integer", nullable: true },
    report_status: nullableString,
    lifted_suspension: { type: "boolean" },
    ended_session_id: { type: "integer", nullable: true },
  },
} as const;

const reportSchema = {
  type: "object",
  required: ["id", "from_user", "to_user", "reason", "status", "created_at"],
  properties: {
    id: { type: "integer" },
    session_id: { type: "integer", nullable: true },
    from_user: { type: "integer" },
    to_user: { type: "integer" },
    reason: { type: "string" },
    status: { type: "string" },
    comment: nullableString,
    evidence_count: { type: "integer" },
    created_at: dateTime,
    closed_at: nullableDateTime,
  },
} as const;

const userListItemSchema = {
  type: "object",
  required: ["id", "status"],
  properties: {
    id: { type: "integer" },
    nickname: nullableString,
    status: { type: "string" },
    suspended_until: nullableDateTime,
    muted_until: nullableDateTime,
    toxicity_strikes: { type: "integer" },
    open_reports_against: { type: "integer" },
    created_at: dateTime,
  },
} as const;

const userSchema = {
  type: "object",
  required: ["id", "status"],
  properties: {
    id: { type: "integer" },
    nickname: nullableString,
    status: { type: "string" },
    suspended_until: nullableDateTime,
    muted_until: nullableDateTime,
    toxicity_strikes: { type: "integer" },
    created_at: dateTime,
    last_seen_at: nullableDateTime,
    deleted_at: nullableDateTime,
    reports_against: {
      type: "object",
      properties: {
        total: { type: "integer" },
        open: { type: "integer" },
        open_from_distinct_people: { type: "integer" },
      },
    },
    reports_by: { type: "integer" },
    sessions: { type: "integer" },
    safety_flags: {
      type: "object",
      properties: { toxicity: { type: "integer" }, crisis: { type: "integer" } },
    },
    actions: {
      type: "array",
      items: {
        type: "object",
        properties: {
          id: { type: "integer" },
          action: { type: "string" },
          actor: { type: "string" },
          reason: nullableString,
          until: nullableDateTime,
          created_at: dateTime,
        },
      },
    },
  },
} as const;

const appealSchema = {
  type: "object",
  properties: {
    id: { type: "integer" },
    user_id: { type: "integer" },
    nickname: nullableString,
    user_status: { type: "string" },
    text: nullableString,
    created_at: dateTime,
    action: {
      type: "object",
      properties: {
        id: { type: "integer" },
        action: { type: "string" },
        reason: nullableString,
        until: nullableDateTime,
        created_at: dateTime,
      },
    },
  },
} as const;

const sosSchema = {
  type: "object",
  required: ["id", "country", "name", "phone", "source", "verified_at", "active", "needs_verification"],
  properties: {
    id: { type: "integer" },
    country: { type: "string" },
    name: { type: "string" },
    phone: { type: "string" },
    description: nullableString,
    hours: nullableString,
    source: { type: "string" },
    verified_at: dateTime,
    sort_order: { type: "integer" },
    kind: { type: "string", enum: ["emergency", "support"] },
    russian_speaking: { type: "boolean" },
    active: { type: "boolean" },
    updated_at: dateTime,
    needs_verification: { type: "boolean", description: "Not verified within 6 months" },
  },
} as const;

const sosFields = {
  country: { type: "string", pattern: "^([A-Z]{2}|[*])$" },
  name: { type: "string", minLength: 1, maxLength: 160 },
  phone: { type: "string", pattern: "^[0-9 +\\-()]{3,64}$" },
  description: { type: "string", maxLength: 400, nullable: true },
  hours: { type: "string", maxLength: 64, nullable: true },
  source: { type: "string", minLength: 1, maxLength: 400 },
  sort_order: { type: "integer", minimum: 0, maximum: 1000 },
  active: { type: "boolean" },
  kind: {
    type: "string",
    enum: ["emergency", "support"],
    description: "emergency (112, ambulance) or a support line",
  },
  russian_speaking: { type: "boolean", description: "The line answers in Russian" },
} as const;

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

function page(query: { limit?: string; offset?: string }): { limit: number; offset: number } | null {
  const limit = query.limit === undefined ? 50 : Number(query.limit);
  const offset = query.offset === undefined ? 0 : Number(query.offset);
  if (limit < 1 || limit > MAX_PAGE) return null;
  return { limit, offset };
}

const ACT_STATUS: Record<Exclude<ActResult, { ok: true }>["reason"], number> = {
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

/**
 * Moderation and SOS administration. Every route needs `Authorization: Bearer <ADMIN_TOKEN>`.
 * Responses never carry Telegram ids or message content.
 */
export const adminRoutes: FastifyPluginAsync<AdminRoutesOptions> = async (app, opts) => {
  const { moderation, sos } = opts;
  app.addHook("onRequest", requireAdminToken(opts.token));

  const sosOut = (e: SosEntry) => ({
    id: e.id,
    country: e.country,
    name: e.name,
    phone: e.phone,
    description: e.description,
    hours: e.hours,
    source: e.source,
    verified_at: iso(e.verifiedAt),
    sort_order: e.sortOrder,
    kind: e.kind,
    russian_speaking: e.russianSpeaking,
    active: e.active,
    updated_at: iso(e.updatedAt),
    needs_verification: sos.needsVerification(e, opts.now?.()),
  });

  const actOut = (res: Extract<ActResult, { ok: true }>) => ({
    action_id: res.actionId,
    action: res.action,
    target_user_id: res.targetUserId,
    until: iso(res.until),
    report_id: res.reportId,
    report_status: res.reportStatus,
    lifted_suspension: res.liftedSuspension,
    ended_session_id: res.endedChat?.sessionId ?? null,
  });

  const sendAct = async (reply: FastifyReply, res: ActResult) => {
    if (!res.ok)
      return reply.code(ACT_STATUS[res.reason]).send(errorBody(res.reason, `Action refused: ${res.reason}`));
    await notify(() => opts.onAct?.(res));
    return reply.send(actOut(res));
  };

  /** The decision is recorded whatever happens to the messages; a failed one is logged, not a 500. */
  const notify = async (send: () => Promise<void> | undefined) => {
    try {
      await send();
    } catch (err) {
      app.log.warn({ err }, "moderation notice not delivered");
    }
  };

  const sendSos = (reply: FastifyReply, res: SosWriteResult, created = false) => {
    if (res.ok) return reply.code(created ? 201 : 200).send(sosOut(res.entry));
    if (res.reason === "invalid")
      return reply.code(400).send(errorBody("bad_request", "Invalid entry", res.problems));
    if (res.reason === "duplicate") {
      return reply
        .code(409)
        .send(errorBody("duplicate", "This country already has this number (maybe inactive)"));
    }
    return reply.code(404).send(errorBody("not_found", "No such SOS entry"));
  };

  app.get(
    "/admin/reports",
    {
      schema: {
        tags,
        security,
        summary: "Reports, newest first",
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: {
            status: { type: "string", enum: ["open", "new", "in_review", "resolved", "dismissed"] },
            ...paging,
          },
        },
        response: {
          200: {
            type: "object",
            required: ["items", "total"],
            properties: { items: { type: "array", items: reportSchema }, total: { type: "integer" } },
          },
          ...errorResponses(400, 401),
        },
      },
    },
    async (request, rawReply) => {
      const reply = rawReply as FastifyReply;
      const q = request.query as { status?: ReportStatus | "open"; limit?: string; offset?: string };
      const p = page(q);
      if (!p) return reply.code(400).send(errorBody("bad_request", `limit must be 1–${MAX_PAGE}`));
      const { items, total } = await moderation.listReports({
        ...(q.status ? { status: q.status } : {}),
        ...p,
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
          created_at: iso(r.createdAt),
          closed_at: iso(r.closedAt),
        })),
      };
    },
  );

  app.post(
    "/admin/reports/:id/actions",
    {
      schema: {
        tags,
        security,
        summary: "Act on the person a report is about (dismiss closes it; warn/suspend/ban resolve it)",
        params: idParams,
        body: actionBody,
        response: { 200: actionResponse, ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (request, rawReply) => {
      const reply = rawReply as FastifyReply;
      const id = Number((request.params as { id: string }).id);
      const body = request.body as { action: ModeratorAction; reason?: string; days?: number };
      const report = await moderation.getReport(id);
      if (!report) return reply.code(404).send(errorBody("not_found", "No such report"));
      const res = await moderation.act({
        actor: ACTOR,
        targetUserId: report.toUser,
        action: body.action,
        reportId: id,
        reason: body.reason ?? null,
        days: body.days ?? null,
      });
      return sendAct(reply, res);
    },
  );

  app.get(
    "/admin/users",
    {
      schema: {
        tags,
        security,
        summary: "People, most open reports first",
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: {
            status: { type: "string", enum: ["active", "suspended", "banned", "deleted"] },
            ...paging,
          },
        },
        response: {
          200: {
            type: "object",
            required: ["items", "total"],
            properties: { items: { type: "array", items: userListItemSchema }, total: { type: "integer" } },
          },
          ...errorResponses(400, 401),
        },
      },
    },
    async (request, rawReply) => {
      const reply = rawReply as FastifyReply;
      const q = request.query as { status?: UserStatus; limit?: string; offset?: string };
      const p = page(q);
      if (!p) return reply.code(400).send(errorBody("bad_request", `limit must be 1–${MAX_PAGE}`));
      const { items, total } = await moderation.listUsers({
        ...(q.status ? { status: q.status } : {}),
        ...p,
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
          created_at: iso(u.createdAt),
        })),
      };
    },
  );

  app.get(
    "/admin/users/:id",
    {
      schema: {
        tags,
        security,
        summary:
          "One person: status, strikes, report counts, moderation history (no Telegram id, no messages)",
        params: idParams,
        response: { 200: userSchema, ...errorResponses(400, 401, 404) },
      },
    },
    async (request, rawReply) => {
      const reply = rawReply as FastifyReply;
      const user = await moderation.getUser(Number((request.params as { id: string }).id));
      if (!user) return reply.code(404).send(errorBody("not_found", "No such user"));
      return {
        id: user.id,
        nickname: user.nickname,
        status: user.status,
        suspended_until: iso(user.suspendedUntil),
        muted_until: iso(user.mutedUntil),
        toxicity_strikes: user.toxicityStrikes,
        created_at: iso(user.createdAt),
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
          created_at: iso(a.createdAt),
        })),
      };
    },
  );

  app.post(
    "/admin/users/:id/actions",
    {
      schema: {
        tags,
        security,
        summary:
          "Warn, suspend, ban, unban or unsuspend a person (dismiss needs a report: use the report route)",
        params: idParams,
        body: actionBody,
        response: { 200: actionResponse, ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (request, rawReply) => {
      const reply = rawReply as FastifyReply;
      const body = request.body as { action: ModeratorAction; reason?: string; days?: number };
      const res = await moderation.act({
        actor: ACTOR,
        targetUserId: Number((request.params as { id: string }).id),
        action: body.action,
        reason: body.reason ?? null,
        days: body.days ?? null,
      });
      return sendAct(reply, res);
    },
  );

  app.get(
    "/admin/appeals",
    {
      schema: {
        tags,
        security,
        summary: "Open appeals, oldest first",
        response: {
          200: {
            type: "object",
            required: ["items"],
            properties: { items: { type: "array", items: appealSchema } },
          },
          ...errorResponses(401),
        },
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
          created_at: iso(a.createdAt),
          action: {
            id: a.action.id,
            action: a.action.action,
            reason: a.action.reason,
            until: iso(a.action.until),
            created_at: iso(a.action.createdAt),
          },
        })),
      };
    },
  );

  app.post(
    "/admin/appeals/:id/decision",
    {
      schema: {
        tags,
        security,
        summary: "Grant (lifts the ban or suspension appealed against) or reject an appeal",
        params: idParams,
        body: {
          type: "object",
          required: ["grant"],
          additionalProperties: false,
          properties: { grant: { type: "boolean" } },
        },
        response: {
          200: {
            type: "object",
            required: ["appeal_id", "user_id", "granted"],
            properties: {
              appeal_id: { type: "integer" },
              user_id: { type: "integer" },
              granted: { type: "boolean" },
              lifted: { type: "string", nullable: true, description: "unban, unsuspend or null" },
            },
          },
          ...errorResponses(400, 401, 404, 409),
        },
      },
    },
    async (request, rawReply) => {
      const reply = rawReply as FastifyReply;
      const res = await moderation.decideAppeal(Number((request.params as { id: string }).id), {
        actor: ACTOR,
        grant: (request.body as { grant: boolean }).grant,
      });
      if (!res.ok) {
        const status = res.reason === "not_found" ? 404 : res.reason === "already_decided" ? 409 : 400;
        return reply.code(status).send(errorBody(res.reason, `Decision refused: ${res.reason}`));
      }
      await notify(() => opts.onAppealDecision?.(res));
      return { appeal_id: res.appealId, user_id: res.userId, granted: res.granted, lifted: res.lifted };
    },
  );

  app.get(
    "/admin/sos",
    {
      schema: {
        tags,
        security,
        summary: "Crisis hotlines (inactive too); stale=true lists only those not verified within 6 months",
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: { stale: { type: "string", enum: ["true", "false"] } },
        },
        response: {
          200: {
            type: "object",
            required: ["items"],
            properties: { items: { type: "array", items: sosSchema } },
          },
          ...errorResponses(400, 401),
        },
      },
    },
    async (request) => {
      const { stale } = request.query as { stale?: "true" | "false" };
      const entries = await sos.list();
      const items = entries.map(sosOut);
      return { items: stale === "true" ? items.filter((e) => e.needs_verification) : items };
    },
  );

  app.post(
    "/admin/sos",
    {
      schema: {
        tags,
        security,
        summary: "Add a hotline; it counts as verified now at the given source",
        body: {
          type: "object",
          required: ["country", "name", "phone", "source"],
          additionalProperties: false,
          properties: sosFields,
        },
        response: { 201: sosSchema, ...errorResponses(400, 401, 409) },
      },
    },
    async (request, rawReply) => {
      const reply = rawReply as FastifyReply;
      return sendSos(reply, await sos.create(toSosInput(request.body as SosBody) as SosInput), true);
    },
  );

  app.patch(
    "/admin/sos/:id",
    {
      schema: {
        tags,
        security,
        summary: "Change a hotline (changing the number keeps the old one as an inactive entry)",
        params: sosIdParams,
        body: { type: "object", additionalProperties: false, minProperties: 1, properties: sosFields },
        response: { 200: sosSchema, ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (request, rawReply) => {
      const reply = rawReply as FastifyReply;
      const id = Number((request.params as { id: string }).id);
      return sendSos(reply, await sos.update(id, toSosInput(request.body as SosBody)));
    },
  );

  app.delete(
    "/admin/sos/:id",
    {
      schema: {
        tags,
        security,
        summary: "Take a hotline out of what people see (kept inactive so the seed does not bring it back)",
        params: sosIdParams,
        response: { 200: sosSchema, ...errorResponses(400, 401, 404) },
      },
    },
    async (request, rawReply) => {
      const reply = rawReply as FastifyReply;
      return sendSos(reply, await sos.remove(Number((request.params as { id: string }).id)));
    },
  );

  app.post(
    "/admin/sos/:id/verify",
    {
      schema: {
        tags,
        security,
        summary: "Record that the number was checked today at `source`",
        params: sosIdParams,
        body: {
          type: "object",
          required: ["source"],
          additionalProperties: false,
          properties: { source: sosFields.source },
        },
        response: { 200: sosSchema, ...errorResponses(400, 401, 404) },
      },
    },
    async (request, rawReply) => {
      const reply = rawReply as FastifyReply;
      const id = Number((request.params as { id: string }).id);
      return sendSos(
        reply,
        await sos.markVerified(id, { source: (request.body as { source: string }).source }),
      );
    },
  );
};

interface SosBody {
  country?: string;
  name?: string;
  phone?: string;
  description?: string | null;
  hours?: string | null;
  source?: string;
  sort_order?: number;
  active?: boolean;
  kind?: "emergency" | "support";
  russian_speaking?: boolean;
}

function toSosInput(body: SosBody): Partial<SosInput> {
  const out: Partial<SosInput> = {};
  if (body.country !== undefined) out.country = body.country;
  if (body.name !== undefined) out.name = body.name;
  if (body.phone !== undefined) out.phone = body.phone;
  if (body.description !== undefined) out.description = body.description;
  if (body.hours !== undefined) out.hours = body.hours;
  if (body.source !== undefined) out.source = body.source;
  if (body.sort_order !== undefined) out.sortOrder = body.sort_order;
  if (body.active !== undefined) out.active = body.active;
  if (body.kind !== undefined) out.kind = body.kind;
  if (body.russian_speaking !== undefined) out.russianSpeaking = body.russian_speaking;
  return out;
}
