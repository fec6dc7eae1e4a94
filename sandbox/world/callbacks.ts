import { randomInt } from "node:crypto";
import { badRequest, ControlError } from "../errors.ts";
import type { CallbackAnswer } from "../types.ts";
import type { World } from "../world.ts";
import { pay } from "./payments.ts";
import { userSends } from "./people.ts";
import { type BotState, type ChatState, type PendingQuery, publicUser, type StoredMessage } from "./state.ts";

// Buttons: a person clicks an inline or reply-keyboard button; the bot answers the callback query.

/**
 * A person presses a button. Inline callback buttons resolve with the bot's answerCallbackQuery;
 * a reply-keyboard button is sent as a plain message; a Pay button starts the payment.
 */
export async function click(
  world: World,
  bot: BotState,
  userId: number,
  input: { message_id?: number; data?: string; button_text?: string; timeout_ms?: number },
): Promise<Record<string, unknown>> {
  const user = world.user(userId);
  const chat = world.chatOf(bot, user);
  const cursor = chat.lastId();
  let target: StoredMessage | undefined;
  let data = input.data;
  if (input.message_id !== undefined) {
    target = chat.messages.get(input.message_id);
    if (!target || target.deleted || target.sender !== "bot") {
      throw new ControlError(404, "message_not_found", `no bot message ${input.message_id} in this chat`);
    }
    if (data === undefined && input.button_text !== undefined) {
      const button = findInlineButton(target, input.button_text);
      if (!button)
        throw new ControlError(404, "button_not_found", `message has no button «${input.button_text}»`);
      if (button.pay === true)
        return { ...(await pay(world, bot, userId, { message_id: input.message_id })), cursor };
      if (typeof button.callback_data !== "string") return { url: button.url, cursor };
      data = button.callback_data;
    }
    if (data === undefined) throw new ControlError(400, "bad_input", "give data or button_text");
  } else if (input.button_text !== undefined) {
    const text = input.button_text;
    const ids = [...chat.messages.keys()].sort((a, b) => b - a);
    for (const id of ids) {
      const m = chat.messages.get(id)!;
      if (m.deleted || m.sender !== "bot") continue;
      const button = findInlineButton(m, text);
      if (!button) continue;
      if (button.pay === true) return { ...(await pay(world, bot, userId, { message_id: id })), cursor };
      if (typeof button.callback_data !== "string") return { url: button.url, cursor };
      target = m;
      data = button.callback_data;
      break;
    }
    if (!target) {
      const replyButton = findReplyButton(chat.replyKeyboard, text);
      if (!replyButton) throw new ControlError(404, "button_not_found", `no button «${text}» in this chat`);
      const content: Record<string, unknown> = replyButton.request_contact
        ? { contact: { phone_number: "+79990000000", first_name: user.first_name, user_id: user.id } }
        : replyButton.request_location
          ? { location: { latitude: 55.7558, longitude: 37.6173 } }
          : { text };
      const { stored } = userSends(world, bot, userId, content);
      return { sent_message_id: stored.msg.message_id, cursor };
    }
  } else {
    throw new ControlError(400, "bad_input", "give {message_id, data} or {button_text}");
  }
  const answer = await pressCallback(world, bot, chat, target!, data!, input.timeout_ms);
  return { ...answer, cursor };
}

function pressCallback(
  world: World,
  bot: BotState,
  chat: ChatState,
  target: StoredMessage,
  data: string,
  timeoutMs: number | undefined,
): Promise<CallbackAnswer> {
  const id = `${BigInt(chat.user.id) * 1000n + BigInt(randomInt(0, 999))}${randomInt(100000, 999999)}`;
  const query: PendingQuery<CallbackAnswer> = {
    userId: chat.user.id,
    createdAt: world.opts.clock(),
    answered: false,
  };
  bot.callbackQueries.set(id, query);
  const waitMs = timeoutMs ?? world.opts.callbackTimeoutMs;
  const promise = new Promise<CallbackAnswer>((resolve, reject) => {
    const timer = setTimeout(() => {
      query.resolve = undefined;
      reject(
        new ControlError(
          504,
          "callback_timeout",
          `the bot did not answer the callback query within ${waitMs} ms`,
        ),
      );
    }, waitMs);
    world.timers.add(timer);
    query.resolve = (answer) => {
      clearTimeout(timer);
      world.timers.delete(timer);
      resolve(answer);
    };
  });
  world.enqueue(bot, "callback_query", {
    id,
    from: publicUser(chat.user),
    message: target.msg,
    chat_instance: String(BigInt(bot.id) * 7919n + BigInt(chat.user.id)),
    data,
  });
  return promise;
}

export function answerCallback(world: World, bot: BotState, queryId: string, answer: CallbackAnswer): void {
  const query = bot.callbackQueries.get(queryId);
  if (!query || query.answered || world.opts.clock() - query.createdAt > 15 * 60_000) {
    throw badRequest("query is too old and response timeout expired or query ID is invalid");
  }
  query.answered = true;
  query.resolve?.(answer);
  world.emit({ type: "callback_answer", user_id: query.userId, answer });
}

function findInlineButton(m: StoredMessage, text: string): Record<string, unknown> | undefined {
  const rows = m.markup?.inline_keyboard;
  if (!Array.isArray(rows)) return undefined;
  for (const row of rows as Record<string, unknown>[][]) {
    for (const b of row) if (typeof b.text === "string" && b.text.trim() === text.trim()) return b;
  }
  return undefined;
}

function findReplyButton(
  keyboard: Record<string, unknown> | null,
  text: string,
): Record<string, unknown> | undefined {
  const rows = keyboard?.keyboard;
  if (!Array.isArray(rows)) return undefined;
  for (const row of rows as Record<string, unknown>[][]) {
    for (const b of row) if (b.text === text) return b;
  }
  return undefined;
}
