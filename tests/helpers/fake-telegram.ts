import type { Api, RawApi } from "grammy";
import type { UserFromGetMe } from "grammy/types";

export const TEST_BOT_INFO: UserFromGetMe = {
  id: 7000000001,
  is_bot: true,
  first_name: "Ты не один (test)",
  username: "tyneodin_test_bot",
  can_join_groups: false,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
  can_manage_bots: false,
} as UserFromGetMe;

export interface RecordedCall {
  method: keyof RawApi | string;
  payload: Record<string, unknown>;
}

/**
 * Replaces the network under a bot with a recorder: every Bot API call is captured and answered
 * like Telegram would for a private chat. `failWith` makes matching calls fail like Telegram does.
 */
export function recordTelegramCalls(
  bot: { api: Api },
  opts: { failWith?: (call: RecordedCall) => { error_code: number; description: string } | undefined } = {},
) {
  const calls: RecordedCall[] = [];
  let messageId = 1000;
  bot.api.config.use(async (_prev, method, payload) => {
    const call = { method, payload: (payload ?? {}) as Record<string, unknown> };
    calls.push(call);
    const failure = opts.failWith?.(call);
    if (failure) return { ok: false, ...failure } as never;
    if (method === "sendMessage") {
      return {
        ok: true,
        result: {
          message_id: ++messageId,
          date: Math.floor(Date.now() / 1000),
          chat: { id: Number(call.payload.chat_id), type: "private", first_name: "x" },
          text: String(call.payload.text ?? ""),
        },
      } as never;
    }
    return { ok: true, result: true } as never;
  });
  return calls;
}

let nextUpdateId = 1;

export function textUpdate(from: { id: number; first_name: string; username?: string }, text: string) {
  const isCommand = text.startsWith("/");
  return {
    update_id: nextUpdateId++,
    message: {
      message_id: nextUpdateId + 500,
      date: Math.floor(Date.now() / 1000),
      chat: {
        id: from.id,
        type: "private",
        first_name: from.first_name,
        ...(from.username ? { username: from.username } : {}),
      },
      from: {
        id: from.id,
        is_bot: false,
        first_name: from.first_name,
        language_code: "ru",
        ...(from.username ? { username: from.username } : {}),
      },
      text,
      ...(isCommand
        ? { entities: [{ type: "bot_command", offset: 0, length: text.split(" ")[0]!.length }] }
        : {}),
    },
  };
}

export function callbackUpdate(from: { id: number; first_name: string; username?: string }, data: string) {
  return {
    update_id: nextUpdateId++,
    callback_query: {
      id: String(nextUpdateId * 7),
      chat_instance: "ci-1",
      data,
      from: {
        id: from.id,
        is_bot: false,
        first_name: from.first_name,
        language_code: "ru",
        ...(from.username ? { username: from.username } : {}),
      },
      message: {
        message_id: 1001,
        date: Math.floor(Date.now() / 1000),
        chat: { id: from.id, type: "private", first_name: from.first_name },
        from: { id: TEST_BOT_INFO.id, is_bot: true, first_name: TEST_BOT_INFO.first_name },
        text: "…",
      },
    },
  };
}
