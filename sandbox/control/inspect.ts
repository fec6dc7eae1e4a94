import type { FastifyInstance } from "fastify";
import { ControlError } from "../errors.ts";
import type { BotOf } from "../http-control.ts";
import { commandsKey } from "../methods.ts";
import { toInt } from "../util.ts";
import { addFault } from "../world/faults.ts";
import { webhookInfo } from "../world/webhooks.ts";
import type { World } from "../world.ts";
import { faultInput, lastOf, limitOf, parse } from "./schemas.ts";

/** What the bot did and what it got: its setup, calls, queued updates; faults and reset. */
export function registerInspectionRoutes(app: FastifyInstance, world: World, botOf: BotOf): void {
  app.get("/bot", async (request) => {
    const bot = botOf(request);
    return {
      ...bot.getMe(),
      commands: bot.commands.get(commandsKey({})) ?? [],
      webhook: webhookInfo(bot),
      polling: bot.poller !== null,
    };
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

  app.delete("/calls", async () => {
    world.calls = [];
    return { ok: true };
  });

  app.post("/reset", async () => {
    world.reset();
    return { ok: true };
  });
}
