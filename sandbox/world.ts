import { randomBytes, randomInt } from "node:crypto";
import { EventEmitter } from "node:events";
import { ApiError, badRequest, ControlError, conflict } from "./errors.ts";
import {
  FileStore,
  isMediaKind,
  type MediaKind,
  type MediaSpec,
  type MediaValue,
  mediaSummary,
} from "./files.ts";
import type {
  CallbackAnswer,
  CallRecord,
  ChatEntry,
  FaultSpec,
  LoggerLike,
  PaymentResult,
  RawEvent,
  SandboxEvent,
  TgMessage,
  TgUser,
  Update,
  UpdateRecord,
} from "./types.ts";
import { Upload } from "./validate.ts";

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
const OPT_IN_UPDATES = new Set(["chat_member", "message_reaction", "message_reaction_count"]);

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

interface Poller {
  finish(outcome: "update" | "timeout" | "terminated" | "closed"): void;
}

interface WebhookState {
  url: string;
  secretToken?: string;
  maxConnections: number;
  hasCustomCertificate: boolean;
  ipAddress?: string;
  lastErrorDate?: number;
  lastErrorMessage?: string;
  failures: number;
  delivering: boolean;
  abort: AbortController;
  wakeSleep?: () => void;
}

interface PendingQuery<T> {
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
  private readonly timers = new Set<NodeJS.Timeout>();
  closed = false;
  /** Counters that let tests prove the absence of busy loops. */
  readonly stats = { pollChecks: 0, webhookAttempts: 0 };

  constructor(readonly opts: WorldOptions) {
    this.events.setMaxListeners(0);
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

  // ------------------------------------------------------------ updates, long polling, webhooks

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
    if (this.updates.length > 2_000) this.updates.splice(0, this.updates.length - 2_000);
    this.emitRaw({ type: "update", update: record });
    if (bot.queue.length > 100_000) bot.queue.shift();
    bot.poller?.finish("update");
    if (bot.webhook) void this.pumpWebhook(bot);
  }

  private confirm(bot: BotState, offset: number): void {
    if (offset < 0) {
      bot.queue = bot.queue.slice(Math.max(0, bot.queue.length + offset));
    } else {
      bot.queue = bot.queue.filter((u) => u.update_id >= offset);
    }
  }

  private take(bot: BotState, limit: number): Update[] {
    this.stats.pollChecks++;
    return bot.queue.slice(0, limit);
  }

  /**
   * getUpdates with true long polling: resolves as soon as an update is queued, or after `timeout`
   * seconds, without polling in a loop. A newer call terminates the older one with 409, like Telegram.
   */
  async getUpdates(
    bot: BotState,
    params: { offset?: number; limit?: number; timeout?: number; allowed_updates?: string[] },
    onDisconnect: (cb: () => void) => void,
  ): Promise<Update[]> {
    if (bot.webhook) {
      throw conflict(
        "can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      );
    }
    if (params.allowed_updates)
      bot.allowedUpdates = params.allowed_updates.filter((t) => UPDATE_TYPES.includes(t));
    if (params.offset !== undefined && params.offset !== 0) this.confirm(bot, params.offset);
    bot.poller?.finish("terminated");
    const limit = params.limit ?? 100;
    const timeout = Math.min(Math.max(params.timeout ?? 0, 0), 50);
    const first = this.take(bot, limit);
    if (first.length > 0 || timeout === 0 || this.closed) return first;
    const outcome = await new Promise<"update" | "timeout" | "terminated" | "closed">((resolve) => {
      let done = false;
      const poller: Poller = {
        finish: (o) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          if (bot.poller === poller) bot.poller = null;
          resolve(o);
        },
      };
      const timer = setTimeout(() => poller.finish("timeout"), timeout * 1000);
      bot.poller = poller;
      onDisconnect(() => poller.finish("closed"));
    });
    if (outcome === "terminated") {
      throw conflict(
        "terminated by other getUpdates request; make sure that only one bot instance is running",
      );
    }
    if (outcome === "closed") return [];
    return this.take(bot, limit);
  }

