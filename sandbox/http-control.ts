import type { FastifyInstance, FastifyRequest } from "fastify";
import { registerEventStream } from "./control/events.ts";
import { registerFileRoute } from "./control/files.ts";
import { registerInspectionRoutes } from "./control/inspect.ts";
import { registerPeopleRoutes } from "./control/people.ts";
import { ControlError } from "./errors.ts";
import type { BotState } from "./world/state.ts";
import type { World } from "./world.ts";

/** The bot a control request acts on (`?bot=<id or token>`, default: the sandbox token's). */
export type BotOf = (request: FastifyRequest) => BotState;

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

  registerInspectionRoutes(app, world, botOf);
  registerPeopleRoutes(app, world, botOf);
  registerFileRoute(app, world);
  registerEventStream(app, world);
}
