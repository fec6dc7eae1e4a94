import { badRequest } from "../errors.ts";
import type { Update } from "../types.ts";
import type { World } from "../world.ts";
import { type BotState, UPDATE_TYPES, type WebhookState } from "./state.ts";

// Webhooks: setWebhook/deleteWebhook/getWebhookInfo; parallel delivery, in order per chat, with backoff.

export function setWebhook(
  world: World,
  bot: BotState,
  p: {
    url: string;
    secret_token?: string;
    max_connections?: number;
    allowed_updates?: string[];
    drop_pending_updates?: boolean;
    certificate?: unknown;
    ip_address?: string;
  },
): void {
  if (p.url === "") {
    deleteWebhook(bot, p.drop_pending_updates === true);
    return;
  }
  let parsed: URL;
  try {
    parsed = new URL(p.url);
  } catch {
    throw badRequest("bad webhook: Failed to resolve host: Name or service not known");
  }
  // Telegram demands HTTPS; the sandbox also accepts http so a local bot can receive updates.
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    throw badRequest("bad webhook: An HTTPS URL must be provided for webhook");
  }
  if (p.drop_pending_updates) bot.queue = [];
  if (p.allowed_updates) bot.allowedUpdates = p.allowed_updates.filter((t) => UPDATE_TYPES.includes(t));
  stopWebhook(bot);
  const hook: WebhookState = {
    url: p.url,
    maxConnections: p.max_connections ?? 40,
    hasCustomCertificate: p.certificate !== undefined,
    failures: 0,
    delivering: false,
    inFlight: new Set(),
    busyChats: new Set(),
    abort: new AbortController(),
  };
  if (p.secret_token) hook.secretToken = p.secret_token;
  if (p.ip_address) hook.ipAddress = p.ip_address;
  bot.webhook = hook;
  bot.poller?.finish("terminated");
  void pumpWebhook(world, bot);
}

export function deleteWebhook(bot: BotState, dropPending: boolean): void {
  stopWebhook(bot);
  if (dropPending) bot.queue = [];
}

export function stopWebhook(bot: BotState): void {
  const hook = bot.webhook;
  if (!hook) return;
  bot.webhook = null;
  hook.abort.abort();
  hook.wakeSleep?.();
}

export function webhookInfo(bot: BotState): Record<string, unknown> {
  const hook = bot.webhook;
  const info: Record<string, unknown> = {
    url: hook?.url ?? "",
    has_custom_certificate: hook?.hasCustomCertificate ?? false,
    pending_update_count: bot.queue.length,
  };
  if (hook) {
    info.max_connections = hook.maxConnections;
    if (hook.ipAddress) info.ip_address = hook.ipAddress;
    if (hook.lastErrorDate) {
      info.last_error_date = hook.lastErrorDate;
      info.last_error_message = hook.lastErrorMessage;
    }
    if (bot.allowedUpdates.length > 0) info.allowed_updates = bot.allowedUpdates;
  }
  return info;
}

/**
 * The queue an update belongs to, as Telegram's Bot API server keys its webhook queues: updates of
 * one chat (or, without a chat, of one person) are delivered one after another; different chats go
 * out in parallel, up to the webhook's `max_connections`.
 */
function queueKey(update: Update): string {
  const u = update as unknown as Record<string, { chat?: { id: number }; from?: { id: number } } | undefined>;
  for (const [type, payload] of Object.entries(u)) {
    if (type === "update_id" || !payload || typeof payload !== "object") continue;
    const id = payload.chat?.id ?? payload.from?.id;
    if (id !== undefined) return String(id);
  }
  return "";
}

/**
 * Delivers queued updates: up to `max_connections` requests at once, one at a time per chat and in
 * order within a chat. A failed delivery stays at the head of its chat and pauses the whole webhook
 * with exponential backoff (as Telegram does), requests already in flight finish meanwhile.
 */
