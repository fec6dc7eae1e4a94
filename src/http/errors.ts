import type { FastifyError, FastifyInstance } from "fastify";
import { z } from "zod";

/**
 * The JSON error contract of every 4xx/5xx: `{ "error": { "code": "...", "message": "...", "details"?: ... } }`.
 * `code` is a stable machine-readable word; `message` is for the operator reading it.
 */
export const errorBodySchema = z
  .object({
    error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
  })
  .meta({ id: "ErrorBody" });

export type ErrorBody = z.output<typeof errorBodySchema>;

export class HttpProblem extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "HttpProblem";
  }
}

export function errorBody(code: string, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/** Standard error responses for a route's schema (OpenAPI shows them as `$ref: ErrorBody`). */
export function errorResponses<const C extends number>(...codes: C[]): Record<C, typeof errorBodySchema> {
  return Object.fromEntries(codes.map((c) => [c, errorBodySchema])) as Record<C, typeof errorBodySchema>;
}

/** Unknown routes, validation failures, refusals (`HttpProblem`) and crashes all answer with the contract. */
export function answerErrorsWithTheContract(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(errorBody("not_found", `No route ${request.method} ${request.url.split("?")[0]}`));
  });

  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof HttpProblem) {
      return reply.code(err.statusCode).send(errorBody(err.code, err.message, err.details));
    }
    if (err.validation) {
      return reply.code(400).send(
        errorBody(
          "bad_request",
          err.message,
          err.validation.map((v) => ({ path: v.instancePath, message: v.message })),
        ),
      );
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err }, "unhandled error");
      return reply.code(status).send(errorBody("internal", "Internal server error"));
    }
    const code =
      status === 413
        ? "payload_too_large"
        : status === 415
          ? "unsupported_media_type"
          : status === 429
            ? "rate_limited"
            : "bad_request";
    return reply.code(status).send(errorBody(code, err.message));
  });
}
