import { randomBytes, randomInt } from "node:crypto";
import { badRequest, ControlError } from "../errors.ts";
import type { PaymentResult, TgUser } from "../types.ts";
import { isObject } from "../util.ts";
import type { World } from "../world.ts";
import { type BotState, type ChatState, type PendingQuery, publicUser, type StoredMessage } from "./state.ts";

// Stars payments: pre_checkout_query → the bot's answer → successful_payment; refunds.

type PreCheckoutAnswer = { ok: boolean; error_message?: string };

/** A person pays an invoice message with Stars: pre_checkout_query → bot's answer → successful_payment. */
export async function pay(
  world: World,
  bot: BotState,
  userId: number,
  input: { message_id?: number; timeout_ms?: number },
): Promise<PaymentResult & { cursor: number }> {
  const user = world.user(userId);
  const chat = world.chatOf(bot, user);
  const cursor = chat.lastId();
  const invoiceMessage = findInvoice(chat, input.message_id);
  const invoice = invoiceMessage.msg.invoice as Record<string, unknown>;
  const payload = invoiceMessage.invoicePayload ?? "";
  const waitMs = input.timeout_ms ?? world.opts.preCheckoutTimeoutMs;
  const answer = await askPreCheckout(world, bot, user, invoice, payload, waitMs);
  let result: PaymentResult;
  if (answer === null) {
    result = { status: "timeout", error_message: "the bot did not answer the pre-checkout query in time" };
  } else if (!answer.ok) {
    result = { status: "declined", error_message: answer.error_message ?? "" };
  } else {
    result = settle(world, bot, chat, invoiceMessage, payload);
  }
  world.emit({ type: "payment", user_id: userId, result });
  return { ...result, cursor };
}

/** The invoice to pay: the given message, else the newest invoice of the chat; it must be unpaid. */
function findInvoice(chat: ChatState, messageId: number | undefined): StoredMessage {
  let invoiceMessage: StoredMessage | undefined;
  if (messageId !== undefined) {
    invoiceMessage = chat.messages.get(messageId);
  } else {
    const ids = [...chat.messages.keys()].sort((a, b) => b - a);
    invoiceMessage = ids
      .map((id) => chat.messages.get(id)!)
      .find((m) => !m.deleted && m.msg.invoice !== undefined);
  }
  if (!invoiceMessage || invoiceMessage.deleted || !isObject(invoiceMessage.msg.invoice)) {
    throw new ControlError(404, "invoice_not_found", "no invoice to pay in this chat");
  }
  if (invoiceMessage.paid) throw new ControlError(409, "already_paid", "this invoice has already been paid");
  return invoiceMessage;
}

/** Queues a pre_checkout_query and waits for answerPreCheckoutQuery; null when the bot is too late. */
function askPreCheckout(
  world: World,
  bot: BotState,
  user: TgUser,
  invoice: Record<string, unknown>,
  payload: string,
  waitMs: number,
): Promise<PreCheckoutAnswer | null> {
  const id = `${randomInt(1_000_000, 9_999_999)}${randomInt(1_000_000, 9_999_999)}`;
  const query: PendingQuery<PreCheckoutAnswer> = {
    userId: user.id,
    createdAt: world.opts.clock(),
    answered: false,
  };
  bot.preCheckoutQueries.set(id, query);
  return new Promise<PreCheckoutAnswer | null>((resolve) => {
    const timer = setTimeout(() => {
      query.resolve = undefined;
      query.answered = true; // a late answer is "too old", like Telegram after 10 s
      resolve(null);
    }, waitMs);
    world.timers.add(timer);
    query.resolve = (a) => {
      clearTimeout(timer);
      world.timers.delete(timer);
      resolve(a);
    };
    world.enqueue(bot, "pre_checkout_query", {
      id,
      from: publicUser(user),
      currency: invoice.currency,
      total_amount: invoice.total_amount,
      invoice_payload: payload,
    });
  });
}

/** The bot said yes: a charge is recorded and the bot gets the successful_payment message. */
function settle(
  world: World,
  bot: BotState,
  chat: ChatState,
  invoiceMessage: StoredMessage,
  payload: string,
): PaymentResult {
  const invoice = invoiceMessage.msg.invoice as Record<string, unknown>;
  const chargeId = `stxSBX${randomBytes(24).toString("base64url")}`;
  bot.charges.set(chargeId, {
    userId: chat.user.id,
    amount: Number(invoice.total_amount),
    currency: String(invoice.currency),
    payload,
    refunded: false,
  });
  invoiceMessage.paid = true;
  const stored = world.addMessage(bot, chat, "user", {
    successful_payment: {
      currency: invoice.currency,
      total_amount: invoice.total_amount,
      invoice_payload: payload,
      telegram_payment_charge_id: chargeId,
      provider_payment_charge_id: "",
    },
  });
  world.enqueue(bot, "message", stored.msg);
  return { status: "paid", telegram_payment_charge_id: chargeId, message_id: stored.msg.message_id };
}

export function answerPreCheckout(bot: BotState, queryId: string, ok: boolean, errorMessage?: string): void {
  const query = bot.preCheckoutQueries.get(queryId);
  if (!query || query.answered) {
    throw badRequest("query is too old and response timeout expired or query ID is invalid");
  }
  query.answered = true;
  const answer: { ok: boolean; error_message?: string } = { ok };
  if (errorMessage !== undefined) answer.error_message = errorMessage;
  query.resolve?.(answer);
}

export function refund(world: World, bot: BotState, userId: number, chargeId: string): void {
  const charge = bot.charges.get(chargeId);
  if (!charge || charge.userId !== userId) throw badRequest("CHARGE_NOT_FOUND");
  if (charge.refunded) throw badRequest("CHARGE_ALREADY_REFUNDED");
  charge.refunded = true;
  const chat = world.chatOf(bot, world.user(userId));
  const stored = world.addMessage(bot, chat, "user", {
    refunded_payment: {
      currency: charge.currency,
      total_amount: charge.amount,
      invoice_payload: charge.payload,
      telegram_payment_charge_id: chargeId,
    },
  });
  world.enqueue(bot, "message", stored.msg);
}
