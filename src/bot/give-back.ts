import { GrammyError, HttpError } from "grammy";

/**
 * Updates a replica cannot handle right now because something it depends on is down — PostgreSQL,
 * Redis, or Telegram itself (5xx, 429 past our patience, the network) — are given back: the
 * webhook answers 5xx, nothing is said to the person, and Telegram redelivers the update later, in
 * order within its chat. Everything else is the bot's own failure: the person gets an apology and
 * the update is done.
 */
export class GiveBackError extends Error {
  override readonly name = "GiveBackError";
}

/** PostgreSQL: connection exceptions (08…), admin/crash shutdown, cannot connect now. */
const PG_UNAVAILABLE = /^(08...|57P01|57P02|57P03)$/;
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENOTFOUND",
]);
const UNAVAILABLE_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|Connection is closed|max retries per request|Stream isn't writeable|Client has encountered a connection error/i;

/** Which outside dependency made this error, if it is one that comes back by itself. */
export function unavailableDependency(err: unknown): "telegram" | "storage" | null {
  for (let e: unknown = err, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof GiveBackError) return "storage";
    if (e instanceof GrammyError) return e.error_code >= 500 || e.error_code === 429 ? "telegram" : null;
    if (e instanceof HttpError) return "telegram";
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && (PG_UNAVAILABLE.test(code) || NETWORK_CODES.has(code))) return "storage";
    const message = (e as { message?: unknown }).message;
    if (typeof message === "string" && UNAVAILABLE_MESSAGE.test(message)) return "storage";
    if (e instanceof AggregateError && e.errors.some((x) => unavailableDependency(x) !== null))
      return "storage";
  }
  return null;
}

export function isGiveBack(err: unknown): boolean {
  return unavailableDependency(err) !== null;
}

/** The innermost cause's message, short: what a log line needs (not drizzle's whole failed query). */
export function rootCause(err: unknown): string {
  let e: unknown = err;
  for (let depth = 0; depth < 6 && (e as { cause?: unknown })?.cause; depth++)
    e = (e as { cause: unknown }).cause;
  const message = (e as { message?: unknown })?.message;
  return String(typeof message === "string" && message ? message : e).slice(0, 200);
}
