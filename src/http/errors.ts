/**
 * The JSON error contract of every 4xx/5xx: `{ "error": { "code": "...", "message": "...", "details"?: ... } }`.
 * `code` is a stable machine-readable word; `message` is for the operator reading it.
 */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export const errorBodySchema = {
  $id: "ErrorBody",
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: {
        code: { type: "string" },
        message: { type: "string" },
        details: {},
      },
    },
  },
} as const;

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

/** Standard error responses for a route's OpenAPI schema. */
export function errorResponses(...codes: number[]): Record<number, { $ref: string }> {
  return Object.fromEntries(codes.map((c) => [c, { $ref: "ErrorBody#" }]));
}
