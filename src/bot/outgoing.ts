import { AsyncLocalStorage } from "node:async_hooks";
import type { Transformer } from "grammy";

/**
 * Pacing of outgoing Bot API calls, shaped after what Telegram documents and what grammY recommends
 * (https://grammy.dev/advanced/flood): the limits are flexible, so interactive traffic (replies,
 * proposals, relayed messages) is not held to a fixed global budget; a 429 is honoured by auto-retry,
 * which waits `retry_after` while the chat's later calls queue behind it. What Telegram does spell
 * out is kept:
 *
 * - one private chat: about one message per second, short bursts allowed → at most `perChatBurst`
 *   calls in any `perChatBurst × perChatMinMs` window;
 * - one group (the moderators' chat): at most 20 messages per minute;
 * - bulk notifications (work started by the scheduler, not by a person: expiry notices, lifted
 *   suspensions): at most `bulkPerSecond` per second across all chats (Telegram: "no more than 30
 *   messages per second" when notifying many users). Code marks such work with `bulk(fn)`.
 *
 * Only calls that put a new message in the chat count against these limits (`createsMessage`).
 * Each chat has two lanes, and calls in a lane keep their order (each starts after the previous one
 * has finished):
 *
 * - messages: sends, copies, forwards, and chat actions (a «typing…» belongs before its message);
 * - changes to messages already there: edits, deletions, reactions. They wait for no slot and never
 *   behind a message: removing a button's keyboard does not wait for the reply it triggered. Two edits
 *   of one message still apply in order. An edit cannot overtake the send of its own message: it
 *   needs the id that send returns.
 *
 * Calls without a `chat_id` (answerCallbackQuery, getUpdates, …) pass straight through.
 */
export interface OutgoingOptions {
  /** Average spacing of calls to one private chat; 0 turns per-chat pacing off (tests). */
  perChatMinMs: number;
  /** Calls one private chat may receive back to back before the spacing applies. */
  perChatBurst: number;
  /** Calls per minute to one group chat. */
  groupPerMinute?: number;
  /** Bulk calls per second, all chats together. */
  bulkPerSecond: number;
  /** Told of every raw 429 (metrics). */
  onFloodWait?: (lane: "interactive" | "bulk", ms: number) => void;
  now?: () => number;
}

export interface Outgoing {
  /** Install last (outermost): pacing and order. */
  transformer: Transformer;
  /** Install first (innermost, under auto-retry): sees every raw 429 and pauses the bulk budget. */
  floodObserver: Transformer;
  /** Runs `fn`; every Bot API call it makes (however deep) goes through the bulk budget. */
  bulk<T>(fn: () => Promise<T>): Promise<T>;
  /** Chats with state right now (idle ones are swept). */
  trackedChats(): number;
  close(): void;
}

/**
 * At most `limit` starts in any window of `windowMs`, in arrival order. A serial window also waits
 * for each call to finish before starting the next (one chat's messages keep their order).
 */
class SlidingWindow {
  private readonly starts: number[] = [];
  private tail: Promise<void> = Promise.resolve();
  private pausedUntil = 0;
  private lastUsed = 0;
  private pending = 0;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly serial: boolean,
    private readonly now: () => number,
  ) {}

  /** `counts: false`: keeps its place in the order but takes no slot (chat actions, changes to messages). */
  run<T>(fn: () => Promise<T>, counts = true): Promise<T> {
    this.pending++;
    const started = this.tail.then(async () => {
      if (!counts) return;
      await this.waitForSlot();
      this.starts.push(this.now());
      if (this.starts.length > this.limit) this.starts.shift();
    });
    const result = started.then(fn).finally(() => {
      this.lastUsed = this.now();
      this.pending--;
    });
    this.tail = (this.serial ? result : started).then(
      () => {},
      () => {},
    );
    return result;
  }

  pauseFor(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
  }

  idleSince(t: number): boolean {
    return this.pending === 0 && this.lastUsed < t;
  }

  private async waitForSlot(): Promise<void> {
    for (;;) {
      const now = this.now();
      let until = this.pausedUntil;
      if (this.windowMs > 0 && this.starts.length >= this.limit) {
        until = Math.max(until, (this.starts[this.starts.length - this.limit] ?? 0) + this.windowMs);
      }
      if (until <= now) return;
      await new Promise((r) => setTimeout(r, until - now));
    }
  }
}