  setWebhook(
    bot: BotState,
    p: {
      url: string;
      secret_token?: string;
      max_connections?: number;
      allowed_updates?: string[];
      drop_pending_updates?: boolean;
      certificate?: unknown;
      ip_address?: string;
    },
  ): void {
    if (p.url === "") {
      this.deleteWebhook(bot, p.drop_pending_updates === true);
      return;
    }
    let parsed: URL;
    try {
      parsed = new URL(p.url);
    } catch {
      throw badRequest("bad webhook: Failed to resolve host: Name or service not known");
    }
    // Telegram demands HTTPS; the sandbox also accepts http so a local bot can receive updates.
    if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
      throw badRequest("bad webhook: An HTTPS URL must be provided for webhook");
    }
    if (p.drop_pending_updates) bot.queue = [];
    if (p.allowed_updates) bot.allowedUpdates = p.allowed_updates.filter((t) => UPDATE_TYPES.includes(t));
    this.stopWebhook(bot);
    const hook: WebhookState = {
      url: p.url,
      maxConnections: p.max_connections ?? 40,
      hasCustomCertificate: p.certificate !== undefined,
      failures: 0,
      delivering: false,
      abort: new AbortController(),
    };
    if (p.secret_token) hook.secretToken = p.secret_token;
    if (p.ip_address) hook.ipAddress = p.ip_address;
    bot.webhook = hook;
    bot.poller?.finish("terminated");
    void this.pumpWebhook(bot);
  }

  deleteWebhook(bot: BotState, dropPending: boolean): void {
    this.stopWebhook(bot);
    if (dropPending) bot.queue = [];
  }

  private stopWebhook(bot: BotState): void {
    const hook = bot.webhook;
    if (!hook) return;
    bot.webhook = null;
    hook.abort.abort();
    hook.wakeSleep?.();
  }

  webhookInfo(bot: BotState): Record<string, unknown> {
    const hook = bot.webhook;
    const info: Record<string, unknown> = {
      url: hook?.url ?? "",
      has_custom_certificate: hook?.hasCustomCertificate ?? false,
      pending_update_count: bot.queue.length,
    };
    if (hook) {
      info.max_connections = hook.maxConnections;
      if (hook.ipAddress) info.ip_address = hook.ipAddress;
      if (hook.lastErrorDate) {
        info.last_error_date = hook.lastErrorDate;
        info.last_error_message = hook.lastErrorMessage;
      }
      if (bot.allowedUpdates.length > 0) info.allowed_updates = bot.allowedUpdates;
    }
    return info;
  }

  /** Delivers queued updates one by one, in order; retries failures with exponential backoff. */
  private async pumpWebhook(bot: BotState): Promise<void> {
    const hook = bot.webhook;
    if (!hook || hook.delivering) return;
    hook.delivering = true;
    try {
      while (!this.closed && bot.webhook === hook && bot.queue.length > 0) {
        const update = bot.queue[0]!;
        const delivered = await this.postUpdate(bot, hook, update);
        if (bot.webhook !== hook || this.closed) break;
        if (delivered) {
          hook.failures = 0;
          bot.queue = bot.queue.filter((u) => u.update_id !== update.update_id);
          continue;
        }
        hook.failures++;
        const delay = Math.min(
          this.opts.webhookRetryBaseMs * 2 ** (hook.failures - 1),
          this.opts.webhookRetryMaxMs,
        );
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, delay);
          this.timers.add(timer);
          function done() {
            clearTimeout(timer);
            resolve();
          }
          hook.wakeSleep = () => {
            this.timers.delete(timer);
            done();
          };
        });
        hook.wakeSleep = undefined;
      }
    } finally {
      hook.delivering = false;
    }
  }

  private async postUpdate(bot: BotState, hook: WebhookState, update: Update): Promise<boolean> {
    this.stats.webhookAttempts++;
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (hook.secretToken) headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secretToken;
    const fail = (message: string) => {
      hook.lastErrorDate = this.now();
      hook.lastErrorMessage = message;
      this.opts.logger.warn?.(
        { bot: bot.id, update_id: update.update_id, message },
        "sandbox webhook delivery failed",
      );
      return false;
    };
    try {
      const res = await fetch(hook.url, {
        method: "POST",
        headers,
        body: JSON.stringify(update),
        signal: AbortSignal.any([hook.abort.signal, AbortSignal.timeout(this.opts.webhookTimeoutMs)]),
      });
      const body = await res.text();
      if (!res.ok) return fail(`Wrong response from the webhook: ${res.status} ${res.statusText}`);
      await this.handleWebhookReply(bot, body);
      return true;
    } catch (err) {
      if (hook.abort.signal.aborted) return false;
      const name = (err as Error).name;
      return fail(name === "TimeoutError" ? "Read timeout expired" : "Connection refused");
    }
  }

  private async handleWebhookReply(bot: BotState, body: string): Promise<void> {
    if (!body || !this.opts.onWebhookReply) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return;
    }
    if (typeof parsed !== "object" || parsed === null) return;
    const { method, ...params } = parsed as Record<string, unknown>;
    if (typeof method !== "string") return;
    await this.opts.onWebhookReply(bot, method, params).catch(() => undefined);
  }

  // ------------------------------------------------------------ calls and faults

  recordCall(record: Omit<CallRecord, "seq" | "at">): CallRecord {
    const full: CallRecord = { seq: ++this.callSeq, at: this.opts.clock(), ...record };
    full.params = sanitize(record.params) as Record<string, unknown>;
    this.calls.push(full);
    if (this.calls.length > 20_000) this.calls.splice(0, this.calls.length - 20_000);
    this.emitRaw({ type: "call", call: full });
    return full;
  }

  addFault(spec: FaultSpec): void {
    const count = spec.count ?? (spec.error_code ? 1 : Number.POSITIVE_INFINITY);
    this.faults.push({ ...spec, method: spec.method.toLowerCase(), remaining: count });
  }

  /** Consumes the matching fault (if any) for one call. */
  takeFault(method: string): { latencyMs: number; error?: ApiError } {
    const lower = method.toLowerCase();
    let latencyMs = 0;
    let error: ApiError | undefined;
    for (const fault of this.faults) {
      if (fault.remaining <= 0 || (fault.method !== lower && fault.method !== "*")) continue;
      if (fault.error_code === undefined) {
        latencyMs += fault.latency_ms ?? 0;
        fault.remaining--;
        continue;
      }
      if (error) continue;
      fault.remaining--;
      latencyMs += fault.latency_ms ?? 0;
      error = faultError(fault);
    }
    this.faults = this.faults.filter((f) => f.remaining > 0);
    return error ? { latencyMs, error } : { latencyMs };
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

  // ------------------------------------------------------------ people acting

  /** A person sends something to the bot; returns the stored message. */
  userSends(
    bot: BotState,
    userId: number,
    input: Record<string, unknown>,
  ): { stored: StoredMessage; cursor: number } {
    const user = this.user(userId);
    const chat = this.chatOf(bot, user);
    const cursor = chat.lastId();
    if (chat.blocked) this.setBlocked(bot, userId, false); // writing to a blocked bot restarts it, as in Telegram
    chat.started = true;
    const forwardOf = toInt(input.forward_message_id);
    const pinned = toInt(input.pin_message_id);
    const content =
      forwardOf !== undefined
        ? this.forwardedContent(chat, forwardOf)
        : pinned !== undefined
          ? this.pinnedContent(chat, pinned)
          : this.userContent(input);
    const replyTo = toInt(input.reply_to_message_id);
    if (replyTo !== undefined && !chat.messages.has(replyTo)) {
      throw new ControlError(400, "reply_not_found", `message ${replyTo} is not in this chat`);
    }
    if (typeof input.media_group_id === "string" && input.media_group_id) {
      content.media_group_id = input.media_group_id;
    }
    const mediaKind = Object.keys(content).find(isMediaKind);
    const stored = this.addMessage(bot, chat, "user", content, {
      ...(replyTo !== undefined ? { replyTo } : {}),
      ...(mediaKind ? { mediaKind } : {}),
    });
    if (chat.replyKeyboard?.one_time_keyboard) this.setReplyKeyboard(chat, null);
    this.enqueue(bot, "message", stored.msg);
    return { stored, cursor };
  }

  /** What Telegram delivers when a person forwards a message of this chat: its content and origin. */
  private forwardedContent(chat: ChatState, messageId: number): Record<string, unknown> {
    const source = chat.messages.get(messageId);
    if (!source || source.deleted) {
      throw new ControlError(400, "forward_not_found", `message ${messageId} is not in this chat`);
    }
    const content: Record<string, unknown> = {};
    for (const key of [
      "text",
      "entities",
      "caption",
      "caption_entities",
      "photo",
      "video",
      "voice",
      "video_note",
      "audio",
      "document",
      "sticker",
      "animation",
    ]) {
      if (source.msg[key] !== undefined) content[key] = structuredClone(source.msg[key]);
    }
    content.forward_origin = { type: "user", sender_user: source.msg.from, date: source.msg.date };
    return content;
  }

  /** What Telegram delivers when a person pins a message in the chat: a service message. */
  private pinnedContent(chat: ChatState, messageId: number): Record<string, unknown> {
    const source = chat.messages.get(messageId);
    if (!source || source.deleted) {
      throw new ControlError(400, "pin_not_found", `message ${messageId} is not in this chat`);
    }
    return { pinned_message: structuredClone(source.msg) };
  }

  private userContent(input: Record<string, unknown>): Record<string, unknown> {
    if (typeof input.text === "string") {
      const text = input.text;
      if (text.trim().length === 0) throw new ControlError(400, "bad_input", "text must not be empty");
      if (text.length > 4096) throw new ControlError(400, "bad_input", "text is longer than 4096 characters");
      const content: Record<string, unknown> = { text };
      const entities = commandEntities(text);
      if (entities.length > 0) content.entities = entities;
      return content;
    }
    for (const kind of [
      "photo",
      "video",
      "voice",
      "video_note",
      "audio",
      "document",
      "sticker",
      "animation",
    ] as const) {
      const spec = input[kind];
      if (spec === undefined) continue;
      const { data_base64, ...mediaSpec } = (
        typeof spec === "object" && spec !== null ? spec : {}
      ) as MediaSpec;
      const value: MediaValue = mediaSpec.file_id
        ? this.controlResolve(mediaSpec.file_id, kind)
        : this.files.create(
            kind,
            mediaSpec,
            data_base64 === undefined ? undefined : decodeUpload(data_base64),
          );
      const content: Record<string, unknown> = { [kind]: value };
      if (kind === "animation") content.document = Array.isArray(value) ? value : { ...value };
      if (typeof input.caption === "string" && input.caption.length > 0) content.caption = input.caption;
      return content;
    }
    if (isObject(input.contact)) {
      const c = input.contact;
      if (typeof c.phone_number !== "string" || typeof c.first_name !== "string") {
        throw new ControlError(400, "bad_input", "contact needs phone_number and first_name");
      }
      return { contact: pick(c, ["phone_number", "first_name", "last_name", "user_id", "vcard"]) };
    }
    if (isObject(input.location)) {
      const l = input.location;
      if (typeof l.latitude !== "number" || typeof l.longitude !== "number") {
        throw new ControlError(400, "bad_input", "location needs numeric latitude and longitude");
      }
      return { location: pick(l, ["latitude", "longitude", "horizontal_accuracy"]) };
    }
    if (isObject(input.venue)) {
      const v = input.venue;
      const loc = isObject(v.location) ? v.location : v;
      if (
        typeof loc.latitude !== "number" ||
        typeof loc.longitude !== "number" ||
        typeof v.title !== "string"
      ) {
        throw new ControlError(400, "bad_input", "venue needs latitude, longitude, title and address");
      }
      const location = { latitude: loc.latitude, longitude: loc.longitude };
      return {
        venue: { location, title: v.title, address: String(v.address ?? "") },
        location,
      };
    }
    if (isObject(input.dice)) {
      const emoji = typeof input.dice.emoji === "string" ? input.dice.emoji : "🎲";
      const faces = emoji === "🎰" ? 64 : emoji === "🎲" || emoji === "🎯" || emoji === "🎳" ? 6 : 5;
      return { dice: { emoji, value: 1 + Math.floor(Math.random() * faces) } };
    }
    throw new ControlError(
      400,
      "bad_input",
      "a message needs text or one of photo|video|voice|video_note|audio|document|sticker|animation|contact|location|venue|dice, or pin_message_id",
    );
  }

  private controlResolve(fileId: string, kind: MediaKind): MediaValue {
    try {
      return this.files.resolve(fileId, kind);
    } catch (err) {
      if (err instanceof ApiError) throw new ControlError(400, "bad_file_id", err.description);
      throw err;
    }
  }

  userEdits(bot: BotState, userId: number, messageId: number, text: string): StoredMessage {
    const chat = this.chatOf(bot, this.user(userId));
    const stored = chat.messages.get(messageId);
    if (!stored || stored.deleted || stored.sender !== "user") {
      throw new ControlError(404, "message_not_found", `the user has no message ${messageId}`);
    }
    if (typeof text !== "string" || text.trim() === "")
      throw new ControlError(400, "bad_input", "text is required");
    const msg = stored.msg;
    if (typeof msg.text === "string") {
      msg.text = text;
      const entities = commandEntities(text);
      if (entities.length > 0) msg.entities = entities;
      else delete msg.entities;
    } else if (stored.mediaKind) {
      msg.caption = text;
    } else {
      throw new ControlError(400, "not_editable", "only text messages and captions can be edited");
    }
    msg.edit_date = this.now();
    stored.edited = true;
    this.emit({ type: "edit", user_id: userId, entry: toEntry(stored, this.files) });
    this.enqueue(bot, "edited_message", msg);
    return stored;
  }

  setBlocked(bot: BotState, userId: number, blocked: boolean): void {
    const user = this.user(userId);
    const chat = this.chatOf(bot, user);
    if (chat.blocked === blocked) return;
    chat.blocked = blocked;
    const date = this.now();
    const member = (status: string) =>
      status === "kicked" ? { status, user: bot.user, until_date: 0 } : { status, user: bot.user };
    this.enqueue(bot, "my_chat_member", {
      chat: chat.chat(),
      from: publicUser(user),
      date,
      old_chat_member: member(blocked ? "member" : "kicked"),
      new_chat_member: member(blocked ? "kicked" : "member"),
    });
    if (!blocked) chat.started = true;
    this.emit({ type: "block", user_id: userId, blocked });
  }

  /**
   * A person presses a button. Inline callback buttons resolve with the bot's answerCallbackQuery;
   * a reply-keyboard button is sent as a plain message; a Pay button starts the payment.
   */
  async click(
    bot: BotState,
    userId: number,
    input: { message_id?: number; data?: string; button_text?: string; timeout_ms?: number },
  ): Promise<Record<string, unknown>> {
    const user = this.user(userId);
    const chat = this.chatOf(bot, user);
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
          return { ...(await this.pay(bot, userId, { message_id: input.message_id })), cursor };
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
        if (button.pay === true) return { ...(await this.pay(bot, userId, { message_id: id })), cursor };
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
        const { stored } = this.userSends(bot, userId, content);
        return { sent_message_id: stored.msg.message_id, cursor };
      }
    } else {
      throw new ControlError(400, "bad_input", "give {message_id, data} or {button_text}");
    }
    const answer = await this.pressCallback(bot, chat, target!, data!, input.timeout_ms);
    return { ...answer, cursor };
  }

  private pressCallback(
    bot: BotState,
    chat: ChatState,
    target: StoredMessage,
    data: string,
    timeoutMs: number | undefined,
  ): Promise<CallbackAnswer> {
    const id = `${BigInt(chat.user.id) * 1000n + BigInt(randomInt(0, 999))}${randomInt(100000, 999999)}`;
    const query: PendingQuery<CallbackAnswer> = {
      userId: chat.user.id,
      createdAt: this.opts.clock(),
      answered: false,
    };
    bot.callbackQueries.set(id, query);
    const waitMs = timeoutMs ?? this.opts.callbackTimeoutMs;
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
      this.timers.add(timer);
      query.resolve = (answer) => {
        clearTimeout(timer);
        this.timers.delete(timer);
        resolve(answer);
      };
    });
    this.enqueue(bot, "callback_query", {
      id,
      from: publicUser(chat.user),
      message: target.msg,
      chat_instance: String(BigInt(bot.id) * 7919n + BigInt(chat.user.id)),
      data,
    });
    return promise;
  }

  answerCallback(bot: BotState, queryId: string, answer: CallbackAnswer): void {
    const query = bot.callbackQueries.get(queryId);
    if (!query || query.answered || this.opts.clock() - query.createdAt > 15 * 60_000) {
      throw badRequest("query is too old and response timeout expired or query ID is invalid");
    }
    query.answered = true;
    query.resolve?.(answer);
    this.emit({ type: "callback_answer", user_id: query.userId, answer });
  }

  /** A person pays an invoice message with Stars: pre_checkout_query → bot's answer → successful_payment. */
  async pay(
    bot: BotState,
    userId: number,
    input: { message_id?: number; timeout_ms?: number },
  ): Promise<PaymentResult & { cursor: number }> {
    const user = this.user(userId);
    const chat = this.chatOf(bot, user);
    const cursor = chat.lastId();
    let invoiceMessage: StoredMessage | undefined;
    if (input.message_id !== undefined) {
      invoiceMessage = chat.messages.get(input.message_id);
    } else {
      const ids = [...chat.messages.keys()].sort((a, b) => b - a);
      invoiceMessage = ids
        .map((id) => chat.messages.get(id)!)
        .find((m) => !m.deleted && m.msg.invoice !== undefined);
    }
    if (!invoiceMessage || invoiceMessage.deleted || !isObject(invoiceMessage.msg.invoice)) {
      throw new ControlError(404, "invoice_not_found", "no invoice to pay in this chat");
    }
    if (invoiceMessage.paid)
      throw new ControlError(409, "already_paid", "this invoice has already been paid");
    const invoice = invoiceMessage.msg.invoice as Record<string, unknown>;
    const payload = invoiceMessage.invoicePayload ?? "";
    const id = `${randomInt(1_000_000, 9_999_999)}${randomInt(1_000_000, 9_999_999)}`;
    const query: PendingQuery<{ ok: boolean; error_message?: string }> = {
      userId,
      createdAt: this.opts.clock(),
      answered: false,
    };
    bot.preCheckoutQueries.set(id, query);
    const waitMs = input.timeout_ms ?? this.opts.preCheckoutTimeoutMs;
    const answer = await new Promise<{ ok: boolean; error_message?: string } | null>((resolve) => {
      const timer = setTimeout(() => {
        query.resolve = undefined;
        query.answered = true; // a late answer is "too old", like Telegram after 10 s
        resolve(null);
      }, waitMs);
      this.timers.add(timer);
      query.resolve = (a) => {
        clearTimeout(timer);
        this.timers.delete(timer);
        resolve(a);
      };
      this.enqueue(bot, "pre_checkout_query", {
        id,
        from: publicUser(user),
        currency: invoice.currency,
        total_amount: invoice.total_amount,
        invoice_payload: payload,
      });
    });
    let result: PaymentResult;
    if (answer === null) {
      result = { status: "timeout", error_message: "the bot did not answer the pre-checkout query in time" };
    } else if (!answer.ok) {
      result = { status: "declined", error_message: answer.error_message ?? "" };
    } else {
      const chargeId = `stxSBX${randomBytes(24).toString("base64url")}`;
      bot.charges.set(chargeId, {
        userId,
        amount: Number(invoice.total_amount),
        currency: String(invoice.currency),
        payload,
        refunded: false,
      });
      invoiceMessage.paid = true;
      const stored = this.addMessage(bot, chat, "user", {
        successful_payment: {
          currency: invoice.currency,
          total_amount: invoice.total_amount,
          invoice_payload: payload,
          telegram_payment_charge_id: chargeId,
          provider_payment_charge_id: "",
        },
      });
      this.enqueue(bot, "message", stored.msg);
      result = { status: "paid", telegram_payment_charge_id: chargeId, message_id: stored.msg.message_id };
    }
    this.emit({ type: "payment", user_id: userId, result });
    return { ...result, cursor };
  }

  answerPreCheckout(bot: BotState, queryId: string, ok: boolean, errorMessage?: string): void {
    const query = bot.preCheckoutQueries.get(queryId);
    if (!query || query.answered) {
      throw badRequest("query is too old and response timeout expired or query ID is invalid");
    }
    query.answered = true;
    const answer: { ok: boolean; error_message?: string } = { ok };
    if (errorMessage !== undefined) answer.error_message = errorMessage;
    query.resolve?.(answer);
  }

  refund(bot: BotState, userId: number, chargeId: string): void {
    const charge = bot.charges.get(chargeId);
    if (!charge || charge.userId !== userId) throw badRequest("CHARGE_NOT_FOUND");
    if (charge.refunded) throw badRequest("CHARGE_ALREADY_REFUNDED");
    charge.refunded = true;
    const chat = this.chatOf(bot, this.user(userId));
    const stored = this.addMessage(bot, chat, "user", {
      refunded_payment: {
        currency: charge.currency,
        total_amount: charge.amount,
        invoice_payload: charge.payload,
        telegram_payment_charge_id: chargeId,
      },
    });
    this.enqueue(bot, "message", stored.msg);
  }

  // ------------------------------------------------------------ chat view

  chatEntries(bot: BotState, userId: number, after = 0): ChatEntry[] {
    const chat = this.chatOf(bot, this.user(userId));
    return [...chat.messages.values()]
      .filter((m) => m.msg.message_id > after)
      .sort((a, b) => a.msg.message_id - b.msg.message_id)
      .map((m) => toEntry(m, this.files));
  }

  /** Resolves when the chat has a bot message newer than `after`, or after `waitMs`. */
  waitForBotMessage(bot: BotState, userId: number, after: number, waitMs: number): Promise<void> {
    const chat = this.chatOf(bot, this.user(userId));
    const has = () => [...chat.messages.values()].some((m) => m.sender === "bot" && m.msg.message_id > after);
    if (has() || waitMs <= 0 || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.events.off("event", listener);
        this.events.off("close", done);
        resolve();
      };
      const listener = (e: SandboxEvent) => {
        if ((e.type === "message" || e.type === "edit" || e.type === "delete") && e.user_id === userId)
          done();
        else if (e.type === "reset") done();
      };
      const timer = setTimeout(done, waitMs);
      this.events.on("event", listener);
      this.events.once("close", done);
    });
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
    this.stopWebhook(bot);
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

