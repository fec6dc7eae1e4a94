import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { DigestService } from "../../../services/digest.ts";
import { errorResponses } from "../../errors.ts";
import { dateTime } from "../../schemas.ts";
import { adminDoc } from "./shared.ts";

/** The weekly digest's KPI per arm, from its runs (counts only: no people, no text). */
export interface DigestRoutesOptions {
  digest: DigestService;
  now?: () => Date;
}

const DAY_MS = 24 * 3600_000;

const armSchema = z.object({
  arm: z.enum(["digest", "control"]),
  eligible: z.number().int().describe("runs that counted someone: sent, or held back in the control arm"),
  sent: z.number().int(),
  searched_within_24h: z.number().int(),
  search_rate: z.number().nullable().describe("searched_within_24h / eligible; null with no eligible runs"),
  stopped: z.number().int(),
  empty: z.number().int(),
  busy: z.number().int(),
  unreachable: z.number().int(),
  failed: z.number().int(),
});

export const digestRoutes: FastifyPluginAsyncZod<DigestRoutesOptions> = async (app, opts) => {
  app.get(
    "/admin/digest",
    {
      schema: {
        ...adminDoc,
        summary: "Weekly digest: runs, searches within 24 h and stops per arm (DIGEST_ROLLOUT)",
        querystring: z.strictObject({
          days: z
            .string()
            .regex(/^[0-9]{1,3}$/, "days must be 1–365")
            .transform(Number)
            .pipe(z.number().min(1, "days must be 1–365").max(365, "days must be 1–365"))
            .optional()
            .describe("1–365, default 28"),
        }),
        response: {
          200: z.object({ since: dateTime, arms: z.array(armSchema) }),
          ...errorResponses(400, 401),
        },
      },
    },
    async (request) => {
      const since = new Date((opts.now?.() ?? new Date()).getTime() - (request.query.days ?? 28) * DAY_MS);
      const arms = await opts.digest.stats(since);
      return {
        since: since.toISOString(),
        arms: arms.map((a) => ({
          arm: a.arm,
          eligible: a.eligible,
          sent: a.sent,
          searched_within_24h: a.searchedWithin24h,
          search_rate: a.eligible > 0 ? Math.round((a.searchedWithin24h / a.eligible) * 1000) / 1000 : null,
          stopped: a.stopped,
          empty: a.empty,
          busy: a.busy,
          unreachable: a.unreachable,
          failed: a.failed,
        })),
      };
    },
  );
};
