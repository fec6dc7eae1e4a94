import { randomBytes, randomInt, randomUUID } from "node:crypto";
import { findMethod } from "./api-spec.ts";
import { ApiError, badRequest, forbidden } from "./errors.ts";
import type { MediaKind, MediaValue } from "./files.ts";
import { checkLimits, prepareCaption, prepareMessageText } from "./limits.ts";
import { isObject, toInt } from "./util.ts";
import { normaliseReplyKeyboard, Upload, validateParams } from "./validate.ts";
import { answerCallback } from "./world/callbacks.ts";
import { toEntry } from "./world/chat-view.ts";
import { takeFault } from "./world/faults.ts";
import { answerPreCheckout, refund } from "./world/payments.ts";
import type { BotState, ChatState, StoredMessage } from "./world/state.ts";
import { getUpdates } from "./world/updates.ts";
import { deleteWebhook, setWebhook, webhookInfo } from "./world/webhooks.ts";
import type { World } from "./world.ts";

interface CallContext {
  world: World;
  bot: BotState;
  params: Record<string, unknown>;
  raw: Record<string, unknown>;
  uploads: ReadonlyMap<string, Upload>;
  onDisconnect: (cb: () => void) => void;
}

type Handler = (ctx: CallContext) => unknown | Promise<unknown>;

export interface CallOutcome {
  status: number;
  body: Record<string, unknown>;
}

/**
 * Runs one Bot API call the way Telegram would: injected faults first, then api.json validation and
 * the limits table, then the method itself. Never throws; always returns Telegram's response shape.
 */
export async function callMethod(
  world: World,
  bot: BotState,
  methodName: string,
  raw: Record<string, unknown>,
  uploads: ReadonlyMap<string, Upload> = new Map(),
  onDisconnect: (cb: () => void) => void = () => {},
): Promise<CallOutcome> {
  const spec = findMethod(methodName);
  if (!spec) {
    return { status: 404, body: { ok: false, error_code: 404, description: "Not Found" } };
  }
  const method = spec.name;
  try {
    const fault = takeFault(world, method);
    if (fault.latencyMs > 0) await new Promise((r) => setTimeout(r, fault.latencyMs));
    if (fault.error) throw fault.error;
    if (raw.reply_markup !== undefined)
      raw = { ...raw, reply_markup: normaliseReplyKeyboard(raw.reply_markup) };
    const params = validateParams(spec, raw, uploads);
    checkLimits(method, params);
    const handler = HANDLERS[method] ?? fallback(method, spec.returns);
    const result = await handler({ world, bot, params, raw, uploads, onDisconnect });
    world.recordCall({ bot_id: bot.id, method, params: raw, ok: true, result });
    return { status: 200, body: { ok: true, result } };
  } catch (err) {
    const apiError =
      err instanceof ApiError
        ? err
        : new ApiError(500, `Internal Server Error: ${(err as Error)?.message ?? err}`);
    if (!(err instanceof ApiError)) world.opts.logger.error?.({ err, method }, "sandbox method crashed");
    const body = apiError.toJSON();
    const error: { error_code: number; description: string; parameters?: unknown } = {
      error_code: body.error_code,
      description: body.description,
    };
    if (body.parameters) error.parameters = body.parameters;
    world.recordCall({ bot_id: bot.id, method, params: raw, ok: false, error });
    return { status: apiError.errorCode, body: body as unknown as Record<string, unknown> };
  }
}

function fallback(method: string, returns: string[]): Handler {
  // Setters nobody here depends on are accepted (and logged) so a bot's setup code runs; anything
  // that must return data is refused loudly rather than answered with made-up content.
  if (/^(set|delete|unpin|pin)/.test(method) && returns.length === 1 && returns[0] === "Boolean") {
    return ({ world }) => {
      world.opts.logger.warn?.({ method }, "sandbox accepted a method it does not emulate");
      return true;
    };
  }
  return () => {
    throw new ApiError(501, `Not Implemented: the sandbox does not emulate ${method}`);
  };
}

// ------------------------------------------------------------ shared helpers

