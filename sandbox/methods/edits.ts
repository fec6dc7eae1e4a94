import { badRequest } from "../errors.ts";
import { prepareCaption, prepareMessageText } from "../limits.ts";
import { toEntry } from "../world/chat-view.ts";
import type { ChatState, StoredMessage } from "../world/state.ts";
import { type CallContext, type Handler, markupOf, targetChat } from "./context.ts";

// Editing and deleting the bot's messages, and reactions.

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

export const editMethods: Record<string, Handler> = {
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
};