export async function pumpWebhook(world: World, bot: BotState): Promise<void> {
  const hook = bot.webhook;
  if (!hook || world.closed || hook.delivering) return;
  // `delivering` is re-entrancy protection for this scan only: scans are synchronous.
  hook.delivering = true;
  try {
    if (hook.pausedUntil !== undefined) return;
    for (const update of bot.queue) {
      if (hook.inFlight.size >= hook.maxConnections) break;
      if (hook.inFlight.has(update.update_id)) continue;
      const key = queueKey(update);
      if (hook.busyChats.has(key)) continue;
      hook.busyChats.add(key);
      hook.inFlight.add(update.update_id);
      void deliver(world, bot, hook, update, key);
    }
  } finally {
    hook.delivering = false;
  }
}

async function deliver(world: World, bot: BotState, hook: WebhookState, update: Update, key: string) {
  const startedAt = world.opts.clock();
  const delivered = await postUpdate(world, bot, hook, update);
  hook.inFlight.delete(update.update_id);
  hook.busyChats.delete(key);
  if (bot.webhook !== hook || world.closed) return;
  if (delivered) {
    hook.failures = 0;
    removeFromQueue(bot, update.update_id);
    world.opts.onWebhookDelivered?.(bot, update, startedAt);
    void pumpWebhook(world, bot);
    return;
  }
  hook.failures++;
  if (hook.pausedUntil !== undefined) return; // another failure already paused the webhook
  const delay = Math.min(
    world.opts.webhookRetryBaseMs * 2 ** (hook.failures - 1),
    world.opts.webhookRetryMaxMs,
  );
  hook.pausedUntil = Date.now() + delay;
  const timer = setTimeout(resume, delay);
  world.timers.add(timer);
  function resume() {
    clearTimeout(timer);
    world.timers.delete(timer);
    hook.wakeSleep = undefined;
    hook.pausedUntil = undefined;
    void pumpWebhook(world, bot);
  }
  hook.wakeSleep = resume;
}

/** Delivered updates leave the queue; the head is the usual case, so that is cheap. */
function removeFromQueue(bot: BotState, updateId: number): void {
  if (bot.queue[0]?.update_id === updateId) {
    bot.queue.shift();
    return;
  }
  const i = bot.queue.findIndex((u) => u.update_id === updateId);
  if (i >= 0) bot.queue.splice(i, 1);
}

async function postUpdate(world: World, bot: BotState, hook: WebhookState, update: Update): Promise<boolean> {
  world.stats.webhookAttempts++;
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (hook.secretToken) headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secretToken;
  const fail = (message: string) => {
    hook.lastErrorDate = world.now();
    hook.lastErrorMessage = message;
    world.opts.logger.warn?.(
      { bot: bot.id, update_id: update.update_id, message },
      "sandbox webhook delivery failed",
    );
    return false;
  };
  try {
    const res = await fetch(hook.url, {
      method: "POST",
      headers,
      body: JSON.stringify(update),
      signal: AbortSignal.any([hook.abort.signal, AbortSignal.timeout(world.opts.webhookTimeoutMs)]),
    });
    const body = await res.text();
    if (!res.ok) return fail(`Wrong response from the webhook: ${res.status} ${res.statusText}`);
    await handleWebhookReply(world, bot, body);
    return true;
  } catch (err) {
    if (hook.abort.signal.aborted) return false;
    const name = (err as Error).name;
    return fail(name === "TimeoutError" ? "Read timeout expired" : "Connection refused");
  }
}

async function handleWebhookReply(world: World, bot: BotState, body: string): Promise<void> {
  if (!body || !world.opts.onWebhookReply) return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return;
  }
  if (typeof parsed !== "object" || parsed === null) return;
  const { method, ...params } = parsed as Record<string, unknown>;
  if (typeof method !== "string") return;
  await world.opts.onWebhookReply(bot, method, params).catch(() => undefined);
}