/** The private chat `chat_id` points at; `sending` adds the checks Telegram applies to outgoing messages. */
function targetChat(ctx: CallContext, ref: unknown, sending = true): ChatState {
  const { world, bot } = ctx;
  let user = typeof ref === "number" ? world.users.get(ref) : undefined;
  if (typeof ref === "string" && ref.startsWith("@")) {
    const name = ref.slice(1).toLowerCase();
    user = [...world.users.values()].find((u) => u.username?.toLowerCase() === name);
  }
  if (!user) throw badRequest("chat not found");
  const chat = world.chatOf(bot, user);
  if (!chat.started && chat.messages.size === 0)
    throw forbidden("bot can't initiate conversation with a user");
  if (sending && chat.blocked) throw forbidden("bot was blocked by the user");
  return chat;
}

function replyTarget(ctx: CallContext, chat: ChatState): number | undefined {
  const rp = isObject(ctx.params.reply_parameters) ? ctx.params.reply_parameters : undefined;
  const id = toInt(rp?.message_id) ?? toInt(ctx.raw.reply_to_message_id);
  if (id === undefined) return undefined;
  const target = chat.messages.get(id);
  if (!target || target.deleted) {
    const allow = rp?.allow_sending_without_reply === true || ctx.raw.allow_sending_without_reply === true;
    if (allow) return undefined;
    throw badRequest("message to be replied not found");
  }
  return id;
}

function markupOf(ctx: CallContext): Record<string, unknown> | undefined {
  const m = ctx.params.reply_markup;
  return isObject(m) ? m : undefined;
}

function sendContent(
  ctx: CallContext,
  chat: ChatState,
  content: Record<string, unknown>,
  mediaKind?: MediaKind,
): StoredMessage {
  const replyTo = replyTarget(ctx, chat);
  const markup = markupOf(ctx);
  if (ctx.params.protect_content === true) content.has_protected_content = true;
  return ctx.world.addMessage(ctx.bot, chat, "bot", content, {
    ...(markup ? { markup } : {}),
    ...(replyTo !== undefined ? { replyTo } : {}),
    ...(mediaKind ? { mediaKind } : {}),
  });
}

function withEntities(
  content: Record<string, unknown>,
  textKey: "text" | "caption",
  formatted: { text: string; entities: unknown[] },
) {
  if (textKey === "caption" && formatted.text === "") return content;
  content[textKey] = formatted.text;
  if (formatted.entities.length > 0)
    content[textKey === "text" ? "entities" : "caption_entities"] = formatted.entities;
  return content;
}

function resolveMedia(ctx: CallContext, kind: MediaKind, input: unknown): MediaValue {
  let ref = input;
  if (typeof ref === "string" && ref.startsWith("attach://")) {
    const upload = ctx.uploads.get(ref.slice("attach://".length));
    if (!upload) throw badRequest(`can't find attached file "${ref.slice(9)}"`);
    ref = upload;
  }
  if (ref instanceof Upload) {
    if (ref.data.length === 0) throw badRequest("file must be non-empty");
    const spec: { file_name?: string; mime_type?: string } = {};
    if (kind !== "photo") spec.file_name = ref.filename;
    if (ref.contentType && ref.contentType !== "application/octet-stream") spec.mime_type = ref.contentType;
    return ctx.world.files.create(kind, spec, ref.data);
  }
  if (typeof ref !== "string" || ref === "")
    throw badRequest(`there is no ${kind.replace("_", " ")} in the request`);
  return ctx.world.files.resolve(ref, kind);
}

function sendMedia(kind: MediaKind): Handler {
  return (ctx) => {
    const chat = targetChat(ctx, ctx.params.chat_id);
    const value = resolveMedia(ctx, kind, ctx.params[kind]);
    const content: Record<string, unknown> = { [kind]: withMeta(kind, value, ctx.params) };
    if (kind === "animation") content.document = content.animation;
    if (kind !== "sticker" && kind !== "video_note") {
      withEntities(
        content,
        "caption",
        prepareCaption(ctx.params.caption, ctx.params.parse_mode, ctx.params.caption_entities),
      );
    }
    if (ctx.params.has_spoiler === true) content.has_media_spoiler = true;
    return sendContent(ctx, chat, content, kind).msg;
  };
}

