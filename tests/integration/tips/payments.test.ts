import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { users } from "../../../src/db/schema.ts";
import { splitTip, TIP_MAX } from "../../../src/domain/commission.ts";
import { signTipPayload, verifyTipPayload } from "../../../src/domain/tip-payload.ts";
import { type PaymentCheckInput, TIP_REUSE_WINDOW_MS } from "../../../src/services/tips/index.ts";
import { createTestDatabase, type TestDatabase } from "../../helpers/db.ts";
import {
  addSession,
  addUser,
  createHarness,
  HOUR,
  NOW,
  nextChargeId,
  SECRET,
  tipRow,
  tipsOf,
} from "./fixtures.ts";

let t: TestDatabase;
let h: ReturnType<typeof createHarness>;

beforeAll(async () => {
  t = await createTestDatabase();
  h = createHarness(t.db);
});
afterAll(async () => {
  await h.infra.close();
  await t.destroy();
});
beforeEach(() => h.clock.set(NOW));

/** Two people who just finished a chat, ended `endedAgo` before the clock. */
async function pair(endedAgo = HOUR) {
  const payer = await addUser(t.db);
  const peer = await addUser(t.db);
  const sessionId = await addSession(t.db, h.clock.now(), {
    a: payer,
    b: peer,
    startedAgo: endedAgo + HOUR,
    endedAgo,
  });
  return { payer, peer, sessionId };
}

async function pendingTip(amount = 25) {
  const p = await pair();
  const created = await h.service.createTip(p.payer, p.sessionId, amount);
  if (!created.ok) throw new Error(`createTip refused: ${created.reason}`);
  const good: PaymentCheckInput = {
    payload: created.payload,
    currency: "XTR",
    totalAmount: amount,
    fromUserId: p.payer,
  };
  return { ...p, created, good };
}

describe("createTip", () => {
  it("stores a pending tip with the split and a payload that names it", async () => {
    const { payer, peer, sessionId } = await pair();
    const created = await h.service.createTip(payer, sessionId, 50);
    expect(created).toMatchObject({
      ok: true,
      amount: 50,
      ourCommission: 5,
      providerFee: 0,
      recipientShare: 45,
    });
    if (!created.ok) return;
    expect(verifyTipPayload(created.payload, SECRET)).toEqual({
      ok: true,
      value: { tipId: created.tipId, sessionId, amount: 50, fromUserId: payer },
    });
    expect(await tipRow(t.db, created.tipId)).toMatchObject({
      chatSessionId: sessionId,
      fromUser: payer,
      toUser: peer,
      amount: 50,
      currency: "XTR",
      status: "pending",
      ourCommission: 5,
      providerFee: 0,
      recipientShare: 45,
      invoicePayload: created.payload,
      telegramPaymentChargeId: null,
      paidAt: null,
    });
  });

  it.each([[0], [-5], [TIP_MAX + 1], [2.5], [Number.NaN]])(
    "refuses amount %s and stores nothing",
    async (amount) => {
      const { payer, sessionId } = await pair();
      expect(await h.service.createTip(payer, sessionId, amount)).toEqual({
        ok: false,
        reason: "invalid_amount",
      });
      expect(await tipsOf(t.db, payer)).toHaveLength(0);
    },
  );

  it("refuses an expired chat and a stranger, storing nothing", async () => {
    const old = await pair(25 * HOUR);
    expect(await h.service.createTip(old.payer, old.sessionId, 10)).toEqual({ ok: false, reason: "expired" });
    const p = await pair();
    const stranger = await addUser(t.db);
    expect(await h.service.createTip(stranger, p.sessionId, 10)).toEqual({
      ok: false,
      reason: "not_participant",
    });
    expect([...(await tipsOf(t.db, old.payer)), ...(await tipsOf(t.db, stranger))]).toHaveLength(0);
  });

  it.each([[0], [1500], [5000]])("uses the configured commission (%i bps)", async (bps) => {
    const service = createHarness(t.db, { commissionBps: bps }).service;
    const { payer, sessionId } = await pair();
    const created = await service.createTip(payer, sessionId, 99);
    const split = splitTip(99, bps);
    expect(created).toMatchObject({
      ok: true,
      ourCommission: split.ourCommission,
      recipientShare: split.recipientShare,
    });
    if (created.ok)
      expect(await tipRow(t.db, created.tipId)).toMatchObject({ ourCommission: split.ourCommission });
  });

  it("a second click on the same amount returns the same tip; another amount or a later click makes a new one", async () => {
    const { payer, sessionId } = await pair();
    const first = await h.service.createTip(payer, sessionId, 10);
    const again = await h.service.createTip(payer, sessionId, 10);
    expect(first).toMatchObject({ ok: true, reused: false });
    expect(again).toEqual({ ...first, reused: true });
    const other = await h.service.createTip(payer, sessionId, 25);
    expect(other).toMatchObject({ ok: true, reused: false });
    h.clock.advance(TIP_REUSE_WINDOW_MS + 1);
    const later = await h.service.createTip(payer, sessionId, 10);
    expect(later).toMatchObject({ ok: true, reused: false });
    const ids = [first, other, later].map((r) => (r.ok ? r.tipId : -1));
    expect(new Set(ids).size).toBe(3);
    expect(await tipsOf(t.db, payer)).toHaveLength(3);
  });

  it("a paid tip is not reused by the next click", async () => {
    const { payer, sessionId, created, good } = await pendingTip(10);
    await h.service.recordPayment({ ...good, telegramPaymentChargeId: nextChargeId() });
    const next = await h.service.createTip(payer, sessionId, 10);
    expect(next).toMatchObject({ ok: true, reused: false });
    expect(next.ok && created.ok && next.tipId !== created.tipId).toBe(true);
  });

  it("20 simultaneous clicks create one pending tip (race run 5 times)", async () => {
    for (let round = 0; round < 5; round++) {
      const { payer, sessionId } = await pair();
      const results = await Promise.all(
        Array.from({ length: 20 }, () => h.service.createTip(payer, sessionId, 25)),
      );
      const rows = await tipsOf(t.db, payer);
      expect(rows).toHaveLength(1);
      const oks = results.filter((r) => r.ok);
      expect(oks.length).toBeGreaterThanOrEqual(1);
      expect(oks.filter((r) => !r.reused)).toHaveLength(1);
      for (const r of oks) expect(r.tipId).toBe(rows[0]!.id);
      for (const r of results) if (!r.ok) expect(r.reason).toBe("busy");
    }
  });
});

