import { conflict } from "../errors.ts";
import type { Update } from "../types.ts";
import type { World } from "../world.ts";
import { type BotState, type Poller, UPDATE_TYPES } from "./state.ts";

// Long polling: getUpdates wakes on the next queued update or its timeout, never in a loop.

function confirm(bot: BotState, offset: number): void {
  if (offset < 0) {
    bot.queue = bot.queue.slice(Math.max(0, bot.queue.length + offset));
  } else {
    bot.queue = bot.queue.filter((u) => u.update_id >= offset);
  }
}

function take(world: World, bot: BotState, limit: number): Update[] {
  world.stats.pollChecks++;
  return bot.queue.slice(0, limit);
}

/**
 * getUpdates with true long polling: resolves as soon as an update is queued, or after `timeout`
 * seconds, without polling in a loop. A newer call terminates the older one with 409, like Telegram.
 */
export async function getUpdates(
  world: World,
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
  if (params.offset !== undefined && params.offset !== 0) confirm(bot, params.offset);
  bot.poller?.finish("terminated");
  const limit = params.limit ?? 100;
  const timeout = Math.min(Math.max(params.timeout ?? 0, 0), 50);
  const first = take(world, bot, limit);
  if (first.length > 0 || timeout === 0 || world.closed) return first;
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
    throw conflict("terminated by other getUpdates request; make sure that only one bot instance is running");
  }
  if (outcome === "closed") return [];
  return take(world, bot, limit);
}