function withMeta(kind: MediaKind, value: MediaValue, params: Record<string, unknown>): MediaValue {
  if (Array.isArray(value)) return value;
  const out = { ...value };
  for (const key of ["duration", "width", "height", "title", "performer", "length"]) {
    if (params[key] !== undefined && (kind !== "photo" || key === "width")) out[key] = params[key];
  }
  if (kind === "sticker" && typeof params.emoji === "string") out.emoji = params.emoji;
  return out;
}

const COPYABLE_KEYS = [
  "text",
  "entities",
  "animation",
  "audio",
  "document",
  "photo",
  "sticker",
  "video",
  "video_note",
  "voice",
  "caption",
  "caption_entities",
  "has_media_spoiler",
  "contact",
  "location",
  "venue",
  "dice",
  "poll",
];

const UNCOPYABLE_KEYS = [
  "successful_payment",
  "refunded_payment",
  "invoice",
  "new_chat_members",
  "pinned_message",
];

function sourceMessage(ctx: CallContext, chatRef: unknown, messageId: unknown, verb: string): StoredMessage {
  const source = targetChat(ctx, chatRef, false);
  const stored = source.messages.get(Number(messageId));
  if (!stored || stored.deleted) throw badRequest(`message to ${verb} not found`);
  if (UNCOPYABLE_KEYS.some((k) => stored.msg[k] !== undefined))
    throw badRequest(`message can't be ${verb === "copy" ? "copied" : "forwarded"}`);
  return stored;
}

function copiedContent(stored: StoredMessage): Record<string, unknown> {
  const content: Record<string, unknown> = {};
  for (const key of COPYABLE_KEYS)
    if (stored.msg[key] !== undefined) content[key] = structuredClone(stored.msg[key]);
  return content;
}

function isNotModified(stored: StoredMessage, next: Record<string, unknown>, markup: unknown): boolean {
  for (const [key, value] of Object.entries(next)) {
    if (JSON.stringify(stored.msg[key] ?? null) !== JSON.stringify(value ?? null)) return false;
  }
  return JSON.stringify(stored.msg.reply_markup ?? null) === JSON.stringify(markup ?? null);
}

const NOT_MODIFIED =
  "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message";

function editableMessage(ctx: CallContext): { chat: ChatState; stored: StoredMessage } {
  if (ctx.params.inline_message_id !== undefined) throw badRequest("message to edit not found");
  if (ctx.params.chat_id === undefined) throw badRequest("chat_id is empty");
  if (ctx.params.message_id === undefined) throw badRequest("message identifier is not specified");
  const chat = targetChat(ctx, ctx.params.chat_id);
  const stored = chat.messages.get(Number(ctx.params.message_id));
  if (!stored || stored.deleted) throw badRequest("message to edit not found");
  if (stored.sender !== "bot") throw badRequest("message can't be edited");
  return { chat, stored };
}

function applyEdit(
  ctx: CallContext,
  chat: ChatState,
  stored: StoredMessage,
  changes: Record<string, unknown>,
  markup: Record<string, unknown> | undefined,
): Record<string, unknown> {
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined || (Array.isArray(value) && value.length === 0)) delete stored.msg[key];
    else stored.msg[key] = value;
  }
  if (markup?.inline_keyboard) {
    stored.msg.reply_markup = markup;
    stored.markup = markup;
  } else {
    delete stored.msg.reply_markup;
    delete stored.markup;
  }
  stored.msg.edit_date = ctx.world.now();
  stored.edited = true;
  ctx.world.emit({ type: "edit", user_id: chat.user.id, entry: toEntry(stored, ctx.world.files) });
  return stored.msg;
}

export function commandsKey(params: Record<string, unknown>): string {
  const scope = isObject(params.scope) ? params.scope : { type: "default" };
  const lang = typeof params.language_code === "string" ? params.language_code : "";
  return `${scope.type}:${scope.chat_id ?? ""}:${scope.user_id ?? ""}|${lang}`;
}

/**
 * The command menu Telegram shows a person in the private chat with the bot: the first non-empty list
 * of chat scope, all private chats, default — each first in the person's language, then without one.
 */
export function commandsFor(
  bot: BotState,
  user: { id: number; language_code?: string },
): { commands: unknown[]; scope: string; language_code: string } {
  const scopes = [{ type: "chat", chat_id: user.id }, { type: "all_private_chats" }, { type: "default" }];
  const languages = user.language_code ? [user.language_code, ""] : [""];
  for (const scope of scopes) {
    for (const language_code of languages) {
      const commands = bot.commands.get(commandsKey({ scope, language_code }));
      if (commands && commands.length > 0) return { commands, scope: scope.type, language_code };
    }
  }
  return { commands: [], scope: "default", language_code: "" };
}

