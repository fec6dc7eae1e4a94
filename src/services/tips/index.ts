/**
 * Tips in Telegram Stars: who may thank whom, the pending tip behind an invoice, the pre-checkout
 * answer, recording the payment (the only place money is recorded), refunds and the ledger.
 *
 * Flow: createTip → bot sends an XTR invoice with `payload` → checkPreCheckout answers
 * pre_checkout_query → recordPayment on successful_payment → refund / recordRefundUpdate.
 * Time comes from the injected clock, never from the database's now().
 */
import { and, desc, eq, gte, or } from "drizzle-orm";
import type { Clock } from "../../clock.ts";
import type { Db } from "../../db/client.ts";
import { chatSessions, matches, tips, users } from "../../db/schema.ts";
import {
  DEFAULT_COMMISSION_BPS,
  isValidCommissionBps,
  isValidTipAmount,
  MAX_COMMISSION_BPS,
  splitTip,
} from "../../domain/commission.ts";
import { signTipPayload, verifyTipPayload } from "../../domain/tip-payload.ts";
import type { Locks } from "../../infra/ports.ts";
import { createLedger } from "./ledger.ts";

export { LEDGER_CSV_HEADER, type LedgerPeriod, type LedgerRow } from "./ledger.ts";

/** A session can be thanked while it is active and for this long after it ended. */
export const TIP_WINDOW_MS = 24 * 3600_000;
/** A second click on the same amount within this window returns the same pending tip. */
export const TIP_REUSE_WINDOW_MS = 60_000;
/** Longer than any createTip takes; released as soon as it is done. */
const CREATE_LOCK_TTL_MS = 10_000;
export const TIP_CURRENCY = "XTR";

export type TipRow = typeof tips.$inferSelect;

export type EligibilityRejection = "no_session" | "expired" | "not_participant" | "peer_gone";
export type Eligibility =
  | {
      ok: true;
      /** tipUntil: when the 24 h window closes; null while the chat is still active. */
      session: { id: number; peerUserId: number; tipUntil: Date | null };
    }
  | { ok: false; reason: EligibilityRejection };

export type CreateTipRejection = "invalid_amount" | "busy" | EligibilityRejection;
export type CreateTipResult =
  | {
      ok: true;
      tipId: number;
      payload: string;
      amount: number;
      ourCommission: number;
      providerFee: number;
      recipientShare: number;
      /** True when a recent pending tip for the same person, session and amount was returned again. */
      reused: boolean;
    }
  | { ok: false; reason: CreateTipRejection };

/** Why a payment is refused. Payload reasons are folded into one: the payer cannot fix them. */
export type PaymentRejection =
  | "invalid_payload"
  | "wrong_currency"
  | "wrong_amount"
  | "tip_not_found"
  | "not_payer"
  | "already_paid"
  | "not_pending";
export type PreCheckoutRejection = PaymentRejection | EligibilityRejection;

export interface PaymentCheckInput {
  payload: string;
  currency: string;
  /** In Stars, as Telegram reports it. */
  totalAmount: number;
  /** Our user id of the person paying (resolved from the Telegram sender by the adapter); null when unknown. */
  fromUserId: number | null;
}

export interface PaymentRecordInput extends PaymentCheckInput {
  telegramPaymentChargeId: string;
}

export type RecordPaymentResult =
  | {
      ok: true;
      tip: TipRow;
      /** True when this charge id was already recorded: nothing changed. */
      duplicate: boolean;
      /**
       * True for exactly one call per charge (the one that flipped the tip to paid): send the receipt
       * and the anonymous thank-you only then. Decided by the row lock, so it holds across replicas.
       */
      shouldNotify: boolean;
      payerUserId: number | null;
      recipientUserId: number | null;
    }
  | { ok: false; reason: PaymentRejection };

export type TipRef = { tipId: number } | { chargeId: string };

export type RefundResult =
  | {
      ok: true;
      tip: TipRow;
      /** True when it was refunded before: tell nobody again. */
      alreadyRefunded: boolean;
      payerUserId: number | null;
      recipientUserId: number | null;
    }
  | { ok: false; reason: "not_found" | "not_paid" };

export interface TipServiceDeps {
  db: Db;
  clock: Clock;
  locks: Locks;
  /** HMAC key of invoice payloads, at least 16 bytes. */
  secret: string | Buffer;
  /** Our commission in basis points, 0–5000; default 1000 (10%). */
  commissionBps?: number;
}