// ------------------------------------------------------------ helpers

export function publicUser(user: TgUser): TgUser {
  const out: TgUser = { id: user.id, is_bot: user.is_bot, first_name: user.first_name };
  if (user.last_name) out.last_name = user.last_name;
  if (user.username) out.username = user.username;
  if (user.language_code) out.language_code = user.language_code;
  return out;
}

function commandEntities(text: string): { type: string; offset: number; length: number }[] {
  const m = /^\/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{3,})?/.exec(text);
  return m ? [{ type: "bot_command", offset: 0, length: m[0].length }] : [];
}

/** A person's file as the control API receives it: base64, non-empty, at most 20 MB (what bots may download). */
function decodeUpload(base64: string): Buffer {
  const clean = base64.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 === 1) {
    throw new ControlError(400, "bad_input", "data_base64 is not valid base64");
  }
  const data = Buffer.from(clean, "base64");
  if (data.length === 0) throw new ControlError(400, "bad_input", "the file is empty");
  if (data.length > 20 * 1024 * 1024) {
    throw new ControlError(413, "file_too_large", "files over 20 MB cannot be sent to a bot");
  }
  return data;
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

function faultError(f: FaultSpec): ApiError {
  const code = f.error_code!;
  if (code === 429) {
    const retryAfter = f.retry_after ?? 1;
    return new ApiError(429, f.description ?? `Too Many Requests: retry after ${retryAfter}`, {
      retry_after: retryAfter,
    });
  }
  const defaults: Record<number, string> = {
    400: "Bad Request: injected fault",
    403: "Forbidden: bot was blocked by the user",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
  };
  return new ApiError(code, f.description ?? defaults[code] ?? `Error ${code}`);
}

