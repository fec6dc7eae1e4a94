import { type FileStore, type MediaValue, mediaSummary } from "../files.ts";
import type { ChatEntry, SandboxEvent } from "../types.ts";
import { isObject } from "../util.ts";
import type { World } from "../world.ts";
import type { BotState, StoredMessage } from "./state.ts";

// The chat as the person sees it: stored messages → ChatEntry, and waiting for the bot's next message.

export function chatEntries(world: World, bot: BotState, userId: number, after = 0): ChatEntry[] {
  const chat = world.chatOf(bot, world.user(userId));
  return [...chat.messages.values()]
    .filter((m) => m.msg.message_id > after)
    .sort((a, b) => a.msg.message_id - b.msg.message_id)
    .map((m) => toEntry(m, world.files));
}

/** Resolves when the chat has a bot message newer than `after`, or after `waitMs`. */
export function waitForBotMessage(
  world: World,
  bot: BotState,
  userId: number,
  after: number,
  waitMs: number,
): Promise<void> {
  const chat = world.chatOf(bot, world.user(userId));
  const has = () => [...chat.messages.values()].some((m) => m.sender === "bot" && m.msg.message_id > after);
  if (has() || waitMs <= 0 || world.closed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      world.events.off("event", listener);
      world.events.off("close", done);
      resolve();
    };
    const listener = (e: SandboxEvent) => {
      if ((e.type === "message" || e.type === "edit" || e.type === "delete") && e.user_id === userId) done();
      else if (e.type === "reset") done();
    };
    const timer = setTimeout(done, waitMs);
    world.events.on("event", listener);
    world.events.once("close", done);
  });
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
