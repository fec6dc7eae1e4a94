import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startBot, startSandbox } from "./helpers.ts";

let h: Harness;
let stopBot: (() => Promise<void>) | undefined;
const seen: { preCheckout: any[]; payments: any[]; refunds: any[] } = {
  preCheckout: [],
  payments: [],
  refunds: [],
};
let preCheckoutAnswer: (q: any) => { ok: true } | { ok: false; error_message: string } | "ignore" = () => ({
  ok: true,
});

beforeAll(async () => {
  h = await startSandbox({ preCheckoutTimeoutMs: 400 });
  stopBot = startBot(h.sandbox, (bot) => {
    bot.command("tip", (ctx) =>
      ctx.replyWithInvoice("Чаевые", "Спасибо за разговор", "tip:42", "XTR", [
        { label: "Чаевые", amount: 50 },
      ]),
    );
    bot.on("pre_checkout_query", async (ctx) => {
      seen.preCheckout.push(ctx.preCheckoutQuery);
      const answer = preCheckoutAnswer(ctx.preCheckoutQuery);
      if (answer === "ignore") return;
      if (answer.ok) await ctx.answerPreCheckoutQuery(true);
      else await ctx.answerPreCheckoutQuery(false, { error_message: answer.error_message });
    });
    bot.on("message:successful_payment", async (ctx) => {
      seen.payments.push(ctx.message.successful_payment);
      await ctx.reply(`Спасибо за ${ctx.message.successful_payment.total_amount} ⭐`);
    });
    bot.on("message:refunded_payment", (ctx) => {
      seen.refunds.push(ctx.message.refunded_payment);
    });
  }).stop;
});
afterEach(() => {
  preCheckoutAnswer = () => ({ ok: true });
});
afterAll(async () => {
  await stopBot?.();
  await h.close();
});

describe("Telegram Stars payments", () => {
  it("sendInvoice → pay → pre_checkout ok → successful_payment, then a refund", async () => {
    const anna = await h.client.user("Анна");
    await anna.send("/tip");
    const invoice = await anna.expectMessage("Чаевые");
    expect(invoice.invoice).toEqual({
      title: "Чаевые",
      description: "Спасибо за разговор",
      start_parameter: "",
      currency: "XTR",
      total_amount: 50,
    });
    expect(invoice.reply_markup).toEqual({ inline_keyboard: [[{ text: "Заплатить ⭐️50", pay: true }]] });

    const result = await anna.pay();
    expect(result.status).toBe("paid");
    expect(result.telegram_payment_charge_id).toMatch(/^stx/);
    expect(seen.preCheckout.at(-1)).toMatchObject({
      from: { id: anna.id },
      currency: "XTR",
      total_amount: 50,
      invoice_payload: "tip:42",
    });
    await anna.expectMessage("Спасибо за 50 ⭐");
    expect(seen.payments.at(-1)).toEqual({
      currency: "XTR",
      total_amount: 50,
      invoice_payload: "tip:42",
      telegram_payment_charge_id: result.telegram_payment_charge_id,
      provider_payment_charge_id: "",
    });
    const paidAgain = await anna.pay({ message_id: invoice.message_id }).catch((e) => e);
    expect(paidAgain.status).toBe(409);

    const refund = await h.api("refundStarPayment", {
      user_id: anna.id,
      telegram_payment_charge_id: result.telegram_payment_charge_id,
    });
    expect(refund.body).toEqual({ ok: true, result: true });
    const chat = await anna.chat();
    expect(chat.at(-1)?.refunded_payment).toMatchObject({
      total_amount: 50,
      telegram_payment_charge_id: result.telegram_payment_charge_id,
    });
    await expect.poll(() => seen.refunds.length).toBe(1);

    const twice = await h.api("refundStarPayment", {
      user_id: anna.id,
      telegram_payment_charge_id: result.telegram_payment_charge_id,
    });
    expect(twice.body).toEqual({
      ok: false,
      error_code: 400,
      description: "Bad Request: CHARGE_ALREADY_REFUNDED",
    });
    const unknown = await h.api("refundStarPayment", {
      user_id: anna.id,
      telegram_payment_charge_id: "stxNOPE",
    });
    expect(unknown.body).toEqual({
      ok: false,
      error_code: 400,
      description: "Bad Request: CHARGE_NOT_FOUND",
    });
  });

  it("a declined pre-checkout means no payment, with the bot's error message", async () => {
    preCheckoutAnswer = () => ({ ok: false, error_message: "Собеседник недоступен" });
    const boris = await h.client.user("Борис");
    await boris.send("/tip");
    await boris.expectMessage("Чаевые");
    const paymentsBefore = seen.payments.length;
    const result = await boris.pay();
    expect(result).toEqual({ status: "declined", error_message: "Собеседник недоступен" });
    expect(seen.payments.length).toBe(paymentsBefore);
    expect((await boris.chat()).some((e) => e.successful_payment)).toBe(false);
  });

  it("an unanswered pre-checkout times out; a late answer is refused", async () => {
    let queryId = "";
    preCheckoutAnswer = (q) => {
      queryId = q.id;
      return "ignore";
    };
    const vera = await h.client.user("Вера");
    await vera.send("/tip");
    await vera.expectMessage("Чаевые");
    const result = await vera.pay();
    expect(result.status).toBe("timeout");
    expect((await vera.chat()).some((e) => e.successful_payment)).toBe(false);
    const late = await h.api("answerPreCheckoutQuery", { pre_checkout_query_id: queryId, ok: true });
    expect(late.body).toEqual({
      ok: false,
      error_code: 400,
      description: "Bad Request: query is too old and response timeout expired or query ID is invalid",
    });
  });

  it("ok:false without error_message is rejected", async () => {
    const { body } = await h.api("answerPreCheckoutQuery", { pre_checkout_query_id: "1", ok: false });
    expect(body).toEqual({ ok: false, error_code: 400, description: "Bad Request: ERROR_TEXT_EMPTY" });
  });
});