type SessionFacts = {
  id: number;
  userA: number;
  userB: number;
  startedAt: Date;
  endedAt: Date | null;
  endedBy: number | null;
  endReason: string | null;
  expiresAt: Date | null;
};

const sessionColumns = {
  id: chatSessions.id,
  userA: matches.userA,
  userB: matches.userB,
  startedAt: chatSessions.startedAt,
  endedAt: chatSessions.endedAt,
  endedBy: chatSessions.endedBy,
  endReason: chatSessions.endReason,
  expiresAt: chatSessions.expiresAt,
};

/**
 * Tips in Telegram Stars: eligibility, invoices with signed payloads, payments, refunds. Long because it
 * is a container of short methods over one database handle; the ledger is `ledger.ts`.
 */
export function createTipService(deps: TipServiceDeps) {
  const { db, clock, locks, secret } = deps;
  const commissionBps = deps.commissionBps ?? DEFAULT_COMMISSION_BPS;
  if (!isValidCommissionBps(commissionBps)) {
    throw new RangeError(`commissionBps must be a whole number from 0 to ${MAX_COMMISSION_BPS}`);
  }
  // Fails at start-up on a weak secret rather than on the first payment.
  signTipPayload({ tipId: 1, sessionId: 1, amount: 1, fromUserId: 1 }, secret);

  /**
   * A temp-chat past its expires_at counts as ended then, even before a worker writes ended_at,
   * so the 24 h window does not stretch with a late worker.
   */
  function effectiveEnd(s: SessionFacts, now: Date): Date | null {
    if (s.endedAt) return s.endedAt;
    if (s.expiresAt && s.expiresAt.getTime() <= now.getTime()) return s.expiresAt;
    return null;
  }

  async function judge(s: SessionFacts, fromUserId: number, now: Date): Promise<Eligibility> {
    if (s.userA !== fromUserId && s.userB !== fromUserId) return { ok: false, reason: "not_participant" };
    const peerUserId = s.userA === fromUserId ? s.userB : s.userA;
    const end = effectiveEnd(s, now);
    const tipUntil = end ? new Date(end.getTime() + TIP_WINDOW_MS) : null;
    if (tipUntil && now.getTime() > tipUntil.getTime()) return { ok: false, reason: "expired" };
    // Someone who blocked or reported the payer gets no message from them, thank-you included.
    if (s.endedBy === peerUserId && (s.endReason === "blocked" || s.endReason === "reported")) {
      return { ok: false, reason: "peer_gone" };
    }
    const [peer] = await db
      .select({ status: users.status, deletedAt: users.deletedAt })
      .from(users)
      .where(eq(users.id, peerUserId));
    if (!peer || peer.deletedAt || peer.status === "deleted" || peer.status === "banned") {
      return { ok: false, reason: "peer_gone" };
    }
    return { ok: true, session: { id: s.id, peerUserId, tipUntil } };
  }

  async function eligibility(fromUserId: number, sessionId?: number): Promise<Eligibility> {
    const now = clock.now();
    if (sessionId !== undefined) {
      const [s] = await db
        .select(sessionColumns)
        .from(chatSessions)
        .innerJoin(matches, eq(matches.id, chatSessions.matchId))
        .where(eq(chatSessions.id, sessionId));
      if (!s) return { ok: false, reason: "no_session" };
      return judge(s, fromUserId, now);
    }
    // Newest first; a few are enough, older ones are outside the window anyway.
    const recent = await db
      .select(sessionColumns)
      .from(chatSessions)
      .innerJoin(matches, eq(matches.id, chatSessions.matchId))
      .where(or(eq(matches.userA, fromUserId), eq(matches.userB, fromUserId)))
      .orderBy(desc(chatSessions.startedAt), desc(chatSessions.id))
      .limit(5);
    let first: Eligibility | undefined;
    for (const s of recent) {
      const verdict = await judge(s, fromUserId, now);
      if (verdict.ok) return verdict;
      first ??= verdict;
    }
    return first ?? { ok: false, reason: "no_session" };
  }

  async function createTip(fromUserId: number, sessionId: number, amount: number): Promise<CreateTipResult> {
    if (!isValidTipAmount(amount)) return { ok: false, reason: "invalid_amount" };
    const release = await locks.acquire(`tips:create:${fromUserId}:${sessionId}`, CREATE_LOCK_TTL_MS);
    // Another click for this session is being handled right now; it will send the invoice.
    if (!release) return { ok: false, reason: "busy" };
    try {
      const verdict = await eligibility(fromUserId, sessionId);
      if (!verdict.ok) return verdict;
      const now = clock.now();
      const split = splitTip(amount, commissionBps);
      const [recent] = await db
        .select()
        .from(tips)
        .where(
          and(
            eq(tips.fromUser, fromUserId),
            eq(tips.chatSessionId, sessionId),
            eq(tips.amount, amount),
            eq(tips.status, "pending"),
            gte(tips.createdAt, new Date(now.getTime() - TIP_REUSE_WINDOW_MS)),
          ),
        )
        .orderBy(desc(tips.createdAt))
        .limit(1);
      if (recent?.invoicePayload) {
        return {
          ok: true,
          tipId: recent.id,
          payload: recent.invoicePayload,
          amount: recent.amount,
          ourCommission: recent.ourCommission,
          providerFee: recent.providerFee,
          recipientShare: recent.recipientShare,
          reused: true,
        };
      }
      const tip = await db.transaction(async (tx) => {
        const [row] = await tx
          .insert(tips)
          .values({
            chatSessionId: sessionId,
            fromUser: fromUserId,
            toUser: verdict.session.peerUserId,
            amount,
            currency: TIP_CURRENCY,
            providerFee: split.providerFee,
            ourCommission: split.ourCommission,
            recipientShare: split.recipientShare,
            status: "pending",
            createdAt: now,
          })
          .returning({ id: tips.id });
        if (!row) throw new Error("tip not stored");
        // The payload names the tip, so it is signed once the id exists, in the same transaction.
        const payload = signTipPayload({ tipId: row.id, sessionId, amount, fromUserId }, secret);
        await tx.update(tips).set({ invoicePayload: payload }).where(eq(tips.id, row.id));
        return { id: row.id, payload };
      });
      return {
        ok: true,
        tipId: tip.id,
        payload: tip.payload,
        amount,
        ourCommission: split.ourCommission,
        providerFee: split.providerFee,
        recipientShare: split.recipientShare,
        reused: false,
      };
    } finally {
      await release();
    }
  }

  /**
   * Checks that do not depend on the tip's state: a genuine payload of ours, for this tip, in XTR,
   * for its amount, by its payer.
   */
  async function checkIntegrity(
    input: PaymentCheckInput,
  ): Promise<{ ok: true; tip: TipRow; payerUserId: number } | { ok: false; reason: PaymentRejection }> {
    const verified = verifyTipPayload(input.payload, secret);
    if (!verified.ok) return { ok: false, reason: "invalid_payload" };
    const claim = verified.value;
    if (input.currency !== TIP_CURRENCY) return { ok: false, reason: "wrong_currency" };
    const [tip] = await db.select().from(tips).where(eq(tips.id, claim.tipId));
    if (!tip) return { ok: false, reason: "tip_not_found" };
    // Only possible with a leaked secret or a reused database: the row is the truth, not the payload.
    if (
      tip.invoicePayload !== input.payload ||
      tip.chatSessionId !== claim.sessionId ||
      tip.amount !== claim.amount ||
      tip.fromUser !== claim.fromUserId
    ) {
      return { ok: false, reason: "invalid_payload" };
    }
    if (input.totalAmount !== tip.amount) return { ok: false, reason: "wrong_amount" };
    const payerUserId = input.fromUserId;
    if (payerUserId === null || payerUserId !== tip.fromUser) return { ok: false, reason: "not_payer" };
    return { ok: true, tip, payerUserId };
  }

  function stateRejection(tip: TipRow): PaymentRejection {
    return tip.status === "paid" || tip.status === "refunded" ? "already_paid" : "not_pending";
  }

  /** The answer to pre_checkout_query: everything must hold, including the 24 h window. */
  async function checkPreCheckout(
    input: PaymentCheckInput,
  ): Promise<{ ok: true } | { ok: false; reason: PreCheckoutRejection }> {
    const checked = await checkIntegrity(input);
    if (!checked.ok) return checked;
    const { tip, payerUserId } = checked;
    if (tip.status !== "pending") return { ok: false, reason: stateRejection(tip) };
    const verdict = await eligibility(payerUserId, tip.chatSessionId);
    if (!verdict.ok) return verdict;
    if (verdict.session.peerUserId !== tip.toUser) return { ok: false, reason: "peer_gone" };
    return { ok: true };
  }

  /**
   * The only place money is recorded. Eligibility is not checked again: Telegram has taken the Stars
   * after our pre-checkout "yes", so the payment is recorded even if the window closed meanwhile.
   * ok: false means money arrived that we do not accept: the adapter refunds that charge.
   */
  async function recordPayment(input: PaymentRecordInput): Promise<RecordPaymentResult> {
    const chargeId = input.telegramPaymentChargeId;
    if (!chargeId) throw new RangeError("telegramPaymentChargeId is required");
    const checked = await checkIntegrity(input);
    if (!checked.ok) return checked;
    const now = clock.now();
    const outcome = await db.transaction(async (tx) => {
      // The row lock serialises concurrent deliveries of the same payment (webhook retries, replicas).
      const [tip] = await tx.select().from(tips).where(eq(tips.id, checked.tip.id)).for("update");
      if (!tip) return { ok: false as const, reason: "tip_not_found" as const };
      if (tip.telegramPaymentChargeId === chargeId) return { ok: true as const, tip, duplicate: true };
      if (tip.status !== "pending") return { ok: false as const, reason: stateRejection(tip) };
      const [paid] = await tx
        .update(tips)
        .set({ status: "paid", telegramPaymentChargeId: chargeId, paidAt: now })
        .where(and(eq(tips.id, tip.id), eq(tips.status, "pending")))
        .returning();
      if (!paid) throw new Error("tip changed under its row lock");
      return { ok: true as const, tip: paid, duplicate: false };
    });
    if (!outcome.ok) return outcome;
    return recorded(outcome.tip, outcome.duplicate);
  }

  function recorded(tip: TipRow, duplicate: boolean): RecordPaymentResult {
    return {
      ok: true,
      tip,
      duplicate,
      shouldNotify: !duplicate,
      payerUserId: tip.fromUser,
      recipientUserId: tip.toUser,
    };
  }

  async function findByCharge(chargeId: string): Promise<TipRow | null> {
    const [tip] = await db.select().from(tips).where(eq(tips.telegramPaymentChargeId, chargeId));
    return tip ?? null;
  }

  async function getTip(ref: TipRef): Promise<TipRow | null> {
    if ("tipId" in ref) {
      const [tip] = await db.select().from(tips).where(eq(tips.id, ref.tipId));
      return tip ?? null;
    }
    return findByCharge(ref.chargeId);
  }

  /**
   * Marks a paid tip refunded (idempotent). The caller has already called refundStarPayment:
   * the status follows what Telegram did.
   */
  async function refund(ref: TipRef, reason: string | null = null): Promise<RefundResult> {
    const now = clock.now();
    return db.transaction(async (tx): Promise<RefundResult> => {
      const where = "tipId" in ref ? eq(tips.id, ref.tipId) : eq(tips.telegramPaymentChargeId, ref.chargeId);
      const [tip] = await tx.select().from(tips).where(where).for("update");
      if (!tip) return { ok: false, reason: "not_found" };
      const who = { payerUserId: tip.fromUser, recipientUserId: tip.toUser };
      if (tip.status === "refunded") return { ok: true, tip, alreadyRefunded: true, ...who };
      if (tip.status !== "paid") return { ok: false, reason: "not_paid" };
      const [done] = await tx
        .update(tips)
        .set({ status: "refunded", refundedAt: now, refundReason: reason })
        .where(eq(tips.id, tip.id))
        .returning();
      if (!done) throw new Error("tip changed under its row lock");
      return { ok: true, tip: done, alreadyRefunded: false, ...who };
    });
  }

  /** Telegram's refunded_payment update: same effect as refund, keyed by the charge id. */
  function recordRefundUpdate(chargeId: string): Promise<RefundResult> {
    return refund({ chargeId });
  }

  return {
    commissionBps,
    eligibility,
    createTip,
    checkPreCheckout,
    recordPayment,
    getTip,
    refund,
    recordRefundUpdate,
    ...createLedger({ db }),
  };
}

export type TipService = ReturnType<typeof createTipService>;
