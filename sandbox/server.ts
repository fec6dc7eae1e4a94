import { readFileSync } from "node:fs";
import formbody from "@fastify/formbody";
import Fastify from "fastify";
import { botApiPlugin } from "./http-bot-api.ts";
import { controlPlugin } from "./http-control.ts";
import { callMethod } from "./methods.ts";
import type { LoggerLike } from "./types.ts";
import type { WorldOptions } from "./world/state.ts";
import { World } from "./world.ts";

export interface SandboxOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  logger?: LoggerLike;
  /** Milliseconds since the epoch; message dates and call times use it. */
  clock?: () => number;
  /** The default bot's token (the playground and control API talk to this bot unless told otherwise). */
  token?: string;
  /** How long `POST /sandbox/users/:id/clicks` waits for answerCallbackQuery. Default 5000. */
  callbackTimeoutMs?: number;
  /** How long a payment waits for answerPreCheckoutQuery. Default 10000, like Telegram. */
  preCheckoutTimeoutMs?: number;
  /** Webhook retry backoff: base * 2^(failures-1), capped at max. Defaults 500 ms and 30 s. */
  webhookRetryBaseMs?: number;
  webhookRetryMaxMs?: number;
  /** How long one webhook POST may take. Default 10 s. */
  webhookTimeoutMs?: number;
  /** Every Bot API call is answered this much later, like the network distance to Telegram. Default 0. */
  apiLatencyMs?: number;
  /** Told when the bot's webhook accepted an update (load measurements). */
  onWebhookDelivered?: WorldOptions["onWebhookDelivered"];
  /** How many recorded calls the control API keeps (updates: a tenth). Default 20 000. */
  callLog?: number;
  /** How many messages each private chat keeps, the oldest forgotten first. Default: all. */
  messageHistory?: number;
}

export interface Sandbox {
  /** http://127.0.0.1:PORT — the playground is at `${url}/`. */
  url: string;
  /** The same as url; pass it as grammY's `client.apiRoot`. */
  apiRoot: string;
  /** The default bot's token. */
  token: string;
  /** Direct access to the emulator's state, for tests. */
  world: World;
  close(): Promise<void>;
}

export const DEFAULT_SANDBOX_TOKEN = "7000000001:SANDBOX_tyneodin_local_token";

const playgroundHtml = readFileSync(new URL("./playground.html", import.meta.url), "utf8");

/** Starts the local Telegram Bot API emulator, its control API and the playground page. */
export async function createSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const token = opts.token ?? DEFAULT_SANDBOX_TOKEN;
  const world: World = new World({
    clock: opts.clock ?? Date.now,
    logger: opts.logger ?? {},
    defaultToken: token,
    callbackTimeoutMs: opts.callbackTimeoutMs ?? 5_000,
    preCheckoutTimeoutMs: opts.preCheckoutTimeoutMs ?? 10_000,
    webhookRetryBaseMs: opts.webhookRetryBaseMs ?? 500,
    webhookRetryMaxMs: opts.webhookRetryMaxMs ?? 30_000,
    webhookTimeoutMs: opts.webhookTimeoutMs ?? 10_000,
    ...(opts.apiLatencyMs ? { apiLatencyMs: opts.apiLatencyMs } : {}),
    ...(opts.callLog !== undefined ? { callLog: opts.callLog } : {}),
    ...(opts.messageHistory !== undefined ? { messageHistory: opts.messageHistory } : {}),
    ...(opts.onWebhookDelivered ? { onWebhookDelivered: opts.onWebhookDelivered } : {}),
    onWebhookReply: async (bot, method, params) => {
      await callMethod(world, bot, method, params);
    },
  });
  world.defaultBot();

  const app = Fastify({ logger: false, forceCloseConnections: true, bodyLimit: 60 * 1024 * 1024 });
  await app.register(formbody);
  app.get("/", async (_request, reply) =>
    reply.header("content-type", "text/html; charset=utf-8").send(playgroundHtml),
  );
  app.get("/health", async () => ({ ok: true }));
  await app.register(botApiPlugin, { world });
  await app.register(controlPlugin, { world, prefix: "/sandbox" });

  await app.listen({ port: opts.port ?? 0, host: opts.host ?? "127.0.0.1" });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : opts.port;
  const host = opts.host && opts.host !== "0.0.0.0" && opts.host !== "::" ? opts.host : "127.0.0.1";
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  opts.logger?.info?.({ url }, "Telegram Bot API sandbox listening");

  let closing: Promise<void> | undefined;
  return {
    url,
    apiRoot: url,
    token,
    world,
    close() {
      closing ??= (async () => {
        world.close();
        await app.close();
      })();
      return closing;
    },
  };
}
