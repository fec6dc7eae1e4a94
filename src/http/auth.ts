import { createHmac, timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { errorBody } from "./errors.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** The JSON body's exact text, as signed (see `keepRawJsonBodies`). */
    rawBody?: string;
  }
}

/** JSON bodies keep their raw text too: internal routes verify an HMAC over the exact bytes sent. */
export function keepRawJsonBodies(app: FastifyInstance): void {
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    const text = String(body);
    request.rawBody = text;
    if (text.trim() === "") return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      const err = new Error("Body is not valid JSON") as Error & { statusCode: number };
      err.statusCode = 400;
      done(err, undefined);
    }
  });
}

/** How far a signed request's timestamp may be from now: replayed requests older than this are refused. */
export const SIGNATURE_MAX_SKEW_MS = 5 * 60 * 1000;

/**
 * Internal calls (another adapter of ours, e.g. a Mini App backend) sign the method, the path (with its
 * query), the timestamp and the raw body — `${METHOD}\n${path}\n${timestamp}\n${rawBody}` — with
 * HMAC-SHA256 and INTERNAL_API_SECRET: headers `X-Timestamp` (ms) and `X-Signature` (hex). Signing the
 * method and path means a body signed for one route cannot be replayed against another.
 */
export function signInternalRequest(
  secret: string,
  timestamp: number,
  rawBody: string,
  method: string,
  path: string,
): string {
  return createHmac("sha256", secret)
    .update(`${method.toUpperCase()}\n${path}\n${timestamp}\n${rawBody}`)
    .digest("hex");
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Remembers a signature for the skew window: true the first time, false for a replay. Backed by the
 * shared key-value store in the app (every replica sees it); in-process by default.
 */
export type ReplayGuard = (signature: string, ttlMs: number) => Promise<boolean>;

export function inProcessReplayGuard(now: () => number = Date.now): ReplayGuard {
  const seen = new Map<string, number>();
  return async (signature, ttlMs) => {
    const t = now();
    for (const [k, until] of seen) if (until <= t) seen.delete(k);
    if (seen.has(signature)) return false;
    seen.set(signature, t + ttlMs);
    return true;
  };
}

/**
 * Fastify preValidation hook for internal routes: the signature is checked before the body's schema, so
 * an unsigned caller learns nothing about what a valid body looks like. Needs the raw body: see
 * `keepRawJsonBodies`.
 */
export function requireInternalSignature(
  secret: string,
  now: () => number = Date.now,
  firstUse: ReplayGuard = inProcessReplayGuard(now),
) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const ts = Number(request.headers["x-timestamp"]);
    const sig = request.headers["x-signature"];
    const raw = request.rawBody ?? "";
    if (!Number.isFinite(ts) || typeof sig !== "string" || Math.abs(now() - ts) > SIGNATURE_MAX_SKEW_MS) {
      return reply.code(401).send(errorBody("unauthorized", "Missing, stale or malformed signature"));
    }
    if (!safeEqual(sig, signInternalRequest(secret, ts, raw, request.method, request.url))) {
      return reply.code(401).send(errorBody("unauthorized", "Bad signature"));
    }
    // A valid signature is good once: the same request sent again inside the window is a replay.
    if (!(await firstUse(sig, 2 * SIGNATURE_MAX_SKEW_MS))) {
      return reply.code(401).send(errorBody("unauthorized", "Replayed request"));
    }
  };
}

/** Fastify onRequest hook for admin routes: `Authorization: Bearer <ADMIN_TOKEN>`. */
export function requireAdminToken(token: string) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers.authorization ?? "";
    const given = header.startsWith("Bearer ") ? header.slice(7) : "";
    if (!given || !safeEqual(given, token)) {
      return reply.code(401).send(errorBody("unauthorized", "Admin token required"));
    }
  };
}
