import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { Metrics } from "../../metrics.ts";

export const metricsRoutes: FastifyPluginAsyncZod<{ metrics: Metrics }> = async (app, { metrics }) => {
  app.get(
    "/metrics",
    { schema: { tags: ["ops"], summary: "Prometheus metrics", produces: ["text/plain"] } },
    async (_request, reply) => {
      reply.header("Content-Type", metrics.registry.contentType);
      return metrics.registry.metrics();
    },
  );
};
