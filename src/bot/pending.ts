import type { KeyValue } from "../infra/ports.ts";
import type { ActiveChat, ChatService } from "../services/chats.ts";
import { personKeys } from "../services/person-keys.ts";
import type { FlowState, ProfileService } from "../services/profile.ts";
import type { SenderLookup } from "../services/sender.ts";
import type { BotContext } from "./context.ts";

/**
 * What a person's next message is for, besides the conversation: a profile step, a report being
 * written, an appeal, a custom tip amount — and whether their relay budget allows it. Each feature
 * checks its own key for every message; for a plain message those keys (keyed by the Telegram id)
 * are read with the update's claim, in the same round trip (`readAheadKeys`), and the open profile
 * flow and active chat come with the person's row (`identify`). A value read ahead is handed out
 * once (`pendingValue`, `pendingFlow`, `pendingChat`); a second read in the same update goes to the
 * store, so a write made in between is never hidden.
 */
export function readAheadKeys(ctx: BotContext): string[] {
  if (ctx.chat?.type !== "private" || !ctx.from || !isPlainMessage(ctx)) return [];
  const tg = ctx.from.id;
  return [
    personKeys.reportDraft(tg),
    personKeys.appealDraft(tg),
    personKeys.tipCustom(tg),
    personKeys.relayCount(tg),
  ];
}

export async function pendingValue(ctx: BotContext, kv: KeyValue, key: string): Promise<string | null> {
  const map = ctx.prefetched;
  if (map?.has(key)) {
    const value = map.get(key) ?? null;
    map.delete(key);
    return value;
  }
  return kv.get(key);
}

/** A message that is not a command: what the prefetched values are for. */
const isPlainMessage = (ctx: BotContext) => ctx.message !== undefined && !ctx.message.text?.startsWith("/");

/**
 * Who this is (null before the rules are accepted); for a plain message, their open flow and their
 * active chat with it, in one statement.
 */
export async function identify(
  ctx: BotContext,
  deps: { profiles: ProfileService; sender: SenderLookup },
): Promise<void> {
  if (!ctx.from) {
    ctx.user = null;
    return;
  }
  if (!isPlainMessage(ctx)) {
    ctx.user = await deps.profiles.findByTelegramId(ctx.from.id);
    return;
  }
  const found = await deps.sender.byTelegramId(ctx.from.id);
  ctx.user = found?.user ?? null;
  if (found) {
    ctx.prefetchedFlow = found.flow;
    ctx.prefetchedChat = found.chat;
  }
}

/** The person's active chat, as read with them at the start of the update (once), else from the store. */
export const pendingChat = (
  ctx: BotContext,
  chats: ChatService,
  userId: number,
): Promise<ActiveChat | null> => takeOnce(ctx, "prefetchedChat", userId, () => chats.activeChat(userId));

/** The person's open profile flow, as read with them at the start of the update (once), else from the store. */
export const pendingFlow = (
  ctx: BotContext,
  profiles: ProfileService,
  userId: number,
): Promise<FlowState | null> => takeOnce(ctx, "prefetchedFlow", userId, () => profiles.getFlow(userId));

/** Hands out what was read with the person, once; afterwards (or for someone else) reads it fresh. */
async function takeOnce<K extends "prefetchedChat" | "prefetchedFlow">(
  ctx: BotContext,
  field: K,
  userId: number,
  read: () => Promise<NonNullable<BotContext[K]> | null>,
): Promise<NonNullable<BotContext[K]> | null> {
  const value = ctx[field];
  if (value === undefined || ctx.user?.id !== userId) return read();
  ctx[field] = undefined;
  return value as NonNullable<BotContext[K]> | null;
}
