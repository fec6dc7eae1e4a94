import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";

export interface ReadinessCheck {
  name: string;
  check(): Promise<boolean>;
}

const statusSchema = z.object({
  status: z.enum(["ok", "unavailable"]),
  checks: z.record(z.string(), z.boolean()).optional(),
});

export const healthRoutes: FastifyPluginAsyncZod<{ checks: ReadinessCheck[] }> = async (app, { checks }) => {
  app.get(
    "/health",
    { schema: { tags: ["ops"], summary: "The process is alive", response: { 200: statusSchema } } },
    async () => ({ status: "ok" as const }),
  );

  app.get(
    "/ready",
    {
      schema: {
        tags: ["ops"],
        summary: "Database and Redis reachable, migrations applied",
        response: { 200: statusSchema, 503: statusSchema },
      },
    },
    async (_request, reply) => {
      const results = await Promise.all(
        checks.map(async (c) => {
          const ok = await Promise.race([
            c.check().catch(() => false),
            new Promise<boolean>((resolve) => setTimeout(resolve, 2000, false).unref()),
          ]);
          return [c.name, ok] as const;
        }),
      );
      const allOk = results.every(([, ok]) => ok);
      return reply
        .code(allOk ? 200 : 503)
        .send({ status: allOk ? "ok" : "unavailable", checks: Object.fromEntries(results) });
    },
  );
};
