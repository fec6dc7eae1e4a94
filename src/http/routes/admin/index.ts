import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { requireAdminToken } from "../../auth.ts";
import { type ActionRoutesOptions, actionRoutes } from "./actions.ts";
import { type AppealRoutesOptions, appealRoutes } from "./appeals.ts";
import { type DigestRoutesOptions, digestRoutes } from "./digest.ts";
import { reportRoutes } from "./reports.ts";
import { type SosRoutesOptions, sosRoutes } from "./sos.ts";
import { userRoutes } from "./users.ts";

export type AdminRoutesOptions = { token: string } & ActionRoutesOptions &
  AppealRoutesOptions &
  SosRoutesOptions &
  DigestRoutesOptions;

/**
 * Moderation and SOS administration. Every route needs `Authorization: Bearer <ADMIN_TOKEN>`.
 * Responses never carry Telegram ids or message content.
 */
export const adminRoutes: FastifyPluginAsyncZod<AdminRoutesOptions> = async (app, opts) => {
  app.addHook("onRequest", requireAdminToken(opts.token));
  await app.register(reportRoutes, opts);
  await app.register(userRoutes, opts);
  await app.register(actionRoutes, opts);
  await app.register(appealRoutes, opts);
  await app.register(sosRoutes, opts);
  await app.register(digestRoutes, opts);
};
