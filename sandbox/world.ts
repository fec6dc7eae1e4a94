import { EventEmitter } from "node:events";
import { ControlError } from "./errors.ts";
import { FileStore, type MediaKind } from "./files.ts";
import type {
  CallRecord,
  FaultSpec,
  RawEvent,
  SandboxEvent,
  TgMessage,
  TgUser,
  Update,
  UpdateRecord,
} from "./types.ts";
import { Upload } from "./validate.ts";
import { toEntry } from "./world/chat-view.ts";
import {
  BotState,
  ChatState,
  OPT_IN_UPDATES,
  publicUser,
  type SandboxUser,
  type StoredMessage,
  TOKEN_RE,
  type WorldOptions,
} from "./world/state.ts";
import { pumpWebhook, stopWebhook } from "./world/webhooks.ts";

// The world's parts live in ./world/ as functions of the World (people acting, buttons, payments,
// polling, webhooks, faults, the chat view); these re-exports keep imports of `./world.ts` working.
export { isObject, toInt } from "./util.ts";
export { toEntry } from "./world/chat-view.ts";
export {
  BotState,
  type Charge,
  ChatState,
  publicUser,
  type SandboxUser,
  type StoredMessage,
  TOKEN_RE,
  UPDATE_TYPES,
  type WorldOptions,
} from "./world/state.ts";

/** Everything the emulator knows: people, bots, their chats and update queues, files, calls and faults. */
export class World {
  readonly users = new Map<number, SandboxUser>();
  readonly bots = new Map<string, BotState>();
  readonly files = new FileStore();
  readonly events = new EventEmitter();
  calls: CallRecord[] = [];
  private callSeq = 0;
  updates: UpdateRecord[] = [];
  private updateSeq = 0;
  faults: (FaultSpec & { remaining: number })[] = [];
  private nextUserId = 1_000_001;
  /** Pending timers (callback and pre-checkout waits, webhook backoff), cleared on close. */
  readonly timers = new Set<NodeJS.Timeout>();
  closed = false;
  /** Counters that let tests prove the absence of busy loops. */
  readonly stats = { pollChecks: 0, webhookAttempts: 0 };

  private readonly callLogSize: number;

  constructor(readonly opts: WorldOptions) {
    this.events.setMaxListeners(0);
    this.callLogSize = opts.callLog ?? 20_000;
  }

  now(): number {
    return Math.floor(this.opts.clock() / 1000);
  }

  emit(event: SandboxEvent): void {
    this.events.emit("event", event);
  }

  /** Developer-only events (calls and updates); only subscribers of `?raw=1` pay for them. */
  emitRaw(event: RawEvent): void {
    if (this.events.listenerCount("raw") > 0) this.events.emit("raw", event);
  }

  // ------------------------------------------------------------ bots

  /** The bot a token stands for; any well-formed token gets its own identity. */
  botFor(token: string): BotState | undefined {
    if (!TOKEN_RE.test(token)) return undefined;
    let bot = this.bots.get(token);
    if (!bot) {
      bot = new BotState(token, token === this.opts.defaultToken);
      this.bots.set(token, bot);
    }
    return bot;
  }

  defaultBot(): BotState {
    return this.botFor(this.opts.defaultToken)!;
  }

  /** A bot chosen by the control API: `bot` may be a token or a bot id; default: the sandbox token. */
  pickBot(ref: string | undefined): BotState {
    if (!ref) return this.defaultBot();
    if (TOKEN_RE.test(ref)) return this.botFor(ref)!;
    for (const bot of this.bots.values()) if (String(bot.id) === ref) return bot;
    throw new ControlError(404, "bot_not_found", `no bot with id ${ref} has called the sandbox yet`);
  }

  chatOf(bot: BotState, user: TgUser): ChatState {
    let chat = bot.chats.get(user.id);
    if (!chat) {
      chat = new ChatState(user);
      bot.chats.set(user.id, chat);
    }
    return chat;
  }

  // ------------------------------------------------------------ users

  createUser(input: {
    first_name: string;
    last_name?: string;
    username?: string;
    language_code?: string;
  }): SandboxUser {
    const user: SandboxUser = {
      id: this.nextUserId++,
      is_bot: false,
      first_name: input.first_name,
      language_code: input.language_code ?? "ru",
      created_at: this.now(),
    };
    if (input.last_name) user.last_name = input.last_name;
    if (input.username) user.username = input.username;
    this.users.set(user.id, user);
    this.emit({ type: "user", user: publicUser(user) });
    return user;
  }

  user(id: number): SandboxUser {
    const user = this.users.get(id);
    if (!user) throw new ControlError(404, "user_not_found", `no sandbox user with id ${id}`);
    return user;
  }

  // ------------------------------------------------------------ the update queue