describe("checkPreCheckout", () => {
  it("accepts the genuine payment", async () => {
    const { good } = await pendingTip();
    expect(await h.service.checkPreCheckout(good)).toEqual({ ok: true });
  });

  type Forgery = [
    string,
    (
      p: Awaited<ReturnType<typeof pendingTip>>,
    ) => Promise<Partial<PaymentCheckInput>> | Partial<PaymentCheckInput>,
    string,
  ];
  const forgeries: Forgery[] = [
    [
      "amount in the payload raised",
      ({ good }) => ({ payload: good.payload.replace(".25.", ".2500."), totalAmount: 2500 }),
      "invalid_payload",
    ],
    [
      "amount in the payload lowered",
      ({ good }) => ({ payload: good.payload.replace(".25.", ".1."), totalAmount: 1 }),
      "invalid_payload",
    ],
    ["tag cut short", ({ good }) => ({ payload: good.payload.slice(0, -3) }), "invalid_payload"],
    [
      "tag changed",
      ({ good }) => ({ payload: `${good.payload.slice(0, -1)}${good.payload.endsWith("A") ? "B" : "A"}` }),
      "invalid_payload",
    ],
    [
      "signed with another secret",
      ({ created, sessionId, payer }) => ({
        payload: signTipPayload(
          { tipId: created.ok ? created.tipId : 0, sessionId, amount: 25, fromUserId: payer },
          "attacker-secret-0123456789",
        ),
      }),
      "invalid_payload",
    ],
    ["garbage", () => ({ payload: "pay me" }), "invalid_payload"],
    ["empty", () => ({ payload: "" }), "invalid_payload"],
    ["130 bytes", () => ({ payload: "x".repeat(130) }), "invalid_payload"],
    // Only possible with our secret: the row, not the payload, is the truth.
    [
      "genuinely signed but for another amount",
      ({ created, sessionId, payer }) => ({
        payload: signTipPayload(
          { tipId: created.ok ? created.tipId : 0, sessionId, amount: 50, fromUserId: payer },
          SECRET,
        ),
        totalAmount: 50,
      }),
      "invalid_payload",
    ],
    [
      "genuinely signed for a tip that does not exist",
      ({ sessionId, payer }) => ({
        payload: signTipPayload({ tipId: 9_000_000_000, sessionId, amount: 25, fromUserId: payer }, SECRET),
      }),
      "tip_not_found",
    ],
    ["currency USD", () => ({ currency: "USD" }), "wrong_currency"],
    ["currency in lower case", () => ({ currency: "xtr" }), "wrong_currency"],
    ["currency empty", () => ({ currency: "" }), "wrong_currency"],
    ["total one Star less", () => ({ totalAmount: 24 }), "wrong_amount"],
    ["total one Star more", () => ({ totalAmount: 26 }), "wrong_amount"],
    ["total zero", () => ({ totalAmount: 0 }), "wrong_amount"],
    ["paid by the recipient", ({ peer }) => ({ fromUserId: peer }), "not_payer"],
    ["paid by a stranger", async () => ({ fromUserId: await addUser(t.db) }), "not_payer"],
    ["paid by someone unknown to us", () => ({ fromUserId: null }), "not_payer"],
  ];

  it.each(forgeries)("%s → %s", async (_name, forge, reason) => {
    const p = await pendingTip(25);
    const input = { ...p.good, ...(await forge(p)) };
    expect(await h.service.checkPreCheckout(input)).toEqual({ ok: false, reason });
    // Nor can the same input be recorded as money.
    const recorded = await h.service.recordPayment({ ...input, telegramPaymentChargeId: nextChargeId() });
    expect(recorded).toEqual({ ok: false, reason });
    expect(await tipRow(t.db, p.created.ok ? p.created.tipId : 0)).toMatchObject({
      status: "pending",
      paidAt: null,
    });
  });

  it("refuses when the 24 h window closed after the invoice was sent", async () => {
    const { good } = await pendingTip();
    h.clock.advance(24 * HOUR);
    expect(await h.service.checkPreCheckout(good)).toEqual({ ok: false, reason: "expired" });
  });

  it("refuses when the recipient deleted their data meanwhile", async () => {
    const p = await pendingTip();
    await t.db
      .update(users)
      .set({ status: "deleted", tgId: null, deletedAt: NOW })
      .where(eq(users.id, p.peer));
    expect(await h.service.checkPreCheckout(p.good)).toEqual({ ok: false, reason: "peer_gone" });
  });

  it("refuses a tip that is already paid or refunded", async () => {
    const { created, good } = await pendingTip();
    const chargeId = nextChargeId();
    await h.service.recordPayment({ ...good, telegramPaymentChargeId: chargeId });
    expect(await h.service.checkPreCheckout(good)).toEqual({ ok: false, reason: "already_paid" });
    await h.service.refund({ tipId: created.ok ? created.tipId : 0 });
    expect(await h.service.checkPreCheckout(good)).toEqual({ ok: false, reason: "already_paid" });
  });
});

