/** Shared shapes of the sandbox: Telegram objects it builds and the control API's views. */

export interface TgUser {
  id: number;
  is_bot: boolean;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

export type TgMessage = Record<string, unknown> & { message_id: number; date: number };

export type Update = Record<string, unknown> & { update_id: number };

/** A pino-compatible logger; every method is optional so `console` or nothing also works. */
export interface LoggerLike {
  debug?(obj: unknown, msg?: string): void;
  info?(obj: unknown, msg?: string): void;
  warn?(obj: unknown, msg?: string): void;
  error?(obj: unknown, msg?: string): void;
}

/** A message of a person's chat with the bot, as Telegram would show it to that person. */
export interface ChatEntry {
  message_id: number;
  from: "bot" | "user";
  date: number;
  text?: string;
  entities?: unknown[];
  caption?: string;
  caption_entities?: unknown[];
  media?: Record<string, unknown>;
  media_group_id?: string;
  reply_markup?: Record<string, unknown>;
  invoice?: Record<string, unknown>;
  contact?: Record<string, unknown>;
  location?: Record<string, unknown>;
  venue?: Record<string, unknown>;
  dice?: Record<string, unknown>;
  /** A service message: this message of the chat was pinned. */
  pinned_message_id?: number;
  successful_payment?: Record<string, unknown>;
  refunded_payment?: Record<string, unknown>;
  forwarded?: boolean;
  reactions?: unknown[];
  edited?: boolean;
  deleted?: boolean;
  reply_to_message_id?: number;
}

export interface CallRecord {
  seq: number;
  bot_id: number;
  method: string;
  params: Record<string, unknown>;
  ok: boolean;
  result?: unknown;
  error?: { error_code: number; description: string; parameters?: unknown };
  at: number;
}

/** An update the sandbox queued for a bot (kept for the playground's raw panel; the last 2 000). */
export interface UpdateRecord {
  seq: number;
  bot_id: number;
  update_id: number;
  type: string;
  update: Record<string, unknown>;
  at: number;
}

export interface FaultSpec {
  method: string;
  error_code?: number;
  count?: number;
  retry_after?: number;
  latency_ms?: number;
  description?: string;
}

export type PaymentStatus = "paid" | "declined" | "timeout";

export interface PaymentResult {
  status: PaymentStatus;
  telegram_payment_charge_id?: string;
  error_message?: string;
  message_id?: number;
}

export interface CallbackAnswer {
  text?: string;
  show_alert: boolean;
  url?: string;
}

/** What the playground and SSE subscribers receive. */
export type SandboxEvent =
  | { type: "user"; user: TgUser }
  | { type: "message"; user_id: number; entry: ChatEntry }
  | { type: "edit"; user_id: number; entry: ChatEntry }
  | { type: "delete"; user_id: number; message_id: number }
  | { type: "callback_answer"; user_id: number; answer: CallbackAnswer }
  | { type: "chat_action"; user_id: number; action: string }
  | { type: "keyboard"; user_id: number; keyboard: Record<string, unknown> | null }
  | { type: "block"; user_id: number; blocked: boolean }
  | { type: "payment"; user_id: number; result: PaymentResult }
  /** The bot changed its command menu (setMyCommands / deleteMyCommands): people's menus may differ now. */
  | { type: "commands"; bot_id: number }
  | { type: "reset" };

/** The developer's stream (`/sandbox/events?raw=1` adds these): every Bot API call and queued update. */
export type RawEvent = { type: "call"; call: CallRecord } | { type: "update"; update: UpdateRecord };
