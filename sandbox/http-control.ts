import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { ControlError } from "./errors.ts";
import { commandsFor, commandsKey } from "./methods.ts";
import type { RawEvent, SandboxEvent } from "./types.ts";
import { toInt } from "./util.ts";
import { click } from "./world/callbacks.ts";
import { chatEntries, waitForBotMessage } from "./world/chat-view.ts";
import { addFault } from "./world/faults.ts";
import { pay } from "./world/payments.ts";
import { setBlocked, userEdits, userSends } from "./world/people.ts";
import { type BotState, publicUser } from "./world/state.ts";
import { webhookInfo } from "./world/webhooks.ts";
import type { World } from "./world.ts";

const userInput = z.object({
  first_name: z.string().trim().min(1).max(64),
  last_name: z.string().max(64).optional(),
  username: z
    .string()
    .regex(/^[A-Za-z0-9_]{5,32}$/)
    .optional(),
  language_code: z.string().min(2).max(10).optional(),
});

const mediaSpec = z
  .object({
    file_id: z.string().optional(),
    file_name: z.string().max(255).optional(),
    mime_type: z.string().max(255).optional(),
    width: z.number().int().positive().optional(),
    height: z.number().int().positive().optional(),
    duration: z.number().int().nonnegative().optional(),
    length: z.number().int().positive().optional(),
    emoji: z.string().optional(),
    title: z.string().optional(),
    performer: z.string().optional(),
    file_size: z.number().int().positive().optional(),
    /** A real file (the playground's upload): base64 of at most 20 MB. */
    data_base64: z.string().min(1).max(28_000_000).optional(),
  })
  .strict();

const messageInput = z
  .object({
    /** Forward a message of this chat back to the bot (as a person forwards evidence). */
    forward_message_id: z.number().int().positive().optional(),
    /** Pin a message of this chat: the bot gets the `pinned_message` service message. */
    pin_message_id: z.number().int().positive().optional(),
    text: z.string().optional(),
    caption: z.string().max(1024).optional(),
    photo: mediaSpec.optional(),
    video: mediaSpec.optional(),
    voice: mediaSpec.optional(),
    video_note: mediaSpec.optional(),
    audio: mediaSpec.optional(),
    document: mediaSpec.optional(),
    sticker: mediaSpec.optional(),
    animation: mediaSpec.optional(),
    contact: z.record(z.string(), z.unknown()).optional(),
    location: z.record(z.string(), z.unknown()).optional(),
    venue: z.record(z.string(), z.unknown()).optional(),
    dice: z
      .object({ emoji: z.enum(["🎲", "🎯", "🏀", "⚽", "🎳", "🎰"]).optional() })
      .strict()
      .optional(),
    reply_to_message_id: z.number().int().positive().optional(),
    media_group_id: z.string().max(64).optional(),
  })
  .strict();

const editInput = z.object({ message_id: z.number().int().positive(), text: z.string().min(1).max(4096) });

const clickInput = z
  .object({
    message_id: z.number().int().positive().optional(),
    data: z.string().optional(),
    button_text: z.string().min(1).optional(),
    timeout_ms: z.number().int().positive().max(120_000).optional(),
  })
  .refine((v) => v.button_text !== undefined || (v.message_id !== undefined && v.data !== undefined), {
    message: "give {message_id, data} or {button_text}",
  });

const payInput = z.object({
  message_id: z.number().int().positive().optional(),
  timeout_ms: z.number().int().positive().max(120_000).optional(),
});