describe("recordPayment", () => {
  it("flips the tip to paid with the charge id and tells the bot to notify once", async () => {
    const { created, good, payer, peer } = await pendingTip(25);
    const chargeId = nextChargeId();
    h.clock.advance(5_000);
    const first = await h.service.recordPayment({ ...good, telegramPaymentChargeId: chargeId });
    expect(first).toMatchObject({
      ok: true,
      duplicate: false,
      shouldNotify: true,
      payerUserId: payer,
      recipientUserId: peer,
      tip: { status: "paid", telegramPaymentChargeId: chargeId, recipientShare: 23 },
    });
    const row = await tipRow(t.db, created.ok ? created.tipId : 0);
    expect(row).toMatchObject({ status: "paid", telegramPaymentChargeId: chargeId, paidAt: h.clock.now() });

    h.clock.advance(60_000);
    const again = await h.service.recordPayment({ ...good, telegramPaymentChargeId: chargeId });
    expect(again).toMatchObject({ ok: true, duplicate: true, shouldNotify: false, recipientUserId: peer });
    expect(await tipRow(t.db, row.id)).toEqual(row);
  });

  it("records the money even if the window closed between pre-checkout and payment", async () => {
    const { good } = await pendingTip();
    expect(await h.service.checkPreCheckout(good)).toEqual({ ok: true });
    h.clock.advance(48 * HOUR);
    expect(await h.service.recordPayment({ ...good, telegramPaymentChargeId: nextChargeId() })).toMatchObject(
      {
        ok: true,
        duplicate: false,
      },
    );
  });

  it("a second, different charge for a paid tip is refused so the bot refunds it", async () => {
    const { created, good } = await pendingTip();
    const firstCharge = nextChargeId();
    await h.service.recordPayment({ ...good, telegramPaymentChargeId: firstCharge });
    expect(await h.service.recordPayment({ ...good, telegramPaymentChargeId: nextChargeId() })).toEqual({
      ok: false,
      reason: "already_paid",
    });
    expect(await tipRow(t.db, created.ok ? created.tipId : 0)).toMatchObject({
      telegramPaymentChargeId: firstCharge,
    });
  });

  it("the same payment delivered 20 times at once is recorded once (race run 10 times)", async () => {
    for (let round = 0; round < 10; round++) {
      const { payer, good } = await pendingTip(10);
      const chargeId = nextChargeId();
      const results = await Promise.all(
        Array.from({ length: 20 }, () =>
          h.service.recordPayment({ ...good, telegramPaymentChargeId: chargeId }),
        ),
      );
      expect(results.every((r) => r.ok)).toBe(true);
      expect(results.filter((r) => r.ok && !r.duplicate)).toHaveLength(1);
      expect(results.filter((r) => r.ok && r.shouldNotify)).toHaveLength(1);
      const rows = await tipsOf(t.db, payer);
      expect(rows.map((r) => [r.status, r.telegramPaymentChargeId])).toEqual([["paid", chargeId]]);
    }
  });
});

