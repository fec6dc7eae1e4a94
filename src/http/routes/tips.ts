import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { ProfileService } from "../../services/profile.ts";
import type { RefundResult, TipService } from "../../services/tips/index.ts";
import { type ReplayGuard, requireAdminToken, requireInternalSignature } from "../auth.ts";
import { errorBody, errorResponses } from "../errors.ts";
import { bigIdParams, positiveId } from "../schemas.ts";

export interface TipRoutesOptions {
  tips: TipService;
  profiles: ProfileService;
  internalSecret: string;
  /** Refuses a signed request seen before (shared key-value store in the app). */
  replayGuard?: ReplayGuard;
  adminToken: string;
  /** Telegram: an invoice link for clients that are not the chat (createInvoiceLink). */
  createInvoiceLink(input: { payload: string; amount: number }): Promise<string>;
  /** Telegram: refundStarPayment. */
  refundStarPayment(payerTgId: number, chargeId: string): Promise<void>;
  /** Tells both people about a refund. */
  onRefund(result: Extract<RefundResult, { ok: true }>): Promise<void>;
}

const adminDoc = { tags: ["admin", "tips"], security: [{ adminToken: [] }] };

const createBody = z.strictObject({
  user_id: positiveId,
  session_id: positiveId,
  amount: z.number().int().min(1).max(2500),
});

const instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s));
const periodQuery = z.strictObject({
  from: instant.optional(),
  to: instant.optional(),
  format: z.enum(["json", "csv"]).default("json"),
});

const ledgerRow = z.object({
  recipientUserId: z.number().int().nullable(),
  paidCount: z.number().int(),
  received: z.number().int(),
  refundedCount: z.number().int(),
  refunded: z.number().int(),
  net: z.number().int(),
});

export type TipRefundResult =
  | { ok: true; alreadyRefunded: boolean }
  | { ok: false; reason: "not_found" | "not_paid" | "payer_gone" };

/**
 * Refunds a paid tip (the admin API and the console): Telegram first — only a refund it accepted is
 * recorded —, then the record, then both people are told. `reason` is the operator's, kept with the tip.
 */
export async function refundPaidTip(
  opts: Pick<TipRoutesOptions, "tips" | "profiles" | "refundStarPayment" | "onRefund">,
  tipId: number,
  reason: string | null = null,
): Promise<TipRefundResult> {
  const tip = await opts.tips.getTip({ tipId });
  if (!tip) return { ok: false, reason: "not_found" };
  if (tip.status === "refunded") return { ok: true, alreadyRefunded: true };
  if (tip.status !== "paid" || !tip.telegramPaymentChargeId) return { ok: false, reason: "not_paid" };
  const payer = tip.fromUser === null ? null : await opts.profiles.findById(tip.fromUser);
  if (!payer?.tgId) return { ok: false, reason: "payer_gone" };
  await opts.refundStarPayment(payer.tgId, tip.telegramPaymentChargeId);
  const res = await opts.tips.refund({ tipId }, reason);
  if (!res.ok) return { ok: false, reason: res.reason === "not_found" ? "not_found" : "not_paid" };
  // Telegram accepted this call's refund of a tip that was paid, so the refund is this call's even
  // when the refunded_payment update it caused was recorded first (the bot then told both people).
  if (!res.alreadyRefunded) await opts.onRefund(res);
  return { ok: true, alreadyRefunded: false };
}

/** The operator's side of tips, behind the admin token: refunds and the payout ledger. */
const adminTipRoutes: FastifyPluginAsyncZod<TipRoutesOptions> = async (admin, opts) => {
  admin.addHook("onRequest", requireAdminToken(opts.adminToken));

  admin.post(
    "/admin/tips/:id/refund",
    {
      schema: {
        ...adminDoc,
        summary: "Refund a paid tip with refundStarPayment; both people are told",
        params: bigIdParams,
        response: {
          200: z.object({ status: z.literal("refunded"), already_refunded: z.boolean() }),
          ...errorResponses(400, 401, 404, 409),
        },
      },
    },
    async (request, reply) => {
      const res = await refundPaidTip(opts, request.params.id);
      if (res.ok) return { status: "refunded" as const, already_refunded: res.alreadyRefunded };
      const message = {
        not_found: "No such tip",
        not_paid: "Only paid tips can be refunded",
        payer_gone: "The payer erased their data",
      }[res.reason];
      return reply.code(res.reason === "not_found" ? 404 : 409).send(errorBody(res.reason, message));
    },
  );

  admin.get(
    "/admin/tips/report",
    {
      schema: {
        ...adminDoc,
        summary: "Ledger per recipient for payouts: received, refunded, net (JSON or CSV)",
        querystring: periodQuery,
        response: {
          200: {
            description: "The ledger: JSON rows, or CSV with format=csv",
            content: {
              "application/json": { schema: z.object({ rows: z.array(ledgerRow) }) },
              "text/csv": { schema: z.string() },
            },
          },
          ...errorResponses(400, 401),
        },
      },
    },
    async (request, reply) => {
      const { from, to, format } = request.query;
      const range = { ...(from ? { from } : {}), ...(to ? { to } : {}) };
      if (format === "csv") {
        reply.header("content-type", "text/csv; charset=utf-8");
        return opts.tips.reportCsv(range);
      }
      return { rows: await opts.tips.ledger(range) };
    },
  );
};

/** POST /tips/create (spec), and the admin refund and ledger report. */
export const tipRoutes: FastifyPluginAsyncZod<TipRoutesOptions> = async (app, opts) => {
  app.post(
    "/tips/create",
    {
      preValidation: requireInternalSignature(opts.internalSecret, Date.now, opts.replayGuard),
      schema: {
        tags: ["tips"],
        summary: "Create a tip and its Stars (XTR) invoice link",
        security: [{ internalHmac: [] }],
        body: createBody,
        response: {
          200: z.object({
            tip_id: z.number().int(),
            invoice_link: z.string(),
            amount: z.number().int(),
            our_commission: z.number().int(),
            recipient_share: z.number().int(),
          }),
          ...errorResponses(400, 401, 409),
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const res = await opts.tips.createTip(body.user_id, body.session_id, body.amount);
      if (!res.ok) return reply.code(409).send(errorBody(res.reason, "The tip cannot be created"));
      const link = await opts.createInvoiceLink({ payload: res.payload, amount: res.amount });
      return {
        tip_id: res.tipId,
        invoice_link: link,
        amount: res.amount,
        our_commission: res.ourCommission,
        recipient_share: res.recipientShare,
      };
    },
  );

  await app.register(adminTipRoutes, opts);
};
