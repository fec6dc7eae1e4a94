import helmet from "@fastify/helmet";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyPluginAsync,
  LogController,
} from "fastify";
import type { Logger } from "../logger.ts";
import type { Metrics } from "../metrics.ts";
import { errorBody, errorBodySchema, HttpProblem } from "./errors.ts";
import { healthRoutes, type ReadinessCheck } from "./routes/health.ts";
import { metricsRoutes } from "./routes/metrics.ts";
import { type WebhookHandler, webhookRoutes } from "./routes/webhook.ts";

export interface ServerDeps {
  logger: Logger;
  metrics: Metrics;
  readiness: ReadinessCheck[];
  /** Present in webhook mode only. */
  webhook?: WebhookHandler;
  version?: string;
  /** Area plugins (match, tips, ai, admin), each registered with its options. */
  areas?: Array<{ plugin: FastifyPluginAsync<never>; opts: unknown }>;
}

export async function createServer(deps: ServerDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger.child({ component: "http" }) as FastifyBaseLogger,
    // Request logs are ours (below): Fastify's default would log URLs and ids we don't control.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    trustProxy: true,
    // No coercion: a body's "7" is not 7. Path and query schemas are strings with patterns.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true } },
  });

  app.addSchema(errorBodySchema);

  // JSON bodies keep their raw text too: internal routes verify an HMAC over the exact bytes sent.
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    const text = String(body);
    (request as typeof request & { rawBody?: string }).rawBody = text;
    if (text.trim() === "") return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      const err = new Error("Body is not valid JSON") as Error & { statusCode: number };
      err.statusCode = 400;
      done(err, undefined);
    }
  });

  await app.register(helmet, {
    // Swagger UI needs inline styles; everything else is JSON.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", "data:", "validator.swagger.io"],
        scriptSrc: ["'self'"],
      },
    },
  });

  await app.register(swagger, {
    openapi: {
      openapi: "3.0.3",
      info: {
        title: "«Ты не один» API",
        description: "Telegram webhook, health, metrics and the service API of the peer-support bot.",
        version: deps.version ?? "0.1.0",
      },
      components: {
        securitySchemes: {
          internalHmac: { type: "apiKey", in: "header", name: "X-Signature" },
          adminToken: { type: "http", scheme: "bearer" },
        },
      },
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: "/docs", staticCSP: true });

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

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(errorBody("not_found", `No route ${request.method} ${request.url.split("?")[0]}`));
  });

  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof HttpProblem) {
      return reply.code(err.statusCode).send(errorBody(err.code, err.message, err.details));
    }
    if (err.validation) {
      return reply.code(400).send(
        errorBody(
          "bad_request",
          err.message,
          err.validation.map((v) => ({ path: v.instancePath, message: v.message })),
        ),
      );
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err }, "unhandled error");
      return reply.code(status).send(errorBody("internal", "Internal server error"));
    }
    const code =
      status === 413
        ? "payload_too_large"
        : status === 415
          ? "unsupported_media_type"
          : status === 429
            ? "rate_limited"
            : "bad_request";
    return reply.code(status).send(errorBody(code, err.message));
  });

  await app.register(healthRoutes, { checks: deps.readiness });
  await app.register(metricsRoutes, { metrics: deps.metrics });
  if (deps.webhook) await app.register(webhookRoutes, { handler: deps.webhook });
  for (const area of deps.areas ?? []) await app.register(area.plugin, area.opts as never);

  return app;
}
