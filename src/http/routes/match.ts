import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { DecisionOutcome, MatchingService } from "../../services/matching/index.ts";
import { type ReplayGuard, requireInternalSignature } from "../auth.ts";
import { errorBody, errorResponses } from "../errors.ts";
import { positiveId } from "../schemas.ts";

export interface MatchRoutesOptions {
  matching: MatchingService;
  secret: string;
  /** Refuses a signed request seen before (shared key-value store in the app). */
  replayGuard?: ReplayGuard;
  /** The same messages the bot sends when people press the buttons. */
  onDecision(outcome: DecisionOutcome): Promise<void>;
}

const security = [{ internalHmac: [] }];

const findBody = z.strictObject({ user_id: positiveId });
const confirmBody = z.strictObject({
  user_id: positiveId,
  match_id: positiveId,
  action: z.enum(["accept", "decline"] satisfies Parameters<MatchingService["decide"]>[2][]),
});

/** What the proposal is after a decision, in the spec's words. */
const PROPOSAL_STATUS = { waiting: "proposed", started: "active", declined: "declined" } as const;

/** The spec's matching endpoints, for other clients of the same services (HMAC-signed internal calls). */
export const matchRoutes: FastifyPluginAsyncZod<MatchRoutesOptions> = async (app, opts) => {
  const auth = requireInternalSignature(opts.secret, Date.now, opts.replayGuard);

  app.post(
    "/match/find",
    {
      preValidation: auth,
      schema: {
        tags: ["match"],
        summary: "Start a search for a person (like /find)",
        security,
        body: findBody,
        response: {
          200: z.object({ queued: z.boolean(), already_searching: z.boolean() }),
          ...errorResponses(400, 401, 404, 409),
        },
      },
    },
    async (request, reply) => {
      const res = await opts.matching.requestSearch(request.body.user_id);
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
        body: confirmBody,
        response: {
          200: z.object({ status: z.enum(Object.values(PROPOSAL_STATUS)) }),
          ...errorResponses(400, 401, 409),
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const outcome = await opts.matching.decide(body.user_id, body.match_id, body.action);
      if (outcome.kind === "stale") {
        return reply.code(409).send(errorBody("stale", "No open proposal with this id for this person"));
      }
      await opts.onDecision(outcome);
      return { status: PROPOSAL_STATUS[outcome.kind] };
    },
  );
};
