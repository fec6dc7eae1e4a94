import { timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { isGiveBack } from "../../bot/give-back.ts";
import { errorBody, errorResponses } from "../errors.ts";

export interface WebhookHandler {
  secret: string;
  /** grammY's Fastify webhook callback. */
  handle(request: FastifyRequest, reply: FastifyReply): Promise<void>;
}

const SECRET_HEADER = "x-telegram-bot-api-secret-token";

/**
 * Waits for the update's handling up to `budgetMs`. Its failure inside the budget is thrown (the
 * webhook answers 503 or 500 and Telegram redelivers); past the budget the webhook is answered anyway
 * and a later failure goes to `onLateFailure` — never an unhandled rejection (grammY's own
 * `webhookCallback` timeout leaves one, which crashed a replica under the chaos test).
 */
export async function answerWithin(
  work: Promise<unknown>,
  budgetMs: number,
  onLateFailure: (err: unknown) => void,
): Promise<"done" | "late"> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), budgetMs);
  });
  try {
    const outcome = await Promise.race([work.then(() => "done" as const), late]);
    if (outcome === "late") work.catch(onLateFailure);
    return outcome;
  } finally {
    clearTimeout(timer);
  }
}

function isSecretValid(given: unknown, expected: string): boolean {
  if (typeof given !== "string") return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export const webhookRoutes: FastifyPluginAsyncZod<{ handler: WebhookHandler }> = async (app, { handler }) => {
  app.post(
    "/telegram/webhook",
    {
      // Updates are small; anything bigger is not from Telegram.
      bodyLimit: 256 * 1024,
      schema: {
        tags: ["telegram"],
        summary: "Telegram updates (webhook mode)",
        // Loose objects: the other headers and the update's own fields pass through untouched.
        headers: z.looseObject({ [SECRET_HEADER]: z.string().optional() }),
        body: z.looseObject({ update_id: z.number().int().min(0) }),
        response: errorResponses(400, 401, 413, 503),
      },
      // The secret is checked before the body is even validated: strangers learn nothing.
      onRequest: async (request, reply) => {
        if (!isSecretValid(request.headers[SECRET_HEADER], handler.secret)) {
          return reply.code(401).send(errorBody("unauthorized", "Wrong or missing secret token"));
        }
      },
    },
    async (request, reply) => {
      try {
        await handler.handle(request, reply);
      } catch (err) {
        // Given back (the bot logged why): 503, so Telegram redelivers it; not an error of ours.
        if (isGiveBack((err as { error?: unknown }).error ?? err)) {
          return reply
            .code(503)
            .send(errorBody("unavailable", "A dependency is down; send this update again later"));
        }
        throw err;
      }
    },
  );
};