const faultInput = z
  .object({
    method: z.string().min(1).max(64),
    error_code: z.number().int().min(400).max(599).optional(),
    count: z.number().int().positive().optional(),
    retry_after: z.number().int().positive().optional(),
    latency_ms: z.number().int().nonnegative().max(120_000).optional(),
    description: z.string().max(512).optional(),
  })
  .refine((f) => f.error_code !== undefined || f.latency_ms !== undefined, {
    message: "give error_code and/or latency_ms",
  });

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join(".")}: ` : "";
    throw new ControlError(400, "bad_input", `${where}${issue?.message ?? "invalid input"}`);
  }
  return result.data;
}

/** `?limit=N`: the last N records; absent = all. */
function limitOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = toInt(value);
  if (n === undefined || n < 1 || n > 20_000) {
    throw new ControlError(400, "bad_input", "limit must be an integer from 1 to 20000");
  }
  return n;
}

const lastOf = <T>(items: T[], limit: number | undefined): T[] =>
  limit === undefined ? items : items.slice(-limit);

/** Content types the playground may show inline; anything else is served as a download. */
const INLINE_TYPES =
  /^(image\/(png|jpeg|gif|webp)|audio\/[a-z0-9.+-]+|video\/(mp4|webm)|text\/plain|application\/(json|pdf))$/;

const TYPE_BY_EXTENSION: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  oga: "audio/ogg",
  ogg: "audio/ogg",
  mp3: "audio/mpeg",
  json: "application/json",
  pdf: "application/pdf",
  txt: "text/plain",
};

function userId(request: FastifyRequest): number {
  const id = toInt((request.params as { id: string }).id);
  if (id === undefined) throw new ControlError(400, "bad_input", "user id must be a positive integer");
  return id;
}

/** The control API under /sandbox/: simulated people, inspection, faults, live events. */
export async function controlPlugin(app: FastifyInstance, opts: { world: World }): Promise<void> {
  const { world } = opts;
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === "") return done(null, {});
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new ControlError(400, "bad_json", "the body is not valid JSON"), undefined);
    }
  });

  app.setErrorHandler((err: unknown, _request, reply) => {
    if (err instanceof ControlError) {
      return reply.code(err.status).send({ error: { code: err.code, message: err.message } });
    }
    const e = err as { statusCode?: number; message?: string };
    const status = e.statusCode && e.statusCode >= 400 && e.statusCode < 500 ? e.statusCode : 500;
    if (status === 500) world.opts.logger.error?.({ err }, "sandbox control API failed");
    return reply
      .code(status)
      .send({ error: { code: status === 500 ? "internal" : "bad_request", message: e.message ?? "error" } });
  });
  app.setNotFoundHandler((_request, reply) =>
    reply.code(404).send({ error: { code: "not_found", message: "no such control endpoint" } }),
  );

  const botOf = (request: FastifyRequest): BotState => world.pickBot((request.query as { bot?: string }).bot);

  app.get("/bot", async (request) => {
    const bot = botOf(request);
    return {
      ...bot.getMe(),
      commands: bot.commands.get(commandsKey({})) ?? [],
      webhook: webhookInfo(bot),
      polling: bot.poller !== null,
    };
  });

  app.post("/users", async (request, reply) => {
    const input = parse(userInput, request.body);
    const user = world.createUser(input);
    return reply.code(201).send(publicUser(user));
  });
  app.get("/users", async () => [...world.users.values()].map(publicUser));
  app.get("/users/:id", async (request) => {
    const id = userId(request);
    const bot = botOf(request);
    const user = world.user(id);
    const chat = world.chatOf(bot, user);
    return {
      ...publicUser(user),
      blocked: chat.blocked,
      reply_keyboard: chat.replyKeyboard,
      last_message_id: chat.lastId(),
    };
  });

  // The command menu this person sees in the private chat (scope and language resolved like Telegram).
  app.get("/users/:id/commands", async (request) => {
    const bot = botOf(request);
    const user = world.user(userId(request));
    const menu = bot.texts.get(`menu|${user.id}`) ?? bot.texts.get("menu|");
    return { ...commandsFor(bot, user), menu_button: menu ? JSON.parse(menu) : { type: "commands" } };
  });

  app.post("/users/:id/messages", async (request, reply) => {
    const input = parse(messageInput, request.body);
    const { stored, cursor } = userSends(world, botOf(request), userId(request), input);
    return reply.code(201).send({ message_id: stored.msg.message_id, cursor });
  });
  app.post("/users/:id/edits", async (request) => {
    const input = parse(editInput, request.body);
    const stored = userEdits(world, botOf(request), userId(request), input.message_id, input.text);
    return { message_id: stored.msg.message_id };
  });
  app.post("/users/:id/clicks", async (request) => {
    const input = parse(clickInput, request.body);
    const clean: { message_id?: number; data?: string; button_text?: string; timeout_ms?: number } = {};
    if (input.message_id !== undefined) clean.message_id = input.message_id;
    if (input.data !== undefined) clean.data = input.data;
    if (input.button_text !== undefined) clean.button_text = input.button_text;
    if (input.timeout_ms !== undefined) clean.timeout_ms = input.timeout_ms;
    return click(world, botOf(request), userId(request), clean);
  });
  app.post("/users/:id/block", async (request) => {
    setBlocked(world, botOf(request), userId(request), true);
    return { blocked: true };
  });
  app.post("/users/:id/unblock", async (request) => {
    setBlocked(world, botOf(request), userId(request), false);
    return { blocked: false };
  });
  app.post("/users/:id/pay", async (request) => {
    const input = parse(payInput, request.body);
    const clean: { message_id?: number; timeout_ms?: number } = {};
    if (input.message_id !== undefined) clean.message_id = input.message_id;
    if (input.timeout_ms !== undefined) clean.timeout_ms = input.timeout_ms;
    return pay(world, botOf(request), userId(request), clean);
  });
  app.get("/users/:id/chat", async (request) => {
    const q = request.query as { after?: string; wait_ms?: string };
    const after = q.after === undefined ? 0 : toInt(q.after);
    const waitMs = q.wait_ms === undefined ? 0 : toInt(q.wait_ms);
    if (after === undefined || waitMs === undefined) {
      throw new ControlError(400, "bad_input", "after and wait_ms must be non-negative integers");
    }
    const bot = botOf(request);
    const id = userId(request);
    await waitForBotMessage(world, bot, id, after, Math.min(waitMs, 60_000));
    return chatEntries(world, bot, id, after);
  });

  app.get("/faults", async () => world.faults);
  app.post("/faults", async (request, reply) => {
    const input = parse(faultInput, request.body);
    addFault(world, input);
    return reply.code(201).send({ ok: true });
  });
  app.delete("/faults", async () => {
    world.faults = [];
    return { ok: true };
  });

  app.get("/calls", async (request) => {
    const q = request.query as { method?: string; since?: string; limit?: string };
    const since = q.since === undefined ? 0 : toInt(q.since);
    if (since === undefined) throw new ControlError(400, "bad_input", "since must be a non-negative integer");
    const limit = limitOf(q.limit);
    const method = q.method?.toLowerCase();
    return lastOf(
      world.calls.filter((c) => c.seq > since && (!method || c.method.toLowerCase() === method)),
      limit,
    );
  });
  app.get("/updates", async (request) => {
    const q = request.query as { since?: string; limit?: string };
    const since = q.since === undefined ? 0 : toInt(q.since);
    if (since === undefined) throw new ControlError(400, "bad_input", "since must be a non-negative integer");
    const bot = botOf(request);
    return lastOf(
      world.updates.filter((u) => u.seq > since && u.bot_id === bot.id),
      limitOf(q.limit),
    );
  });

  // A file's bytes, for the playground to show a photo, play a voice message or open a document.
  app.get("/files/:fileId", async (request, reply) => {
    const { fileId } = request.params as { fileId: string };
    const file = world.files.content(fileId);
    if (!file) throw new ControlError(404, "file_not_found", `no file with id ${fileId}`);
    if (!file.data) {
      throw new ControlError(404, "no_content", "this file was simulated: nobody uploaded its bytes");
    }
    const ext = file.fileName ? /\.([A-Za-z0-9]{1,8})$/.exec(file.fileName)?.[1]?.toLowerCase() : undefined;
    const given = file.mimeType && file.mimeType !== "application/octet-stream" ? file.mimeType : undefined;
    const type = (
      given ??
      (ext ? TYPE_BY_EXTENSION[ext] : undefined) ??
      "application/octet-stream"
    ).toLowerCase();
    const download =
      (request.query as { download?: string }).download !== undefined || !INLINE_TYPES.test(type);
    const name = encodeURIComponent(file.fileName ?? fileId);
    return (
      reply
        .header(
          "content-type",
          type.startsWith("text/") || type === "application/json" ? `${type}; charset=utf-8` : type,
        )
        .header("content-disposition", `${download ? "attachment" : "inline"}; filename*=UTF-8''${name}`)
        // Bytes anyone uploaded must not run as a page of the sandbox's origin.
        .header("content-security-policy", "sandbox; default-src 'none'; img-src 'self'; media-src 'self'")
        .header("x-content-type-options", "nosniff")
        .send(file.data)
    );
  });
  app.delete("/calls", async () => {
    world.calls = [];
    return { ok: true };
  });

  app.post("/reset", async () => {
    world.reset();
    return { ok: true };
  });

  app.get("/events", (request: FastifyRequest, reply: FastifyReply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    res.write("retry: 1000\n\n");
    const send = (event: SandboxEvent | RawEvent) => {
      res.write(`data: ${JSON.stringify(event)}\n\n`);
    };
    // `?raw=1`: also every Bot API call and queued update (the playground's developer panel).
    const raw = (request.query as { raw?: string }).raw;
    const wantsRaw = raw !== undefined && raw !== "0" && raw !== "false";
    const heartbeat = setInterval(() => res.write(": ping\n\n"), 15_000);
    const end = () => {
      clearInterval(heartbeat);
      world.events.off("event", send);
      world.events.off("raw", send);
      world.events.off("close", end);
      if (!res.writableEnded) res.end();
    };
    world.events.on("event", send);
    if (wantsRaw) world.events.on("raw", send);
    world.events.once("close", end);
    request.raw.socket.once("close", end);
  });
}
