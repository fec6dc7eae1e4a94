import type { IncomingMessage, Server, ServerResponse } from "node:http";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyPluginOptions,
  LogController,
} from "fastify";
import {
  type FastifyPluginAsyncZod,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from "fastify-type-provider-zod";
import type { Logger } from "../logger.ts";
import type { Metrics } from "../metrics.ts";
import { keepRawJsonBodies } from "./auth.ts";
import { registerDocs } from "./docs.ts";
import { answerErrorsWithTheContract } from "./errors.ts";
import { healthRoutes, type ReadinessCheck } from "./routes/health.ts";
import { metricsRoutes } from "./routes/metrics.ts";
import { type WebhookHandler, webhookRoutes } from "./routes/webhook.ts";

/** The server every route area is registered on: its schemas are zod, and its handlers typed by them. */
export type ApiServer = FastifyInstance<
  Server,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** A route area bound to its options; `routeArea` checks the options against the plugin's type. */
export type RouteArea = (app: ApiServer) => Promise<void>;

export function routeArea<Options extends FastifyPluginOptions>(
  plugin: FastifyPluginAsyncZod<Options>,
  opts: Options,
): RouteArea {
  return async (app) => {
    await app.register(plugin, opts);
  };
}

export interface ServerDeps {
  logger: Logger;
  metrics: Metrics;
  readiness: ReadinessCheck[];
  /** Present in webhook mode only. */
  webhook?: WebhookHandler;
  version?: string;
  /** Area plugins (match, tips, ai, admin), each bound to its options by `routeArea`. */
  areas?: RouteArea[];
}

export async function createServer(deps: ServerDeps): Promise<ApiServer> {
  const app = Fastify({
    loggerInstance: deps.logger.child({ component: "http" }) as FastifyBaseLogger,
    // Request logs are ours (below): Fastify's default would log URLs and ids we don't control.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    trustProxy: true,
  }).withTypeProvider<ZodTypeProvider>();
  // Route schemas are zod (see schemas.ts): they validate requests, serialize replies and type handlers.
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  keepRawJsonBodies(app);

  await registerDocs(app, deps.version ?? "0.1.0");

  app.addHook("onResponse", async (request, reply) => {
    const route = request.routeOptions.url ?? "unmatched";
    deps.metrics.httpDuration.observe(
      { method: request.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    if (reply.statusCode >= 500) {
      request.log.error({ method: request.method, route, status: reply.statusCode }, "request failed");
    } else {
      request.log.debug({ method: request.method, route, status: reply.statusCode }, "request");
    }
  });

  answerErrorsWithTheContract(app);

  await app.register(healthRoutes, { checks: deps.readiness });
  await app.register(metricsRoutes, { metrics: deps.metrics });
  if (deps.webhook) await app.register(webhookRoutes, { handler: deps.webhook });
  for (const registerArea of deps.areas ?? []) await registerArea(app);

  return app;
}
