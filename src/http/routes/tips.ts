import type { FastifyPluginAsync, FastifyReply } from "fastify";
import type { ProfileService } from "../../services/profile.ts";
import type { RefundResult, TipService } from "../../services/tips/index.ts";
import { type ReplayGuard, requireAdminToken, requireInternalSignature } from "../auth.ts";
import { errorBody, errorResponses } from "../errors.ts";

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

const period = {
  type: "object",
  additionalProperties: false,
  properties: {
    from: { type: "string", format: "date-time" },
    to: { type: "string", format: "date-time" },
    format: { type: "string", enum: ["json", "csv"], default: "json" },
  },
} as const;

/** POST /tips/create (spec), and the admin refund and ledger report. */
export const tipRoutes: FastifyPluginAsync<TipRoutesOptions> = async (app, opts) => {
  app.post(
    "/tips/create",
    {
      preValidation: requireInternalSignature(opts.internalSecret, Date.now, opts.replayGuard),
      schema: {
        tags: ["tips"],
        summary: "Create a tip and its Stars (XTR) invoice link",
        security: [{ internalHmac: [] }],
        body: {
          type: "object",
          required: ["user_id", "session_id", "amount"],
          additionalProperties: false,
          properties: {
            user_id: { type: "integer", minimum: 1 },
            session_id: { type: "integer", minimum: 1 },
            amount: { type: "integer", minimum: 1, maximum: 2500 },
          },
        },
        response: {
          200: {
            type: "object",
            required: ["tip_id", "invoice_link", "amount", "our_commission", "recipient_share"],
            properties: {
              tip_id: { type: "integer" },
              invoice_link: { type: "string" },
              amount: { type: "integer" },
              our_commission: { type: "integer" },
              recipient_share: { type: "integer" },
            },
          },
          ...errorResponses(400, 401, 409),
        },
      },
    },
    async (request, rawReply) => {
      const reply = rawReply as FastifyReply;
      const body = request.body as { user_id: number; session_id: number; amount: number };
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

  app.register(async (admin) => {
    admin.addHook("onRequest", requireAdminToken(opts.adminToken));

    admin.post(
      "/admin/tips/:id/refund",
      {
        schema: {
          tags: ["admin", "tips"],
          summary: "Refund a paid tip with refundStarPayment; both people are told",
          security: [{ adminToken: [] }],
          params: {
            type: "object",
            required: ["id"],
            properties: { id: { type: "string", pattern: "^[1-9][0-9]{0,14}$" } },
          },
          response: {
            200: {
              type: "object",
              required: ["status", "already_refunded"],
              properties: { status: { type: "string" }, already_refunded: { type: "boolean" } },
            },
            ...errorResponses(401, 404, 409),
          },
        },
      },
      async (request, rawReply) => {
        const reply = rawReply as FastifyReply;
        const id = Number((request.params as { id: string }).id);
        const tip = await opts.tips.getTip({ tipId: id });
        if (!tip) return reply.code(404).send(errorBody("not_found", "No such tip"));
        if (tip.status === "refunded") return { status: "refunded", already_refunded: true };
        if (tip.status !== "paid" || !tip.telegramPaymentChargeId) {
          return reply.code(409).send(errorBody("not_paid", "Only paid tips can be refunded"));
        }
        const payer = tip.fromUser === null ? null : await opts.profiles.findById(tip.fromUser);
        if (!payer?.tgId) return reply.code(409).send(errorBody("payer_gone", "The payer erased their data"));
        // Money first: only a refund Telegram accepted is recorded.
        await opts.refundStarPayment(payer.tgId, tip.telegramPaymentChargeId);
        const res = await opts.tips.refund({ tipId: id });
        if (!res.ok) return reply.code(409).send(errorBody(res.reason, "Refund not recorded"));
        if (!res.alreadyRefunded) await opts.onRefund(res);
        return { status: "refunded", already_refunded: res.alreadyRefunded };
      },
    );

    admin.get(
      "/admin/tips/report",
      {
        schema: {
          tags: ["admin", "tips"],
          summary: "Ledger per recipient for payouts: received, refunded, net (JSON or CSV)",
          security: [{ adminToken: [] }],
          querystring: period,
          response: { ...errorResponses(400, 401) },
        },
      },
      async (request, reply) => {
        const q = request.query as { from?: string; to?: string; format?: "json" | "csv" };
        const range = {
          ...(q.from ? { from: new Date(q.from) } : {}),
          ...(q.to ? { to: new Date(q.to) } : {}),
        };
        if (q.format === "csv") {
          reply.header("content-type", "text/csv; charset=utf-8");
          return opts.tips.reportCsv(range);
        }
        return { rows: await opts.tips.ledger(range) };
      },
    );
  });
};
