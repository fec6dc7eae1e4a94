import { randomInt } from "node:crypto";
import type { MediaKind } from "../files.ts";
import type { CallbackAnswer, LoggerLike, TgMessage, TgUser, Update } from "../types.ts";

// The sandbox's state objects: a bot (queue, webhook, commands, pending queries) and its private chats.

export const TOKEN_RE = /^(\d+):[A-Za-z0-9_-]{10,}$/;

export const UPDATE_TYPES = [
  "message",
  "edited_message",
  "channel_post",
  "edited_channel_post",
  "business_connection",
  "business_message",
  "edited_business_message",
  "deleted_business_messages",
  "message_reaction",
  "message_reaction_count",
  "inline_query",
  "chosen_inline_result",
  "callback_query",
  "shipping_query",
  "pre_checkout_query",
  "purchased_paid_media",
  "poll",
  "poll_answer",
  "my_chat_member",
  "chat_member",
  "chat_join_request",
  "chat_boost",
  "removed_chat_boost",
];
/** Telegram's default when allowed_updates is empty: everything except these. */
export const OPT_IN_UPDATES = new Set(["chat_member", "message_reaction", "message_reaction_count"]);

export interface WorldOptions {
  clock: () => number;
  logger: LoggerLike;
  defaultToken: string;
  callbackTimeoutMs: number;
  preCheckoutTimeoutMs: number;
  webhookRetryBaseMs: number;
  webhookRetryMaxMs: number;
  webhookTimeoutMs: number;
  /** Executes a method a webhook answered with in its response body (Telegram's "webhook reply"). */
  onWebhookReply?: (bot: BotState, method: string, params: Record<string, unknown>) => Promise<void>;
  /** Told when a webhook accepted an update (2xx), with when its request started (load measurements). */
  onWebhookDelivered?: (bot: BotState, update: Update, requestStartedAt: number) => void;
  /** Added to every Bot API call's answer, like the network distance to Telegram (ms, default 0). */
  apiLatencyMs?: number;
  /**
   * How many recorded calls are kept for the control API (updates: a tenth). Default 20 000. The load
   * stand keeps few: records that live a minute or two and then die are what makes a long run's GC
   * pauses grow in the process that stamps every latency.
   */
  callLog?: number;
  /**
   * How many messages each private chat keeps (the oldest are forgotten first; unlimited by default).
   * The load stand keeps a few: a long run would otherwise hold every message ever sent.
   */
  messageHistory?: number;
}

export interface StoredMessage {
  sender: "bot" | "user";
  msg: TgMessage;
  /** Any reply_markup the bot attached (Telegram returns only inline keyboards inside Message). */
  markup?: Record<string, unknown>;
  mediaKind?: MediaKind;
  deleted: boolean;
  edited: boolean;
  paid?: boolean;
  invoicePayload?: string;
  reactions?: unknown[];
}

export class ChatState {
  nextMessageId = 1;
  readonly messages = new Map<number, StoredMessage>();
  /** The person has written to the bot at least once, so the bot may message them. */
  started = false;
  blocked = false;
  replyKeyboard: Record<string, unknown> | null = null;

  constructor(readonly user: TgUser) {}

  chat(): Record<string, unknown> {
    const c: Record<string, unknown> = {
      id: this.user.id,
      first_name: this.user.first_name,
      type: "private",
    };
    if (this.user.last_name) c.last_name = this.user.last_name;
    if (this.user.username) c.username = this.user.username;
    return c;
  }

  lastId(): number {
    return this.nextMessageId - 1;
  }
}

export interface Poller {
  finish(outcome: "update" | "timeout" | "terminated" | "closed"): void;
}

export interface WebhookState {
  url: string;
  secretToken?: string;
  maxConnections: number;
  hasCustomCertificate: boolean;
  ipAddress?: string;
  lastErrorDate?: number;
  lastErrorMessage?: string;
  failures: number;
  /** A scan for deliverable updates is running (guards re-entrancy). */
  delivering: boolean;
  /** update_ids being POSTed right now (at most maxConnections). */
  inFlight: Set<number>;
  /** Queue keys (chats) with a request in flight: their next update waits. */
  busyChats: Set<string>;
  /** Set while backing off after a failed delivery (epoch ms). */
  pausedUntil?: number;
  abort: AbortController;
  wakeSleep?: () => void;
}

export interface PendingQuery<T> {
  userId: number;
  createdAt: number;
  answered: boolean;
  resolve?: (value: T) => void;
}

export interface Charge {
  userId: number;
  amount: number;
  currency: string;
  payload: string;
  refunded: boolean;
}

export class BotState {
  readonly id: number;
  readonly user: TgUser;
  nextUpdateId: number;
  queue: Update[] = [];
  allowedUpdates: string[] = [];
  webhook: WebhookState | null = null;
  poller: Poller | null = null;
  readonly chats = new Map<number, ChatState>();
  readonly commands = new Map<string, unknown[]>();
  readonly texts = new Map<string, string>();
  readonly callbackQueries = new Map<string, PendingQuery<CallbackAnswer>>();
  readonly preCheckoutQueries = new Map<string, PendingQuery<{ ok: boolean; error_message?: string }>>();
  readonly charges = new Map<string, Charge>();
  readonly invoiceLinks = new Map<string, Record<string, unknown>>();

  constructor(
    readonly token: string,
    isDefault: boolean,
  ) {
    this.id = Number(token.split(":")[0]);
    this.user = {
      id: this.id,
      is_bot: true,
      first_name: "Ты не один (sandbox)",
      username: isDefault ? "tyneodin_sandbox_bot" : `tyneodin_sandbox_${this.id}_bot`,
    };
    this.nextUpdateId = 100_000 + randomInt(1, 900_000);
  }

  getMe(): Record<string, unknown> {
    return {
      ...this.user,
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
    };
  }
}

export interface SandboxUser extends TgUser {
  created_at: number;
}

export function publicUser(user: TgUser): TgUser {
  const out: TgUser = { id: user.id, is_bot: user.is_bot, first_name: user.first_name };
  if (user.last_name) out.last_name = user.last_name;
  if (user.username) out.username = user.username;
  if (user.language_code) out.language_code = user.language_code;
  return out;
}
