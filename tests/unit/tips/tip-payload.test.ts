import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  signTipPayload,
  TIP_PAYLOAD_MAX_BYTES,
  type TipPayload,
  verifyTipPayload,
} from "../../../src/domain/tip-payload.ts";

const SECRET = "test-secret-0123456789abcdef";
const OTHER_SECRET = "test-secret-0123456789abcdeF";
const VALUE: TipPayload = { tipId: 42, sessionId: 7, amount: 25, fromUserId: 1001 };
const MAX = Number.MAX_SAFE_INTEGER;

/** Replaces one dot-separated part of a payload. */
function withPart(payload: string, index: number, part: string): string {
  const parts = payload.split(".");
  parts[index] = part;
  return parts.join(".");
}

describe("tip payload round trip", () => {
  const values: Array<[string, TipPayload]> = [
    ["small ids", VALUE],
    ["ones", { tipId: 1, sessionId: 1, amount: 1, fromUserId: 1 }],
    ["largest safe ids", { tipId: MAX, sessionId: MAX, amount: 2500, fromUserId: MAX }],
    ["largest ids and amount", { tipId: MAX, sessionId: MAX, amount: MAX, fromUserId: MAX }],
  ];

  it.each(values)("%s: signed payload verifies to the same fields and fits 128 bytes", (_name, value) => {
    const payload = signTipPayload(value, SECRET);
    expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(TIP_PAYLOAD_MAX_BYTES);
    expect(payload).toMatch(/^[\x21-\x7e]+$/);
    expect(verifyTipPayload(payload, SECRET)).toEqual({ ok: true, value });
  });

  it("has the documented format with a 16-byte HMAC-SHA256 tag", () => {
    const payload = signTipPayload(VALUE, SECRET);
    const body = "t1.42.7.25.1001";
    const tag = createHmac("sha256", SECRET).update(body).digest().subarray(0, 16).toString("base64url");
    expect(payload).toBe(`${body}.${tag}`);
  });

  it("is deterministic and differs by secret", () => {
    expect(signTipPayload(VALUE, SECRET)).toBe(signTipPayload(VALUE, SECRET));
    expect(signTipPayload(VALUE, SECRET)).not.toBe(signTipPayload(VALUE, OTHER_SECRET));
  });
});

describe("tampered payloads are refused", () => {
  const payload = signTipPayload(VALUE, SECRET);

  const fields: Array<[string, number, string]> = [
    ["tip id", 1, "43"],
    ["session id", 2, "8"],
    ["amount", 3, "2500"],
    ["amount lowered", 3, "1"],
    ["payer", 4, "1002"],
    ["version", 0, "t2"],
  ];
  it.each(fields)("%s changed → bad signature or malformed", (_name, index, part) => {
    const forged = withPart(payload, index, part);
    const result = verifyTipPayload(forged, SECRET);
    expect(result.ok).toBe(false);
    expect(result).toEqual({ ok: false, reason: index === 0 ? "malformed" : "bad_signature" });
  });

  it("every single-character change of the tag is refused", () => {
    const tagStart = payload.lastIndexOf(".") + 1;
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let tried = 0;
    for (let i = tagStart; i < payload.length; i++) {
      for (const ch of alphabet) {
        if (ch === payload[i]) continue;
        const forged = payload.slice(0, i) + ch + payload.slice(i + 1);
        expect(verifyTipPayload(forged, SECRET)).toEqual({ ok: false, reason: "bad_signature" });
        tried++;
      }
    }
    expect(tried).toBe(22 * 63);
  });

  it("a payload signed with another secret is refused", () => {
    expect(verifyTipPayload(signTipPayload(VALUE, OTHER_SECRET), SECRET)).toEqual({
      ok: false,
      reason: "bad_signature",
    });
  });

  it("fields moved between payloads keep their old signature and are refused", () => {
    const other = signTipPayload({ ...VALUE, tipId: 99, amount: 50 }, SECRET);
    const spliced = withPart(payload, 5, other.split(".")[5]!);
    expect(verifyTipPayload(spliced, SECRET)).toEqual({ ok: false, reason: "bad_signature" });
  });

  const malformed: Array<[string, string]> = [
    ["empty", ""],
    ["tag cut by one character", payload.slice(0, -1)],
    ["tag removed", payload.slice(0, payload.lastIndexOf("."))],
    ["a field missing", withPart(payload, 2, "").replace("..", ".")],
    ["an extra field", payload.replace("t1.", "t1.5.")],
    ["leading zero", withPart(payload, 1, "042")],
    ["zero id", withPart(payload, 1, "0")],
    ["negative amount", withPart(payload, 3, "-25")],
    ["plus sign", withPart(payload, 3, "+25")],
    ["hex amount", withPart(payload, 3, "0x19")],
    ["exponent", withPart(payload, 3, "2e1")],
    ["beyond safe integers", withPart(payload, 1, "9007199254740993")],
    ["padding on the tag", `${payload}==`],
    ["standard base64 characters", withPart(payload, 5, "+".repeat(22))],
    ["whitespace", ` ${payload}`],
    ["trailing newline", `${payload}\n`],
    ["Cyrillic look-alike", payload.replace("t1", "т1")],
    ["only dots", "....."],
  ];
  it.each(malformed)("%s → malformed", (_name, forged) => {
    expect(verifyTipPayload(forged, SECRET)).toEqual({ ok: false, reason: "malformed" });
  });

  const tooLong: Array<[string, string]> = [
    ["129 bytes", "t".repeat(TIP_PAYLOAD_MAX_BYTES + 1)],
    ["a valid payload padded past 128 bytes", payload + ".".repeat(TIP_PAYLOAD_MAX_BYTES)],
    ["short in characters, long in bytes", "ж".repeat(65)],
    ["huge ids", `t1.${"9".repeat(40)}.${"9".repeat(40)}.25.${"9".repeat(40)}.${"A".repeat(22)}`],
  ];
  it.each(tooLong)("%s → too_long", (_name, forged) => {
    expect(verifyTipPayload(forged, SECRET)).toEqual({ ok: false, reason: "too_long" });
  });

  it("exactly 128 bytes is judged on its content, not refused as too long", () => {
    const forged = `t1.1.1.1.${"1".repeat(TIP_PAYLOAD_MAX_BYTES - 9 - 23)}.${"A".repeat(22)}`;
    expect(Buffer.byteLength(forged)).toBe(TIP_PAYLOAD_MAX_BYTES);
    expect(verifyTipPayload(forged, SECRET)).toEqual({ ok: false, reason: "malformed" });
  });
});

describe("signing refuses bad input", () => {
  const bad: Array<[string, Partial<TipPayload>]> = [
    ["zero tip id", { tipId: 0 }],
    ["negative session", { sessionId: -1 }],
    ["fractional amount", { amount: 2.5 }],
    ["unsafe payer id", { fromUserId: MAX + 2 }],
    ["NaN", { tipId: Number.NaN }],
  ];
  it.each(bad)("%s", (_name, patch) => {
    expect(() => signTipPayload({ ...VALUE, ...patch }, SECRET)).toThrow(RangeError);
  });

  it.each([[""], ["short"], ["fifteen-bytes!!"]])("a secret shorter than 16 bytes (%j)", (secret) => {
    expect(() => signTipPayload(VALUE, secret)).toThrow(RangeError);
    expect(() => verifyTipPayload("t1", secret)).toThrow(RangeError);
  });
});
