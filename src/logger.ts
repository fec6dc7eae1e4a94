import { createHmac } from "node:crypto";
import { createRequire } from "node:module";
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

/** SQLSTATE codes are five digits or capitals («23505», «42P01»). */
const SQLSTATE = /^[0-9A-Z]{5}$/;

interface MaybeDbError {
  name?: string;
  message?: string;
  code?: unknown;
  query?: unknown;
  params?: unknown;
  detail?: unknown;
  severity?: unknown;
  cause?: unknown;
}

/**
 * A database error: Drizzle's wrapper («Failed query: … params: 987654321») or the driver's error
 * (SQLSTATE code, `detail` such as «Key (tg_id)=(987654321) already exists»). Both can carry ids,
 * nicknames, bios and report text, so they are never logged as they are.
 */
export function isDatabaseError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const e = err as MaybeDbError;
  if (e.name === "DrizzleQueryError" || (e.query !== undefined && e.params !== undefined)) return true;
  if (typeof e.message === "string" && e.message.startsWith("Failed query:")) return true;
  return (
    typeof e.code === "string" &&
    SQLSTATE.test(e.code) &&
    (e.detail !== undefined || e.severity !== undefined)
  );
}

/** The driver's SQLSTATE of a database error, looking through Drizzle's wrapper. */
function sqlState(err: unknown): string | undefined {
  for (
    let e = err as MaybeDbError | undefined, depth = 0;
    e && depth < 5;
    e = e.cause as MaybeDbError, depth++
  ) {
    if (typeof e.code === "string" && SQLSTATE.test(e.code)) return e.code;
  }
  return undefined;
}

/** One line about an error that is safe to store or log anywhere (the dead-letter stream, alerts). */
export function safeErrorLabel(err: unknown): string {
  if (isDatabaseError(err)) return `database error ${sqlState(err) ?? "(no code)"}`;
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

/**
 * Error serializer that keeps what helps an operator (type, message, stack, Telegram error code) and
 * drops what may carry people's data: grammY's GrammyError holds the whole call payload (chat id, text).
 */
export function serializeError(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: String(err) };
  if (isDatabaseError(err)) {
    // A fixed label and the driver's code: the query's parameters and the row's values stay out.
    const frames = (err.stack ?? "").split("\n").filter((l) => /^\s+at /.test(l));
    const label = safeErrorLabel(err);
    return {
      type: "DatabaseError",
      message: label,
      code: sqlState(err),
      stack: [label, ...frames].join("\n"),
    };
  }
  const e = err as Error & { error_code?: number; method?: string; description?: string; code?: string };
  const out: Record<string, unknown> = { type: e.name, message: e.message, stack: e.stack };
  if (e.error_code !== undefined) out.error_code = e.error_code;
  if (e.method !== undefined) out.method = e.method;
  if (e.code !== undefined) out.code = e.code;
  if (e.cause instanceof Error) out.cause = serializeError(e.cause);
  return out;
}

/**
 * Readable lines for a person at a terminal: pino-pretty in this process (no worker thread), loaded
 * only when wanted. It is a development dependency, so a production image without it gets JSON.
 */
function prettyStream(): DestinationStream | undefined {
  try {
    const pretty = createRequire(import.meta.url)("pino-pretty") as (opts: object) => DestinationStream;
    return pretty({ colorize: true, translateTime: "SYS:HH:MM:ss", ignore: "pid,hostname,name", sync: true });
  } catch {
    return undefined;
  }
}

/** Where log lines go: the given stream, or stdout as JSON or, for a terminal, as readable lines. */
function logDestination(format: "auto" | "json" | "pretty", given?: DestinationStream) {
  if (given) return given;
  const wantsPretty = format === "pretty" || (format === "auto" && process.stdout.isTTY === true);
  return wantsPretty ? prettyStream() : undefined;
}

export function createLogger(opts: {
  level: string;
  destination?: DestinationStream;
  name?: string;
  format?: "auto" | "json" | "pretty";
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
    logDestination(opts.format ?? "json", opts.destination),
  );
}
