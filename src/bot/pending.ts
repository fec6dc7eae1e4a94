import type { KeyValue } from "../infra/ports.ts";
import { personKeys } from "../services/person-keys.ts";
import type { FlowState, ProfileService } from "../services/profile.ts";
import type { BotContext } from "./context.ts";

/**
 * What a person's next message is for, besides the conversation: a profile step, a report being
 * written, an appeal, a custom tip amount. Each feature checks its own key for every message; reading the three in one
 * round trip at the start of the update saves two (`prefetchPending`), and the open profile flow
 * comes with the person's row (`identify`). A prefetched value is handed out once (`pendingValue`,
 * `pendingFlow`); a second read in the same update goes to the store, so a write made in between is
 * never hidden.
 */
const pendingKeys = (userId: number) => [
  personKeys.reportDraft(userId),
  personKeys.appealDraft(userId),
  personKeys.tipCustom(userId),
];

export async function prefetchPending(ctx: BotContext, kv: KeyValue): Promise<void> {
  if (!ctx.user || !isPlainMessage(ctx)) return;
  const keys = pendingKeys(ctx.user.id);
  const values = await kv.getMany(keys);
  ctx.prefetched = new Map(keys.map((k, i) => [k, values[i] ?? null]));
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

/** Who this is (null before the rules are accepted); for a plain message, their open flow with it. */
export async function identify(ctx: BotContext, profiles: ProfileService): Promise<void> {
  if (!ctx.from) {
    ctx.user = null;
    return;
  }
  if (!isPlainMessage(ctx)) {
    ctx.user = await profiles.findByTelegramId(ctx.from.id);
    return;
  }
  const found = await profiles.findByTelegramIdWithFlow(ctx.from.id);
  ctx.user = found?.user ?? null;
  if (found) ctx.prefetchedFlow = found.flow;
}

export async function pendingFlow(
  ctx: BotContext,
  profiles: ProfileService,
  userId: number,
): Promise<FlowState | null> {
  if (ctx.prefetchedFlow !== undefined && ctx.user?.id === userId) {
    const flow = ctx.prefetchedFlow;
    ctx.prefetchedFlow = undefined;
    return flow;
  }
  return profiles.getFlow(userId);
}
