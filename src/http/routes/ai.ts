import type { FastifyPluginAsync, FastifyReply } from "fastify";
import type { CoachService } from "../../services/coach/index.ts";
import { type ReplayGuard, requireInternalSignature } from "../auth.ts";
import { errorBody, errorResponses } from "../errors.ts";

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
const positiveId = { type: "integer", minimum: 1 } as const;
const hintSchema = {
  type: "object",
  required: ["id", "type", "text", "source"],
  properties: {
    id: { type: "integer" },
    type: { type: "string", enum: ["empathy", "question", "boundary"] },
    text: { type: "string" },
    source: { type: "string", enum: ["template", "model"] },
  },
} as const;

/** Seconds until the limit resets: the next UTC hour or day. */
function retryAfterSeconds(reason: "hourly_cap" | "daily_budget", now = Date.now()): number {
  const period = reason === "hourly_cap" ? 3_600_000 : 86_400_000;
  return Math.max(1, Math.ceil((period - (now % period)) / 1000));
}

/**
 * `POST /ai/hint` — hints for one person, shown only to them (spec: «получить подсказку (скрыто,
 * только отправителю)»). HMAC-signed internal calls, like the match routes.
 */
export const aiRoutes: FastifyPluginAsync<AiRoutesOptions> = async (app, opts) => {
  const auth = requireInternalSignature(opts.secret, Date.now, opts.replayGuard);

  app.post(
    "/ai/hint",
    {
      preValidation: auth,
      schema: {
        tags: ["ai"],
        summary: "Private hints for the person answering in their active chat",
        security,
        body: {
          type: "object",
          required: ["user_id", "session_id"],
          additionalProperties: false,
          properties: { user_id: positiveId, session_id: positiveId },
        },
        response: {
          200: {
            oneOf: [
              {
                type: "object",
                required: ["kind", "hints", "disclosure", "source"],
                properties: {
                  kind: { type: "string", enum: ["hints"] },
                  hints: { type: "array", items: hintSchema },
                  disclosure: { type: "boolean" },
                  source: { type: "string", enum: ["template", "model"] },
                },
              },
              {
                type: "object",
                required: ["kind", "text", "hint_id"],
                properties: {
                  kind: { type: "string", enum: ["crisis_guidance"] },
                  text: { type: "string" },
                  hint_id: { type: "integer" },
                },
              },
            ],
          },
          ...errorResponses(400, 401, 403, 409, 429),
        },
      },
    },
    async (request, rawReply) => {
      const reply = rawReply as FastifyReply;
      const { user_id, session_id } = request.body as { user_id: number; session_id: number };
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
        body: {
          type: "object",
          required: ["user_id", "hint_id", "action"],
          additionalProperties: false,
          properties: {
            user_id: positiveId,
            hint_id: positiveId,
            action: { type: "string", enum: ["copied", "sent"] },
          },
        },
        response: {
          200: { type: "object", required: ["ok"], properties: { ok: { type: "boolean" } } },
          ...errorResponses(400, 401, 404),
        },
      },
    },
    async (request, rawReply) => {
      const reply = rawReply as FastifyReply;
      const body = request.body as { user_id: number; hint_id: number; action: "copied" | "sent" };
      const ok =
        body.action === "copied"
          ? await opts.coach.markCopied(body.hint_id, body.user_id)
          : await opts.coach.markSent(body.hint_id, body.user_id);
      if (!ok) return reply.code(404).send(errorBody("not_found", "No such hint for this person"));
      return { ok: true };
    },
  );
};
