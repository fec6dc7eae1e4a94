import helmet from "@fastify/helmet";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import { jsonSchemaTransform, jsonSchemaTransformObject } from "fastify-type-provider-zod";

/**
 * Security headers, and OpenAPI at `/docs` (UI) and `/docs/json`: generated from the routes' zod
 * schemas, so every route registered after this is documented as it validates.
 */
export async function registerDocs(app: FastifyInstance, version: string): Promise<void> {
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
        version,
      },
      components: {
        securitySchemes: {
          internalHmac: { type: "apiKey", in: "header", name: "X-Signature" },
          adminToken: { type: "http", scheme: "bearer" },
        },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: "/docs", staticCSP: true });
}
