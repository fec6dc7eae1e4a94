/**
 * The invoice payload of a tip: names the tip and is signed, so a pre-checkout or payment update that
 * names another tip, session, amount or payer is refused without trusting anything the client sent.
 *
 * Format (ASCII, at most 128 bytes — Telegram's limit for invoice payloads):
 *   t1.<tipId>.<sessionId>.<amount>.<fromUserId>.<mac>
 * numbers in canonical decimal (no sign, no leading zeros), mac = base64url (no padding) of the first
 * 16 bytes of HMAC-SHA256(secret, everything before the last dot). The `t1` prefix versions the format.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export const TIP_PAYLOAD_MAX_BYTES = 128;
export const TIP_PAYLOAD_VERSION = "t1";
/** 128-bit tag: forging needs 2^128 guesses; keeps the payload short. */
const MAC_BYTES = 16;
/** base64url of 16 bytes without padding. */
const MAC_CHARS = 22;
/** A secret shorter than this is a configuration mistake, not a key. */
export const TIP_SECRET_MIN_BYTES = 16;

export interface TipPayload {
  tipId: number;
  sessionId: number;
  amount: number;
  fromUserId: number;
}

export type TipPayloadRejection = "malformed" | "bad_signature" | "too_long";
export type TipPayloadResult = { ok: true; value: TipPayload } | { ok: false; reason: TipPayloadRejection };

const NUMBER = "(0|[1-9][0-9]{0,15})";
const PAYLOAD_PATTERN = new RegExp(
  `^${TIP_PAYLOAD_VERSION}\\.${NUMBER}\\.${NUMBER}\\.${NUMBER}\\.${NUMBER}\\.([A-Za-z0-9_-]{${MAC_CHARS}})$`,
);

function assertSecret(secret: string | Buffer): void {
  if (Buffer.byteLength(secret) < TIP_SECRET_MIN_BYTES) {
    throw new RangeError(`tip payload secret must be at least ${TIP_SECRET_MIN_BYTES} bytes`);
  }
}

function mac(body: string, secret: string | Buffer): string {
  return createHmac("sha256", secret).update(body).digest().subarray(0, MAC_BYTES).toString("base64url");
}

function isPositiveId(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0;
}

export function signTipPayload(value: TipPayload, secret: string | Buffer): string {
  assertSecret(secret);
  const { tipId, sessionId, amount, fromUserId } = value;
  if (![tipId, sessionId, amount, fromUserId].every(isPositiveId)) {
    throw new RangeError("tip payload fields must be positive safe integers");
  }
  const body = [TIP_PAYLOAD_VERSION, tipId, sessionId, amount, fromUserId].join(".");
  // Safe integers have at most 16 digits, so the payload is at most 2 + 4×17 + 23 = 93 bytes.
  return `${body}.${mac(body, secret)}`;
}

export function verifyTipPayload(payload: string, secret: string | Buffer): TipPayloadResult {
  assertSecret(secret);
  if (typeof payload !== "string") return { ok: false, reason: "malformed" };
  if (Buffer.byteLength(payload) > TIP_PAYLOAD_MAX_BYTES) return { ok: false, reason: "too_long" };
  const m = PAYLOAD_PATTERN.exec(payload);
  if (!m) return { ok: false, reason: "malformed" };
  const [tipId, sessionId, amount, fromUserId] = [m[1], m[2], m[3], m[4]].map(Number) as [
    number,
    number,
    number,
    number,
  ];
  if (![tipId, sessionId, amount, fromUserId].every(isPositiveId)) return { ok: false, reason: "malformed" };
  const given = m[5] as string;
  const body = payload.slice(0, payload.length - MAC_CHARS - 1);
  // Compare the encoded tags (fixed length, ASCII): a different spelling of the same bytes is refused too.
  const expected = Buffer.from(mac(body, secret), "ascii");
  if (!timingSafeEqual(expected, Buffer.from(given, "ascii"))) return { ok: false, reason: "bad_signature" };
  return { ok: true, value: { tipId, sessionId, amount, fromUserId } };
}