describe("refunds", () => {
  it("refund by tip id flips the status once; Telegram's refund update afterwards changes nothing", async () => {
    const { created, good, payer, peer } = await pendingTip(50);
    const chargeId = nextChargeId();
    await h.service.recordPayment({ ...good, telegramPaymentChargeId: chargeId });
    h.clock.advance(HOUR);
    const refunded = await h.service.refund({ tipId: created.ok ? created.tipId : 0 });
    expect(refunded).toMatchObject({
      ok: true,
      alreadyRefunded: false,
      payerUserId: payer,
      recipientUserId: peer,
      tip: { status: "refunded" },
    });
    const row = await tipRow(t.db, created.ok ? created.tipId : 0);
    expect(row).toMatchObject({
      status: "refunded",
      refundedAt: h.clock.now(),
      telegramPaymentChargeId: chargeId,
    });

    h.clock.advance(HOUR);
    expect(await h.service.recordRefundUpdate(chargeId)).toMatchObject({ ok: true, alreadyRefunded: true });
    expect(await h.service.refund({ chargeId })).toMatchObject({ ok: true, alreadyRefunded: true });
    expect(await tipRow(t.db, row.id)).toEqual(row);
    // A late duplicate of the original payment does not resurrect it.
    expect(await h.service.recordPayment({ ...good, telegramPaymentChargeId: chargeId })).toMatchObject({
      ok: true,
      duplicate: true,
      shouldNotify: false,
    });
    expect(await tipRow(t.db, row.id)).toEqual(row);
  });

  it("Telegram's refund update alone marks the tip refunded", async () => {
    const { created, good } = await pendingTip();
    const chargeId = nextChargeId();
    await h.service.recordPayment({ ...good, telegramPaymentChargeId: chargeId });
    expect(await h.service.recordRefundUpdate(chargeId)).toMatchObject({ ok: true, alreadyRefunded: false });
    expect(await tipRow(t.db, created.ok ? created.tipId : 0)).toMatchObject({ status: "refunded" });
  });

  it("concurrent refunds of one tip report it as new exactly once", async () => {
    const { good } = await pendingTip();
    const chargeId = nextChargeId();
    await h.service.recordPayment({ ...good, telegramPaymentChargeId: chargeId });
    const results = await Promise.all(
      Array.from({ length: 10 }, () => h.service.recordRefundUpdate(chargeId)),
    );
    expect(results.filter((r) => r.ok && !r.alreadyRefunded)).toHaveLength(1);
  });

  it("an unpaid or unknown tip cannot be refunded", async () => {
    const { created } = await pendingTip();
    expect(await h.service.refund({ tipId: created.ok ? created.tipId : 0 })).toEqual({
      ok: false,
      reason: "not_paid",
    });
    expect(await h.service.refund({ tipId: 9_000_000_000 })).toEqual({ ok: false, reason: "not_found" });
    expect(await h.service.recordRefundUpdate("no-such-charge")).toEqual({ ok: false, reason: "not_found" });
  });
});
