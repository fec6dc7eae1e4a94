import { randomUUID } from "node:crypto";
import { badRequest } from "../errors.ts";
import { prepareCaption, prepareMessageText } from "../limits.ts";
import type { StoredMessage } from "../world/state.ts";
import { type CallContext, type Handler, sendContent, targetChat, withEntities } from "./context.ts";

// Sending, copying and forwarding messages (media have their own file), chat actions.

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

export const messageMethods: Record<string, Handler> = {
  sendMessage: (ctx) => {
    const chat = targetChat(ctx, ctx.params.chat_id);
    const formatted = prepareMessageText(ctx.params.text, ctx.params.parse_mode, ctx.params.entities);
    return sendContent(ctx, chat, withEntities({}, "text", formatted)).msg;
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
  sendChatAction: (ctx) => {
    const chat = targetChat(ctx, ctx.params.chat_id);
    ctx.world.emit({ type: "chat_action", user_id: chat.user.id, action: String(ctx.params.action) });
    return true;
  },
};
