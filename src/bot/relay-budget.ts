import { type KeyValue, writeOrDefer } from "../infra/ports.ts";
import { personKeys } from "../services/person-keys.ts";
import { type BotContext, deferTo } from "./context.ts";
import { pendingValue } from "./pending.ts";

/**
 * The relay limit: 15 messages a minute per person, relayed messages and coach hints sent with the
 * button together; the minute starts with the first message. A counter per person in the key-value
 * store, read with the update's first round trip (`readAheadKeys`) and counted with its last (the
 * "done" mark, with a webhook): checking costs no round trip of its own, and a message given back to
 * Telegram is not counted twice. A person's updates are handled one after another (per-chat
 * sequencing), so reading and then counting is not a race.
 */
const RELAY_LIMIT = 15;
const RELAY_WINDOW_MS = 60_000;

/** Takes one message from the sender's budget; when it is spent, says how long until it opens again. */
export async function takeRelayBudget(
  ctx: BotContext,
  kv: KeyValue,
): Promise<{ allowed: boolean; retryAfterMs: number }> {
  const key = personKeys.relayCount(ctx.from!.id);
  const used = Number((await pendingValue(ctx, kv, key)) ?? 0);
  // Over the limit (rare): one more round trip for how long the window still runs.
  if (used >= RELAY_LIMIT)
    return { allowed: false, retryAfterMs: (await kv.remainingTtl(key)) ?? RELAY_WINDOW_MS };
  // The window opens with the first message of it (`incr` sets the TTL only on a new counter).
  await writeOrDefer(kv, [{ op: "incr", key, ttlMs: RELAY_WINDOW_MS }], deferTo(ctx));
  return { allowed: true, retryAfterMs: 0 };
}