function sanitize(value: unknown, depth = 0): unknown {
  if (value instanceof Upload) return { upload: value.filename, size: value.data.length };
  if (depth > 8 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => sanitize(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, sanitize(v, depth + 1)]));
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function pick(obj: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (obj[k] !== undefined) out[k] = obj[k];
  return out;
}

export function toInt(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isInteger(v)) return v;
  if (typeof v === "string" && /^\d+$/.test(v)) return Number(v);
  return undefined;
}

/** A stored message as the person sees it; with `files`, media say whether real bytes stand behind them. */
export function toEntry(stored: StoredMessage, files?: FileStore): ChatEntry {
  const m = stored.msg;
  const entry: ChatEntry = { message_id: m.message_id, from: stored.sender, date: m.date };
  if (typeof m.text === "string") entry.text = m.text;
  if (Array.isArray(m.entities)) entry.entities = m.entities;
  if (typeof m.caption === "string") entry.caption = m.caption;
  if (Array.isArray(m.caption_entities)) entry.caption_entities = m.caption_entities;
  if (stored.mediaKind) {
    entry.media = mediaSummary(stored.mediaKind, m[stored.mediaKind] as MediaValue);
    if (files?.hasContent(entry.media.file_id)) entry.media.has_content = true;
  }
  if (typeof m.media_group_id === "string") entry.media_group_id = m.media_group_id;
  if (stored.markup) entry.reply_markup = stored.markup;
  for (const key of [
    "invoice",
    "contact",
    "location",
    "venue",
    "dice",
    "successful_payment",
    "refunded_payment",
  ] as const) {
    if (isObject(m[key])) entry[key] = m[key] as Record<string, unknown>;
  }
  if (isObject(m.pinned_message)) entry.pinned_message_id = Number(m.pinned_message.message_id);
  if (m.forward_origin) entry.forwarded = true;
  if (stored.reactions?.length) entry.reactions = stored.reactions;
  if (stored.edited) entry.edited = true;
  if (stored.deleted) entry.deleted = true;
  if (isObject(m.reply_to_message)) entry.reply_to_message_id = Number(m.reply_to_message.message_id);
  return entry;
}
