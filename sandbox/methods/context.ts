import { badRequest, forbidden } from "../errors.ts";
import type { MediaKind } from "../files.ts";
import { isObject, toInt } from "../util.ts";
import type { Upload } from "../validate.ts";
import type { BotState, ChatState, StoredMessage } from "../world/state.ts";
import type { World } from "../world.ts";

// What every method handler gets, and the checks and steps most sending methods share.

export interface CallContext {
  world: World;
  bot: BotState;
  params: Record<string, unknown>;
  raw: Record<string, unknown>;
  uploads: ReadonlyMap<string, Upload>;
  onDisconnect: (cb: () => void) => void;
}

export type Handler = (ctx: CallContext) => unknown | Promise<unknown>;

/** The private chat `chat_id` points at; `sending` adds the checks Telegram applies to outgoing messages. */
export function targetChat(ctx: CallContext, ref: unknown, sending = true): ChatState {
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

export function replyTarget(ctx: CallContext, chat: ChatState): number | undefined {
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

export function markupOf(ctx: CallContext): Record<string, unknown> | undefined {
  const m = ctx.params.reply_markup;
  return isObject(m) ? m : undefined;
}

export function sendContent(
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

export function withEntities(
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