/**
 * Telegram's limits are on messages a chat receives; editing, deleting, reacting, chat actions and
 * answering buttons are not messages, so they take no slot.
 */
export function createsMessage(method: string): boolean {
  return (
    (method.startsWith("send") && method !== "sendChatAction") ||
    method.startsWith("copyMessage") ||
    method.startsWith("forwardMessage")
  );
}

function retryAfterMs(res: unknown): number | null {
  const r = res as { ok?: boolean; error_code?: number; parameters?: { retry_after?: number } };
  if (r && r.ok === false && r.error_code === 429) return Math.max(1, r.parameters?.retry_after ?? 1) * 1000;
  return null;
}

export function createOutgoing(opts: OutgoingOptions): Outgoing {
  const now = opts.now ?? (() => Date.now());
  const perChatBurst = Math.max(1, opts.perChatBurst);
  const groupPerMinute = opts.groupPerMinute ?? 20;
  const bulkLane = new AsyncLocalStorage<true>();
  const bulkWindow = new SlidingWindow(Math.max(1, opts.bulkPerSecond), 1000, false, now);
  const chats = new Map<string, { messages: SlidingWindow; changes: SlidingWindow }>();

  const lanesFor = (chatId: string) => {
    let lanes = chats.get(chatId);
    if (!lanes) {
      const isGroup = chatId.startsWith("-") || chatId.startsWith("@");
      lanes = {
        messages: isGroup
          ? new SlidingWindow(groupPerMinute, 60_000, true, now)
          : new SlidingWindow(perChatBurst, opts.perChatMinMs * perChatBurst, true, now),
        changes: new SlidingWindow(1, 0, true, now),
      };
      chats.set(chatId, lanes);
    }
    return lanes;
  };

  // A chat's state is kept only while it matters: idle longer than a minute, it is forgotten.
  const sweep = setInterval(() => {
    const before = now() - 60_000;
    for (const [id, l] of chats)
      if (l.messages.idleSince(before) && l.changes.idleSince(before)) chats.delete(id);
  }, 30_000);
  sweep.unref();

  const transformer: Transformer = async (prev, method, payload, signal) => {
    const chatId = payload && "chat_id" in payload ? String((payload as { chat_id: unknown }).chat_id) : null;
    if (chatId === null) return prev(method, payload, signal);
    const lanes = lanesFor(chatId);
    const call = () => prev(method, payload, signal);
    const counts = createsMessage(method);
    if (!counts && method !== "sendChatAction") return lanes.changes.run(call, false);
    if (bulkLane.getStore() && counts) return bulkWindow.run(() => lanes.messages.run(call));
    return lanes.messages.run(call, counts);
  };

  // auto-retry (between the two) waits out a 429 while the chat's slot is held, so that chat pauses
  // by itself; bulk work is what trips the bot-wide limit, so all of it pauses too.
  const floodObserver: Transformer = async (prev, method, payload, signal) => {
    const res = await prev(method, payload, signal);
    const wait = retryAfterMs(res);
    if (wait !== null) {
      const bulk = bulkLane.getStore() === true;
      if (bulk) bulkWindow.pauseFor(wait);
      opts.onFloodWait?.(bulk ? "bulk" : "interactive", wait);
    }
    return res;
  };

  return {
    transformer,
    floodObserver,
    bulk: (fn) => bulkLane.run(true, fn),
    trackedChats: () => chats.size,
    close: () => clearInterval(sweep),
  };
}
