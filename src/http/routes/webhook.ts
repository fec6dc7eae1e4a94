import { timingSafeEqual } from "node:crypto";
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import { errorBody, errorResponses } from "../errors.ts";

export interface WebhookHandler {
  secret: string;
  /** grammY's Fastify webhook callback. */
  handle(request: FastifyRequest, reply: FastifyReply): Promise<unknown>;
}

const SECRET_HEADER = "x-telegram-bot-api-secret-token";

function isSecretValid(given: unknown, expected: string): boolean {
  if (typeof given !== "string") return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export const webhookRoutes: FastifyPluginAsync<{ handler: WebhookHandler }> = async (app, { handler }) => {
  app.post(
    "/telegram/webhook",
    {
      // Updates are small; anything bigger is not from Telegram.
      bodyLimit: 256 * 1024,
      schema: {
        tags: ["telegram"],
        summary: "Telegram updates (webhook mode)",
        headers: {
          type: "object",
          properties: { [SECRET_HEADER]: { type: "string" } },
        },
        body: {
          type: "object",
          required: ["update_id"],
          properties: { update_id: { type: "integer", minimum: 0 } },
          additionalProperties: true,
        },
        response: errorResponses(400, 401, 413),
      },
      // The secret is checked before the body is even validated: strangers learn nothing.
      onRequest: async (request, reply) => {
        if (!isSecretValid(request.headers[SECRET_HEADER], handler.secret)) {
          return reply.code(401).send(errorBody("unauthorized", "Wrong or missing secret token"));
        }
      },
    },
    (request, reply) => handler.handle(request, reply),
  );
};
