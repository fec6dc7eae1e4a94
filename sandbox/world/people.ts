import { ApiError, ControlError } from "../errors.ts";
import { isMediaKind, MEDIA_KINDS, type MediaKind, type MediaSpec, type MediaValue } from "../files.ts";
import { isObject, pick, toInt } from "../util.ts";
import type { World } from "../world.ts";
import { toEntry } from "./chat-view.ts";
import { type BotState, type ChatState, publicUser, type StoredMessage } from "./state.ts";

// People acting: a person sends, forwards, pins or edits a message, and blocks or unblocks the bot.

/** A person sends something to the bot; returns the stored message. */
export function userSends(
  world: World,
  bot: BotState,
  userId: number,
  input: Record<string, unknown>,
): { stored: StoredMessage; cursor: number } {
  const user = world.user(userId);
  const chat = world.chatOf(bot, user);
  const cursor = chat.lastId();
  if (chat.blocked) setBlocked(world, bot, userId, false); // writing to a blocked bot restarts it, as in Telegram
  chat.started = true;
  const forwardOf = toInt(input.forward_message_id);
  const pinned = toInt(input.pin_message_id);
  const content =
    forwardOf !== undefined
      ? forwardedContent(chat, forwardOf)
      : pinned !== undefined
        ? pinnedContent(chat, pinned)
        : userContent(world, input);
  const replyTo = toInt(input.reply_to_message_id);
  if (replyTo !== undefined && !chat.messages.has(replyTo)) {
    throw new ControlError(400, "reply_not_found", `message ${replyTo} is not in this chat`);
  }
  if (typeof input.media_group_id === "string" && input.media_group_id) {
    content.media_group_id = input.media_group_id;
  }
  const mediaKind = Object.keys(content).find(isMediaKind);
  const stored = world.addMessage(bot, chat, "user", content, {
    ...(replyTo !== undefined ? { replyTo } : {}),
    ...(mediaKind ? { mediaKind } : {}),
  });
  if (chat.replyKeyboard?.one_time_keyboard) world.setReplyKeyboard(chat, null);
  world.enqueue(bot, "message", stored.msg);
  return { stored, cursor };
}

/** What Telegram delivers when a person forwards a message of this chat: its content and origin. */
function forwardedContent(chat: ChatState, messageId: number): Record<string, unknown> {
  const source = chat.messages.get(messageId);
  if (!source || source.deleted) {
    throw new ControlError(400, "forward_not_found", `message ${messageId} is not in this chat`);
  }
  const content: Record<string, unknown> = {};
  for (const key of ["text", "entities", "caption", "caption_entities", ...MEDIA_KINDS]) {
    if (source.msg[key] !== undefined) content[key] = structuredClone(source.msg[key]);
  }
  content.forward_origin = { type: "user", sender_user: source.msg.from, date: source.msg.date };
  return content;
}

/** What Telegram delivers when a person pins a message in the chat: a service message. */
function pinnedContent(chat: ChatState, messageId: number): Record<string, unknown> {
  const source = chat.messages.get(messageId);
  if (!source || source.deleted) {
    throw new ControlError(400, "pin_not_found", `message ${messageId} is not in this chat`);
  }
  return { pinned_message: structuredClone(source.msg) };
}

function userContent(world: World, input: Record<string, unknown>): Record<string, unknown> {
  if (typeof input.text === "string") {
    const text = input.text;
    if (text.trim().length === 0) throw new ControlError(400, "bad_input", "text must not be empty");
    if (text.length > 4096) throw new ControlError(400, "bad_input", "text is longer than 4096 characters");
    const content: Record<string, unknown> = { text };
    const entities = commandEntities(text);
    if (entities.length > 0) content.entities = entities;
    return content;
  }
  for (const kind of MEDIA_KINDS) {
    const spec = input[kind];
    if (spec === undefined) continue;
    const { data_base64, ...mediaSpec } = (
      typeof spec === "object" && spec !== null ? spec : {}
    ) as MediaSpec;
    const value: MediaValue = mediaSpec.file_id
      ? controlResolve(world, mediaSpec.file_id, kind)
      : world.files.create(
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

function controlResolve(world: World, fileId: string, kind: MediaKind): MediaValue {
  try {
    return world.files.resolve(fileId, kind);
  } catch (err) {
    if (err instanceof ApiError) throw new ControlError(400, "bad_file_id", err.description);
    throw err;
  }
}

export function userEdits(
  world: World,
  bot: BotState,
  userId: number,
  messageId: number,
  text: string,
): StoredMessage {
  const chat = world.chatOf(bot, world.user(userId));
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
  msg.edit_date = world.now();
  stored.edited = true;
  world.emit({ type: "edit", user_id: userId, entry: toEntry(stored, world.files) });
  world.enqueue(bot, "edited_message", msg);
  return stored;
}

export function setBlocked(world: World, bot: BotState, userId: number, blocked: boolean): void {
  const user = world.user(userId);
  const chat = world.chatOf(bot, user);
  if (chat.blocked === blocked) return;
  chat.blocked = blocked;
  const date = world.now();
  const member = (status: string) =>
    status === "kicked" ? { status, user: bot.user, until_date: 0 } : { status, user: bot.user };
  world.enqueue(bot, "my_chat_member", {
    chat: chat.chat(),
    from: publicUser(user),
    date,
    old_chat_member: member(blocked ? "member" : "kicked"),
    new_chat_member: member(blocked ? "kicked" : "member"),
  });
  if (!blocked) chat.started = true;
  world.emit({ type: "block", user_id: userId, blocked });
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