  enqueue(bot: BotState, type: string, payload: unknown): void {
    const allowed = bot.allowedUpdates;
    const wanted = allowed.length > 0 ? allowed.includes(type) : !OPT_IN_UPDATES.has(type);
    if (!wanted) return;
    const update: Update = { update_id: bot.nextUpdateId++, [type]: payload };
    bot.queue.push(update);
    const record: UpdateRecord = {
      seq: ++this.updateSeq,
      bot_id: bot.id,
      update_id: update.update_id,
      type,
      update,
      at: this.opts.clock(),
    };
    this.updates.push(record);
    const keepUpdates = Math.ceil(this.callLogSize / 10);
    if (this.updates.length > keepUpdates) this.updates.splice(0, this.updates.length - keepUpdates);
    this.emitRaw({ type: "update", update: record });
    if (bot.queue.length > 100_000) bot.queue.shift();
    bot.poller?.finish("update");
    if (bot.webhook) void pumpWebhook(this, bot);
  }

  // ------------------------------------------------------------ recorded calls

  recordCall(record: Omit<CallRecord, "seq" | "at">): CallRecord {
    const full: CallRecord = { seq: ++this.callSeq, at: this.opts.clock(), ...record };
    full.params = sanitize(record.params) as Record<string, unknown>;
    this.calls.push(full);
    if (this.calls.length > this.callLogSize) this.calls.splice(0, this.calls.length - this.callLogSize);
    this.emitRaw({ type: "call", call: full });
    return full;
  }

  // ------------------------------------------------------------ messages

  addMessage(
    bot: BotState,
    chat: ChatState,
    sender: "bot" | "user",
    content: Record<string, unknown>,
    extra: {
      markup?: Record<string, unknown>;
      replyTo?: number;
      mediaKind?: MediaKind;
      /** false: the markup is what the client draws (a default Pay button), not part of the Message. */
      markupInMessage?: boolean;
      invoicePayload?: string;
    } = {},
  ): StoredMessage {
    const msg: TgMessage = {
      message_id: chat.nextMessageId++,
      from: sender === "bot" ? bot.user : publicUser(chat.user),
      chat: chat.chat(),
      date: this.now(),
      ...content,
    };
    if (extra.replyTo !== undefined) {
      const target = chat.messages.get(extra.replyTo);
      if (target && !target.deleted) {
        const { reply_to_message: _nested, ...shallow } = target.msg;
        msg.reply_to_message = shallow;
      }
    }
    if (extra.markup?.inline_keyboard && extra.markupInMessage !== false) msg.reply_markup = extra.markup;
    const stored: StoredMessage = { sender, msg, deleted: false, edited: false };
    if (extra.invoicePayload !== undefined) stored.invoicePayload = extra.invoicePayload;
    if (extra.markup) stored.markup = extra.markup;
    if (extra.mediaKind) stored.mediaKind = extra.mediaKind;
    chat.messages.set(msg.message_id, stored);
    const keep = this.opts.messageHistory;
    if (keep !== undefined && chat.messages.size > keep) {
      // Maps iterate in insertion order: the first key is the oldest message.
      chat.messages.delete(chat.messages.keys().next().value!);
    }
    this.emit({ type: "message", user_id: chat.user.id, entry: toEntry(stored, this.files) });
    if (sender === "bot" && extra.markup) {
      if (extra.markup.keyboard) this.setReplyKeyboard(chat, extra.markup);
      else if (extra.markup.remove_keyboard) this.setReplyKeyboard(chat, null);
    }
    return stored;
  }

  setReplyKeyboard(chat: ChatState, keyboard: Record<string, unknown> | null): void {
    chat.replyKeyboard = keyboard;
    this.emit({ type: "keyboard", user_id: chat.user.id, keyboard });
  }

  // ------------------------------------------------------------ lifecycle

  reset(): void {
    for (const bot of this.bots.values()) this.releaseBot(bot);
    this.bots.clear();
    this.users.clear();
    this.files.clear();
    this.calls = [];
    this.updates = [];
    this.faults = [];
    this.emit({ type: "reset" });
  }

  private releaseBot(bot: BotState): void {
    bot.poller?.finish("closed");
    stopWebhook(bot);
    for (const q of bot.callbackQueries.values()) q.answered = true;
    for (const q of bot.preCheckoutQueries.values())
      q.resolve?.({ ok: false, error_message: "sandbox reset" });
  }

  close(): void {
    this.closed = true;
    for (const bot of this.bots.values()) this.releaseBot(bot);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.events.emit("close");
  }
}

function sanitize(value: unknown, depth = 0): unknown {
  if (value instanceof Upload) return { upload: value.filename, size: value.data.length };
  if (depth > 8 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => sanitize(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, sanitize(v, depth + 1)]));
}
