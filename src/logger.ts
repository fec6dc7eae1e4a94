import { createHmac } from "node:crypto";
import pino, { type DestinationStream, type Logger } from "pino";

export type { Logger };

/**
 * Keys whose values are about people (what they wrote, what they are called) and never reach a log.
 * Telegram ids are not redacted here: code logs them only through `pseudonymize`.
 */
const PERSONAL_KEYS = [
  "text",
  "caption",
  "first_name",
  "last_name",
  "username",
  "nickname",
  "bio",
  "phone_number",
  "email",
  "comment",
  "body",
  "payload",
];

const REDACT_PATHS = [
  ...PERSONAL_KEYS,
  ...PERSONAL_KEYS.map((k) => `*.${k}`),
  // A whole Telegram update or message object must never be logged (errors keep their `message`).
  "update",
  "*.update",
  "req.headers.authorization",
  'req.headers["x-telegram-bot-api-secret-token"]',
];

/** Stable keyed hash of a Telegram id for logs and metrics: the same person is traceable, never identifiable. */
export function createPseudonymizer(secret: string): (id: number | bigint | string) => string {
  return (id) => "u_" + createHmac("sha256", secret).update(String(id)).digest("hex").slice(0, 16);
}

/**
 * Error serializer that keeps what helps an operator (type, message, stack, Telegram error code) and
 * drops what may carry people's data: grammY's GrammyError holds the whole call payload (chat id, text).
 */
function serializeError(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: String(err) };
  const e = err as Error & { error_code?: number; method?: string; description?: string; code?: string };
  const out: Record<string, unknown> = { type: e.name, message: e.message, stack: e.stack };
  if (e.error_code !== undefined) out.error_code = e.error_code;
  if (e.method !== undefined) out.method = e.method;
  if (e.code !== undefined) out.code = e.code;
  if (e.cause instanceof Error) out.cause = serializeError(e.cause);
  return out;
}

export function createLogger(opts: {
  level: string;
  destination?: DestinationStream;
  name?: string;
}): Logger {
  return pino(
    {
      level: opts.level,
      name: opts.name ?? "ty-ne-odin",
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      serializers: { err: serializeError, error: serializeError },
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    opts.destination,
  );
}
