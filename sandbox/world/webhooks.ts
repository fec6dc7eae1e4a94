import { badRequest } from "../errors.ts";
import type { Update } from "../types.ts";
import type { World } from "../world.ts";
import { type BotState, UPDATE_TYPES, type WebhookState } from "./state.ts";

// Webhooks: setWebhook/deleteWebhook/getWebhookInfo and in-order delivery with exponential backoff.

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

/** Delivers queued updates one by one, in order; retries failures with exponential backoff. */
export async function pumpWebhook(world: World, bot: BotState): Promise<void> {
  const hook = bot.webhook;
  if (!hook || hook.delivering) return;
  hook.delivering = true;
  try {
    while (!world.closed && bot.webhook === hook && bot.queue.length > 0) {
      const update = bot.queue[0]!;
      const delivered = await postUpdate(world, bot, hook, update);
      if (bot.webhook !== hook || world.closed) break;
      if (delivered) {
        hook.failures = 0;
        bot.queue = bot.queue.filter((u) => u.update_id !== update.update_id);
        continue;
      }
      hook.failures++;
      const delay = Math.min(
        world.opts.webhookRetryBaseMs * 2 ** (hook.failures - 1),
        world.opts.webhookRetryMaxMs,
      );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, delay);
        world.timers.add(timer);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        hook.wakeSleep = () => {
          world.timers.delete(timer);
          done();
        };
      });
      hook.wakeSleep = undefined;
    }
  } finally {
    hook.delivering = false;
  }
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
