import { randomBytes } from "node:crypto";
import { badRequest } from "../errors.ts";
import { answerPreCheckout, refund } from "../world/payments.ts";
import { type Handler, markupOf, replyTarget, targetChat } from "./context.ts";

// Invoices and Telegram Stars: sendInvoice, pre-checkout answers, refunds, the balance.

export const paymentMethods: Record<string, Handler> = {
  sendInvoice: (ctx) => {
    const chat = targetChat(ctx, ctx.params.chat_id);
    const prices = ctx.params.prices as { amount: number }[];
    const total = prices.reduce((sum, p) => sum + p.amount, 0);
    const invoice = {
      title: ctx.params.title,
      description: ctx.params.description,
      start_parameter: ctx.params.start_parameter ?? "",
      currency: ctx.params.currency,
      total_amount: total,
    };
    const given = markupOf(ctx);
    const label =
      ctx.params.currency === "XTR"
        ? `Заплатить ⭐️${total}`
        : `Заплатить ${total / 100} ${ctx.params.currency}`;
    const markup = given ?? { inline_keyboard: [[{ text: label, pay: true }]] };
    const replyTo = replyTarget(ctx, chat);
    return ctx.world.addMessage(
      ctx.bot,
      chat,
      "bot",
      { invoice },
      {
        markup,
        markupInMessage: given !== undefined,
        invoicePayload: String(ctx.params.payload),
        ...(replyTo !== undefined ? { replyTo } : {}),
      },
    ).msg;
  },
  createInvoiceLink: ({ bot, params }) => {
    const slug = randomBytes(12).toString("base64url");
    bot.invoiceLinks.set(slug, params);
    return `https://t.me/$${slug}`;
  },
  answerPreCheckoutQuery: ({ bot, params }) => {
    answerPreCheckout(
      bot,
      String(params.pre_checkout_query_id),
      params.ok === true,
      typeof params.error_message === "string" ? params.error_message : undefined,
    );
    return true;
  },
  refundStarPayment: ({ world, bot, params }) => {
    if (!world.users.has(Number(params.user_id))) throw badRequest("USER_ID_INVALID");
    refund(world, bot, Number(params.user_id), String(params.telegram_payment_charge_id));
    return true;
  },
  getMyStarBalance: ({ bot }) => ({
    amount: [...bot.charges.values()]
      .filter((c) => !c.refunded && c.currency === "XTR")
      .reduce((s, c) => s + c.amount, 0),
  }),
};
