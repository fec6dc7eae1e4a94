import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { HINT_TYPES, type HintSource } from "../../domain/coach/types.ts";
import type { CoachService } from "../../services/coach/index.ts";
import { type ReplayGuard, requireInternalSignature } from "../auth.ts";
import { errorBody, errorResponses } from "../errors.ts";
import { positiveId } from "../schemas.ts";

/** The person's active chat as the coach needs it; null when they have none. */
export interface CoachSession {
  sessionId: number;
  /** Topic slugs of the conversation (the two people's shared topics). */
  topicSlugs: string[];
  /** The relay's safety state for the session, when it keeps one. */
  crisisFlagged?: boolean;
}

export interface AiRoutesOptions {
  coach: CoachService;
  secret: string;
  /** Refuses a signed request seen before (shared key-value store in the app). */
  replayGuard?: ReplayGuard;
  resolveSession(userId: number): Promise<CoachSession | null>;
}

const security = [{ internalHmac: [] }];
const HINT_SOURCES = ["template", "model"] as const satisfies readonly HintSource[];

const hintSchema = z.object({
  id: z.number().int(),
  type: z.enum(HINT_TYPES),
  text: z.string(),
  source: z.enum(HINT_SOURCES),
});

const hintReply = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("hints"),
    hints: z.array(hintSchema),
    disclosure: z.boolean(),
    source: z.enum(HINT_SOURCES),
  }),
  z.object({ kind: z.literal("crisis_guidance"), text: z.string(), hint_id: z.number().int() }),
]);

/** Seconds until the limit resets: the next UTC hour or day. */
function retryAfterSeconds(reason: "hourly_cap" | "daily_budget", now = Date.now()): number {
  const period = reason === "hourly_cap" ? 3_600_000 : 86_400_000;
  return Math.max(1, Math.ceil((period - (now % period)) / 1000));
}

/**
 * `POST /ai/hint` — hints for one person, shown only to them (spec: «получить подсказку (скрыто,
 * только отправителю)»). HMAC-signed internal calls, like the match routes.
 */
export const aiRoutes: FastifyPluginAsyncZod<AiRoutesOptions> = async (app, opts) => {
  const auth = requireInternalSignature(opts.secret, Date.now, opts.replayGuard);

  app.post(
    "/ai/hint",
    {
      preValidation: auth,
      schema: {
        tags: ["ai"],
        summary: "Private hints for the person answering in their active chat",
        security,
        body: z.strictObject({ user_id: positiveId, session_id: positiveId }),
        response: {
          200: hintReply,
          ...errorResponses(400, 401, 403, 409, 429),
        },
      },
    },
    async (request, reply) => {
      const { user_id, session_id } = request.body;
      const session = await opts.resolveSession(user_id);
      if (!session) return reply.code(409).send(errorBody("no_active_chat", "The person has no active chat"));
      if (session.sessionId !== session_id) {
        return reply
          .code(403)
          .send(errorBody("not_your_session", "This session is not the person's active chat"));
      }
      const result = await opts.coach.getHints(session_id, user_id, {
        topicSlugs: session.topicSlugs,
        ...(session.crisisFlagged ? { crisisFlagged: true } : {}),
      });
      if (result.kind === "limited") {
        if (result.reason === "disabled") {
          return reply.code(403).send(errorBody("coach_disabled", "Hints are off for this person or chat"));
        }
        reply.header("retry-after", String(retryAfterSeconds(result.reason)));
        return reply
          .code(429)
          .send(errorBody(result.reason, "Hint limit reached", { reason: result.reason }));
      }
      if (result.kind === "crisis_guidance")
        return { kind: result.kind, text: result.text, hint_id: result.hintId };
      return result;
    },
  );

  app.post(
    "/ai/hint/feedback",
    {
      preValidation: auth,
      schema: {
        tags: ["ai"],
        summary: "The person copied or sent a hint they were shown",
        security,
        body: z.strictObject({
          user_id: positiveId,
          hint_id: positiveId,
          action: z.enum(["copied", "sent"]),
        }),
        response: {
          200: z.object({ ok: z.boolean() }),
          ...errorResponses(400, 401, 404),
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const ok =
        body.action === "copied"
          ? await opts.coach.markCopied(body.hint_id, body.user_id)
          : await opts.coach.markSent(body.hint_id, body.user_id);
      if (!ok) return reply.code(404).send(errorBody("not_found", "No such hint for this person"));
      return { ok: true };
    },
  );
};
