import type { FastifyPluginAsync, FastifyReply } from "fastify";
import type { DecisionOutcome, MatchingService } from "../../services/matching/index.ts";
import { type ReplayGuard, requireInternalSignature } from "../auth.ts";
import { errorBody, errorResponses } from "../errors.ts";

export interface MatchRoutesOptions {
  matching: MatchingService;
  secret: string;
  /** Refuses a signed request seen before (shared key-value store in the app). */
  replayGuard?: ReplayGuard;
  /** The same messages the bot sends when people press the buttons. */
  onDecision(outcome: DecisionOutcome): Promise<void>;
}

const security = [{ internalHmac: [] }];
const userId = { type: "integer", minimum: 1 } as const;

/** The spec's matching endpoints, for other clients of the same services (HMAC-signed internal calls). */
export const matchRoutes: FastifyPluginAsync<MatchRoutesOptions> = async (app, opts) => {
  const auth = requireInternalSignature(opts.secret, Date.now, opts.replayGuard);

  app.post(
    "/match/find",
    {
      preValidation: auth,
      schema: {
        tags: ["match"],
        summary: "Start a search for a person (like /find)",
        security,
        body: {
          type: "object",
          required: ["user_id"],
          additionalProperties: false,
          properties: { user_id: userId },
        },
        response: {
          200: {
            type: "object",
            required: ["queued", "already_searching"],
            properties: { queued: { type: "boolean" }, already_searching: { type: "boolean" } },
          },
          ...errorResponses(400, 401, 404, 409),
        },
      },
    },
    async (request, rawReply) => {
      const reply = rawReply as FastifyReply;
      const { user_id } = request.body as { user_id: number };
      const res = await opts.matching.requestSearch(user_id);
      if (res.ok) return { queued: true, already_searching: res.alreadySearching };
      if (res.reason === "not_registered")
        return reply.code(404).send(errorBody("not_found", "No such user"));
      return reply
        .code(409)
        .send(
          errorBody(
            res.reason,
            "The person cannot search now",
            res.missing ? { missing: res.missing } : undefined,
          ),
        );
    },
  );

  app.post(
    "/match/confirm",
    {
      preValidation: auth,
      schema: {
        tags: ["match"],
        summary: "Accept or decline a proposal (mutual consent)",
        security,
        body: {
          type: "object",
          required: ["user_id", "match_id", "action"],
          additionalProperties: false,
          properties: {
            user_id: userId,
            match_id: { type: "integer", minimum: 1 },
            action: { type: "string", enum: ["accept", "decline"] },
          },
        },
        response: {
          200: {
            type: "object",
            required: ["status"],
            properties: { status: { type: "string", enum: ["proposed", "active", "declined"] } },
          },
          ...errorResponses(400, 401, 409),
        },
      },
    },
    async (request, rawReply) => {
      const reply = rawReply as FastifyReply;
      const body = request.body as { user_id: number; match_id: number; action: "accept" | "decline" };
      const outcome = await opts.matching.decide(body.user_id, body.match_id, body.action);
      if (outcome.kind === "stale") {
        return reply.code(409).send(errorBody("stale", "No open proposal with this id for this person"));
      }
      await opts.onDecision(outcome);
      return {
        status: outcome.kind === "waiting" ? "proposed" : outcome.kind === "started" ? "active" : "declined",
      };
    },
  );
};
