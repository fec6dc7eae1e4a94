import { Composer, InlineKeyboard } from "grammy";
import { TIP_MAX, TIP_MIN, TIP_PRESETS } from "../../domain/commission.ts";
import type { KeyValue } from "../../infra/ports.ts";
import type { Logger } from "../../logger.ts";
import { personKeys } from "../../services/person-keys.ts";
import type { ProfileService } from "../../services/profile.ts";
import type { TipService } from "../../services/tips/index.ts";
import { tipCustom, tipMenu, tipPreset } from "../callbacks.ts";
import type { BotContext } from "../context.ts";
import type { Notifier } from "../notifier.ts";
import { pendingValue } from "../pending.ts";

const CUSTOM_TTL_MS = 10 * 60 * 1000;

export interface TipsFeatureDeps {
  tips: TipService;
  profiles: ProfileService;
  notifier: Notifier;
  kv: KeyValue;
  logger: Logger;
  commissionBps: number;
  payoutPolicy: "manual" | "platform";
}

/**
 * Tips in Telegram Stars: /tips (or the button after /end) → amount → the split shown → a XTR invoice
 * with a signed payload → pre-checkout verified → successful_payment recorded once → receipt and an
 * anonymous thank-you. Refunds (refunded_payment or the admin route) tell both people.
 */
