import type { FastifyInstance } from "fastify";
import { ControlError } from "../errors.ts";
import type { BotOf } from "../http-control.ts";
import { commandsFor } from "../methods.ts";
import { toInt } from "../util.ts";
import { click } from "../world/callbacks.ts";
import { chatEntries, waitForBotMessage } from "../world/chat-view.ts";
import { pay } from "../world/payments.ts";
import { setBlocked, userEdits, userSends } from "../world/people.ts";
import { publicUser } from "../world/state.ts";
import type { World } from "../world.ts";
import { clickInput, editInput, messageInput, parse, payInput, userId, userInput } from "./schemas.ts";

/** Simulated people: create them, and let them write, edit, click, block, pay and read their chat. */
export function registerPeopleRoutes(app: FastifyInstance, world: World, botOf: BotOf): void {
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
}
