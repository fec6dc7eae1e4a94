import type { FastifyBaseLogger } from "fastify";
import { z } from "zod";

/** What every admin route shares: how it is documented, who acts, paging, timestamps, notices. */

/** Moderators act as "admin" through this API; the bot's moderator commands use pseudonyms. */
export const ACTOR = "admin";

export const adminDoc = { tags: ["admin"], security: [{ adminToken: [] }] };

export const MAX_PAGE = 100;
const DEFAULT_PAGE = 50;

/** `limit` and `offset` query parameters: digits, checked here and handed over as numbers. */
export const pagingQuery = {
  limit: z
    .string()
    .regex(/^[0-9]{1,3}$/)
    .transform(Number)
    .pipe(z.number().min(1, `limit must be 1–${MAX_PAGE}`).max(MAX_PAGE, `limit must be 1–${MAX_PAGE}`))
    .optional()
    .describe(`1–${MAX_PAGE}, default ${DEFAULT_PAGE}`),
  offset: z
    .string()
    .regex(/^[0-9]{1,9}$/)
    .transform(Number)
    .optional()
    .describe("default 0"),
};

export function page(query: { limit?: number | undefined; offset?: number | undefined }) {
  return { limit: query.limit ?? DEFAULT_PAGE, offset: query.offset ?? 0 };
}

export const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/** The decision is recorded whatever happens to the messages; a failed one is logged, not a 500. */
export async function notifyQuietly(log: FastifyBaseLogger, send: () => Promise<void> | undefined) {
  try {
    await send();
  } catch (err) {
    log.warn({ err }, "moderation notice not delivered");
  }
}