export function createTipsFeature(deps: TipsFeatureDeps) {
  const { tips, profiles, notifier, kv, logger } = deps;
  const feature = new Composer<BotContext>();
  const registered = feature.filter((ctx) => ctx.user !== null);
  const percent = (deps.commissionBps / 100).toString();

  async function showMenu(ctx: BotContext, sessionId?: number) {
    const elig = await tips.eligibility(ctx.user!.id, sessionId);
    if (!elig.ok) return ctx.reply(ctx.t(`tips-error-${elig.reason}`));
    const sid = elig.session.id;
    const kb = new InlineKeyboard();
    for (const amount of TIP_PRESETS) kb.text(`${amount} ⭐`, tipPreset.pack({ session: sid, amount }));
    kb.row().text(ctx.t("btn-tip-custom"), tipCustom.pack({ session: sid }));
    await ctx.reply(ctx.t("tips-menu", { policy: ctx.t(`tips-policy-${deps.payoutPolicy}`, { percent }) }), {
      reply_markup: kb,
    });
  }

  /**
   * Sends the invoice; returns a short notice instead when the same invoice went out within the last
   * minute (a double click or a repeated amount): one tip, one invoice.
   */
  async function invoice(ctx: BotContext, sessionId: number, amount: number): Promise<string | undefined> {
    const res = await tips.createTip(ctx.user!.id, sessionId, amount);
    if (!res.ok) {
      await ctx.reply(ctx.t(`tips-error-${res.reason}`));
      return undefined;
    }
    if (res.reused) return ctx.t("tips-invoice-already");
    const vars = {
      amount: res.amount,
      commission: res.ourCommission,
      share: res.recipientShare,
      policy: deps.payoutPolicy,
    };
    await ctx.reply(ctx.t("tips-summary", vars));
    await ctx.replyWithInvoice(
      ctx.t("tips-invoice-title"),
      ctx.t("tips-invoice-description", vars),
      res.payload,
      "XTR",
      [{ label: ctx.t("tips-invoice-label"), amount: res.amount }],
    );
    return undefined;
  }

  registered.command("tips", (ctx) => showMenu(ctx));

  registered.callbackQuery(tipMenu.filter, async (ctx) => {
    await showMenu(ctx, tipMenu.unpack(ctx.callbackQuery.data)!.session);
    await ctx.answerCallbackQuery();
  });

  registered.callbackQuery(tipPreset.filter, async (ctx) => {
    const { session, amount } = tipPreset.unpack(ctx.callbackQuery.data)!;
    // Only the offered presets come from buttons; other amounts go through «Другая сумма».
    if (!(TIP_PRESETS as readonly number[]).includes(amount)) {
      await ctx.answerCallbackQuery({ text: ctx.t("stale-button") });
      return;
    }
    const notice = await invoice(ctx, session, amount);
    await ctx.answerCallbackQuery(notice ? { text: notice } : {});
  });

  registered.callbackQuery(tipCustom.filter, async (ctx) => {
    const { session } = tipCustom.unpack(ctx.callbackQuery.data)!;
    await kv.set(personKeys.tipCustom(ctx.from!.id), String(session), CUSTOM_TTL_MS);
    await ctx.reply(ctx.t("tips-custom-prompt"));
    await ctx.answerCallbackQuery();
  });

  registered.callbackQuery(/^t:/, (ctx) => ctx.answerCallbackQuery({ text: ctx.t("stale-button") }));

  // The custom amount is the next text after «Другая сумма» — it is not relayed to the peer.
  registered.on("message:text", async (ctx, next) => {
    if (ctx.message.text.startsWith("/")) return next();
    const key = personKeys.tipCustom(ctx.from!.id);
    const sessionId = await pendingValue(ctx, kv, key);
    if (sessionId === null) return next();
    const text = ctx.message.text.trim().replace(/\s*⭐$/, "");
    const amount = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isInteger(amount) || amount < TIP_MIN || amount > TIP_MAX) {
      return ctx.reply(ctx.t("tips-custom-invalid"));
    }
    await kv.delete(key);
    const notice = await invoice(ctx, Number(sessionId), amount);
    if (notice) await ctx.reply(notice);
  });

  /**
   * Payments are served before every flow, gate and chat-type filter: pre_checkout_query has no chat,
   * and a successful or refunded payment must be recorded whatever the person had open (a profile
   * step, a report draft, the rules gate, a conversation) — the person paid.
   */
  const payments = new Composer<BotContext>();
  // Telegram waits at most 10 s for this answer; everything here is a few indexed queries.
  payments.on("pre_checkout_query", async (ctx) => {
    const q = ctx.preCheckoutQuery;
    const payer = await profiles.findByTelegramId(q.from.id);
    const res = await tips.checkPreCheckout({
      payload: q.invoice_payload,
      currency: q.currency,
      totalAmount: q.total_amount,
      fromUserId: payer?.id ?? null,
    });
    if (res.ok) await ctx.answerPreCheckoutQuery(true);
    else {
      logger.info({ actor: ctx.actor, reason: res.reason }, "pre-checkout refused");
      await ctx.answerPreCheckoutQuery(false, { error_message: ctx.t("precheckout-error") });
    }
  });

  payments.on("message:successful_payment", async (ctx) => {
    const p = ctx.message.successful_payment;
    const payer = await profiles.findByTelegramId(ctx.from.id);
    const res = await tips.recordPayment({
      payload: p.invoice_payload,
      currency: p.currency,
      totalAmount: p.total_amount,
      fromUserId: payer?.id ?? null,
      telegramPaymentChargeId: p.telegram_payment_charge_id,
    });
    if (!res.ok) {
      // Telegram took Stars we cannot account for: give them back at once.
      logger.warn({ actor: ctx.actor, reason: res.reason }, "payment refused after the fact; refunding");
      await ctx.api.refundStarPayment(ctx.from.id, p.telegram_payment_charge_id);
      await ctx.reply(ctx.t("tips-payment-refused"));
      return;
    }
    if (!res.shouldNotify) return;
    // The breakdown was shown once, before paying; the receipt only confirms.
    await ctx.reply(
      ctx.t("tips-receipt", {
        amount: res.tip.amount,
        policy: ctx.t(`tips-receipt-policy-${deps.payoutPolicy}`),
      }),
    );
    if (res.recipientUserId !== null) {
      // The person thanked learns how much is theirs and how it reaches them.
      const amounts = { amount: res.tip.amount, share: res.tip.recipientShare };
      const policy = notifier.t(`tips-thanks-policy-${deps.payoutPolicy}`, amounts);
      await notifier.send(res.recipientUserId, notifier.t("tips-thanks-to-peer", { policy }));
    }
  });

  payments.on("message:refunded_payment", async (ctx) => {
    const r = ctx.message.refunded_payment;
    const res = await tips.recordRefundUpdate(r.telegram_payment_charge_id);
    if (!res.ok || res.alreadyRefunded) return;
    await ctx.reply(ctx.t("tips-refunded-payer", { amount: res.tip.amount }));
    if (res.recipientUserId !== null)
      await notifier.send(res.recipientUserId, notifier.t("tips-refunded-peer"));
  });

  return { feature, payments };
}
