import type { FastifyPluginAsync } from "fastify";
import type { Metrics } from "../../metrics.ts";

export const metricsRoutes: FastifyPluginAsync<{ metrics: Metrics }> = async (app, { metrics }) => {
  app.get(
    "/metrics",
    { schema: { tags: ["ops"], summary: "Prometheus metrics", produces: ["text/plain"] } },
    async (_request, reply) => {
      reply.header("Content-Type", metrics.registry.contentType);
      return metrics.registry.metrics();
    },
  );
};