// ------------------------------------------------------------ the methods

const HANDLERS: Record<string, Handler> = {
  getMe: ({ bot }) => bot.getMe(),
  logOut: () => true,
  close: () => true,

  getUpdates: ({ world, bot, params, onDisconnect }) =>
    getUpdates(world, bot, params as Parameters<typeof getUpdates>[2], onDisconnect),
  setWebhook: ({ world, bot, params }) => {
    setWebhook(world, bot, params as Parameters<typeof setWebhook>[2]);
    return true;
  },
  deleteWebhook: ({ bot, params }) => {
    deleteWebhook(bot, params.drop_pending_updates === true);
    return true;
  },
  getWebhookInfo: ({ bot }) => webhookInfo(bot),

  sendMessage: (ctx) => {
    const chat = targetChat(ctx, ctx.params.chat_id);
    const formatted = prepareMessageText(ctx.params.text, ctx.params.parse_mode, ctx.params.entities);
    return sendContent(ctx, chat, withEntities({}, "text", formatted)).msg;
  },
  sendPhoto: sendMedia("photo"),
  sendVideo: sendMedia("video"),
  sendVoice: sendMedia("voice"),
  sendVideoNote: sendMedia("video_note"),
  sendAudio: sendMedia("audio"),
  sendDocument: sendMedia("document"),
  sendSticker: sendMedia("sticker"),
  sendAnimation: sendMedia("animation"),
  sendMediaGroup: (ctx) => {
    const chat = targetChat(ctx, ctx.params.chat_id);
    const items = ctx.params.media as Record<string, unknown>[];
    const groupId = `${randomInt(1_000_000, 9_999_999)}${randomInt(1_000_000_000, 9_999_999_999)}`;
    const prepared = items.map((item) => {
      const kind = item.type as MediaKind;
      const content: Record<string, unknown> = {
        [kind]: resolveMedia(ctx, kind, item.media),
        media_group_id: groupId,
      };
      withEntities(content, "caption", prepareCaption(item.caption, item.parse_mode, item.caption_entities));
      if (item.has_spoiler === true) content.has_media_spoiler = true;
      return { kind, content };
    });
    const replyTo = replyTarget(ctx, chat);
    return prepared.map(
      ({ kind, content }) =>
        ctx.world.addMessage(ctx.bot, chat, "bot", content, {
          mediaKind: kind,
          ...(replyTo !== undefined ? { replyTo } : {}),
        }).msg,
    );
  },
  sendContact: (ctx) => {
    const chat = targetChat(ctx, ctx.params.chat_id);
    const contact: Record<string, unknown> = {
      phone_number: ctx.params.phone_number,
      first_name: ctx.params.first_name,
    };
    if (ctx.params.last_name) contact.last_name = ctx.params.last_name;
    return sendContent(ctx, chat, { contact }).msg;
  },
  sendLocation: (ctx) => {
    const chat = targetChat(ctx, ctx.params.chat_id);
    return sendContent(ctx, chat, {
      location: { latitude: ctx.params.latitude, longitude: ctx.params.longitude },
    }).msg;
  },

  copyMessage: (ctx) => {
    const source = sourceMessage(ctx, ctx.params.from_chat_id, ctx.params.message_id, "copy");
    const chat = targetChat(ctx, ctx.params.chat_id);
    const content = copiedContent(source);
    if (ctx.params.caption !== undefined && source.mediaKind) {
      delete content.caption_entities;
      delete content.caption;
      withEntities(
        content,
        "caption",
        prepareCaption(ctx.params.caption, ctx.params.parse_mode, ctx.params.caption_entities),
      );
    }
    const stored = sendContent(ctx, chat, content, source.mediaKind);
    return { message_id: stored.msg.message_id };
  },
  copyMessages: (ctx) => {
    const ids = ctx.params.message_ids as number[];
    if (ids.length < 1 || ids.length > 100) throw badRequest("message_ids must contain 1-100 identifiers");
    const chat = targetChat(ctx, ctx.params.chat_id);
    const sourceChat = targetChat(ctx, ctx.params.from_chat_id, false);
    const out: { message_id: number }[] = [];
    // Telegram keeps album grouping in copies: each source album becomes one new album.
    const albumIds = new Map<string, string>();
    for (const id of [...ids].sort((a, b) => a - b)) {
      const source = sourceChat.messages.get(id);
      if (!source || source.deleted || UNCOPYABLE_KEYS.some((k) => source.msg[k] !== undefined)) continue;
      const content = copiedContent(source);
      const sourceGroup = source.msg.media_group_id;
      if (typeof sourceGroup === "string") {
        let group = albumIds.get(sourceGroup);
        if (!group) {
          group = `${sourceGroup}-copy-${randomUUID()}`;
          albumIds.set(sourceGroup, group);
        }
        content.media_group_id = group;
      }
      if (ctx.params.remove_caption === true) {
        delete content.caption;
        delete content.caption_entities;
      }
      const stored = ctx.world.addMessage(
        ctx.bot,
        chat,
        "bot",
        content,
        source.mediaKind ? { mediaKind: source.mediaKind } : {},
      );
      out.push({ message_id: stored.msg.message_id });
    }
    if (out.length === 0) throw badRequest("messages to copy not found");
    return out;
  },
  forwardMessage: (ctx) => {
    const source = sourceMessage(ctx, ctx.params.from_chat_id, ctx.params.message_id, "forward");
    const chat = targetChat(ctx, ctx.params.chat_id);
    const content = copiedContent(source);
    content.forward_origin = { type: "user", sender_user: source.msg.from, date: source.msg.date };
    if (ctx.params.protect_content === true) content.has_protected_content = true;
    return ctx.world.addMessage(
      ctx.bot,
      chat,
      "bot",
      content,
      source.mediaKind ? { mediaKind: source.mediaKind } : {},
    ).msg;
  },

  editMessageText: (ctx) => {
    const { chat, stored } = editableMessage(ctx);
    if (typeof stored.msg.text !== "string") throw badRequest("there is no text in the message to edit");
    const formatted = prepareMessageText(ctx.params.text, ctx.params.parse_mode, ctx.params.entities);
    const changes = {
      text: formatted.text,
      entities: formatted.entities.length ? formatted.entities : undefined,
    };
    const markup = markupOf(ctx);
    if (isNotModified(stored, changes, markup)) throw badRequest(NOT_MODIFIED);
    return applyEdit(ctx, chat, stored, changes, markup);
  },
  editMessageCaption: (ctx) => {
    const { chat, stored } = editableMessage(ctx);
    if (!stored.mediaKind) throw badRequest("there is no caption in the message to edit");
    const formatted = prepareCaption(
      ctx.params.caption ?? "",
      ctx.params.parse_mode,
      ctx.params.caption_entities,
    );
    const changes = {
      caption: formatted.text || undefined,
      caption_entities: formatted.entities.length ? formatted.entities : undefined,
    };
    const markup = markupOf(ctx);
    if (isNotModified(stored, changes, markup)) throw badRequest(NOT_MODIFIED);
    return applyEdit(ctx, chat, stored, changes, markup);
  },
  editMessageReplyMarkup: (ctx) => {
    const { chat, stored } = editableMessage(ctx);
    const markup = markupOf(ctx);
    if (isNotModified(stored, {}, markup)) throw badRequest(NOT_MODIFIED);
    return applyEdit(ctx, chat, stored, {}, markup);
  },
  deleteMessage: (ctx) => {
    const chat = targetChat(ctx, ctx.params.chat_id, false);
    const stored = chat.messages.get(Number(ctx.params.message_id));
    if (!stored || stored.deleted) throw badRequest("message to delete not found");
    stored.deleted = true;
    ctx.world.emit({ type: "delete", user_id: chat.user.id, message_id: stored.msg.message_id });
    return true;
  },
  deleteMessages: (ctx) => {
    const chat = targetChat(ctx, ctx.params.chat_id, false);
    for (const id of ctx.params.message_ids as number[]) {
      const stored = chat.messages.get(id);
      if (!stored || stored.deleted) continue;
      stored.deleted = true;
      ctx.world.emit({ type: "delete", user_id: chat.user.id, message_id: id });
    }
    return true;
  },
  setMessageReaction: (ctx) => {
    const chat = targetChat(ctx, ctx.params.chat_id);
    const stored = chat.messages.get(Number(ctx.params.message_id));
    if (!stored || stored.deleted) throw badRequest("message to react not found");
    const reaction = (ctx.params.reaction as unknown[] | undefined) ?? [];
    if (reaction.length > 1) throw badRequest("REACTIONS_TOO_MANY");
    stored.reactions = reaction;
    ctx.world.emit({ type: "edit", user_id: chat.user.id, entry: toEntry(stored, ctx.world.files) });
    return true;
  },

  answerCallbackQuery: ({ world, bot, params }) => {
    const answer: { text?: string; show_alert: boolean; url?: string } = {
      show_alert: params.show_alert === true,
    };
    if (typeof params.text === "string" && params.text !== "") answer.text = params.text;
    if (typeof params.url === "string") answer.url = params.url;
    answerCallback(world, bot, String(params.callback_query_id), answer);
    return true;
  },
  sendChatAction: (ctx) => {
    const chat = targetChat(ctx, ctx.params.chat_id);
    ctx.world.emit({ type: "chat_action", user_id: chat.user.id, action: String(ctx.params.action) });
    return true;
  },

  setMyCommands: ({ world, bot, params }) => {
    bot.commands.set(commandsKey(params), params.commands as unknown[]);
    world.emit({ type: "commands", bot_id: bot.id });
    return true;
  },
  getMyCommands: ({ bot, params }) => bot.commands.get(commandsKey(params)) ?? [],
  deleteMyCommands: ({ world, bot, params }) => {
    bot.commands.delete(commandsKey(params));
    world.emit({ type: "commands", bot_id: bot.id });
    return true;
  },
  setMyDescription: ({ bot, params }) => storeText(bot, "description", params),
  getMyDescription: ({ bot, params }) => ({ description: readText(bot, "description", params) }),
  setMyShortDescription: ({ bot, params }) => storeText(bot, "short_description", params),
  getMyShortDescription: ({ bot, params }) => ({
    short_description: readText(bot, "short_description", params),
  }),
  setMyName: ({ bot, params }) => storeText(bot, "name", params),
  getMyName: ({ bot, params }) => ({ name: readText(bot, "name", params) || bot.user.first_name }),
  setChatMenuButton: ({ bot, params }) => {
    bot.texts.set(`menu|${params.chat_id ?? ""}`, JSON.stringify(params.menu_button ?? { type: "default" }));
    return true;
  },
  getChatMenuButton: ({ bot, params }) =>
    JSON.parse(
      bot.texts.get(`menu|${params.chat_id ?? ""}`) ?? bot.texts.get("menu|") ?? '{"type":"commands"}',
    ),

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

  getChat: (ctx) => {
    const chat = targetChat(ctx, ctx.params.chat_id, false);
    return {
      ...chat.chat(),
      accent_color_id: 0,
      max_reaction_count: 11,
      accepted_gift_types: {
        unlimited_gifts: true,
        limited_gifts: true,
        unique_gifts: true,
        premium_subscription: true,
        gifts_from_channels: true,
      },
    };
  },
  getUserProfilePhotos: ({ world, params }) => {
    if (!world.users.has(Number(params.user_id))) throw badRequest("user not found");
    return { total_count: 0, photos: [] };
  },
  getFile: ({ world, params }) => {
    const file = world.files.get(String(params.file_id));
    if (!file) throw badRequest("invalid file_id");
    return {
      file_id: file.fileId,
      file_unique_id: file.fileUniqueId,
      file_size: file.size,
      file_path: file.path,
    };
  },
};

function storeText(bot: BotState, kind: string, params: Record<string, unknown>): true {
  const lang = typeof params.language_code === "string" ? params.language_code : "";
  const value = params[kind];
  if (typeof value === "string" && value !== "") bot.texts.set(`${kind}|${lang}`, value);
  else bot.texts.delete(`${kind}|${lang}`);
  return true;
}

function readText(bot: BotState, kind: string, params: Record<string, unknown>): string {
  const lang = typeof params.language_code === "string" ? params.language_code : "";
  return bot.texts.get(`${kind}|${lang}`) ?? "";
}
