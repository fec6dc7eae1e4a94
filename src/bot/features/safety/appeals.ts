import { personKeys } from "../../../services/person-keys.ts";
import { pendingValue } from "../../pending.ts";

import type { Registered, SafetyFeatureDeps } from "./deps.ts";
import { DRAFT_TTL_MS } from "./deps.ts";

/** /appeal: one text to the moderators from someone banned or suspended. */
export function registerAppeals(deps: SafetyFeatureDeps, registered: Registered) {
  const { moderation, mods, kv } = deps;

  const appealKey = personKeys.appealDraft;
  registered.command("appeal", async (ctx) => {
    const status = ctx.user!.status;
    if (status !== "banned" && status !== "suspended") return ctx.reply(ctx.t("appeal-not-needed"));
    await kv.set(appealKey(ctx.from!.id), "1", DRAFT_TTL_MS);
    await ctx.reply(ctx.t("appeal-prompt"));
  });
  registered.on("message:text", async (ctx, next) => {
    if (ctx.message.text.startsWith("/")) return next();
    if ((await pendingValue(ctx, kv, appealKey(ctx.from!.id))) === null) return next();
    const res = await moderation.appeal(ctx.user!.id, ctx.message.text);
    if (!res.ok) {
      if (res.reason !== "text_too_long" && res.reason !== "empty_text")
        await kv.delete(appealKey(ctx.from!.id));
      return ctx.reply(ctx.t(`appeal-error-${res.reason}`));
    }
    await kv.delete(appealKey(ctx.from!.id));
    await ctx.reply(ctx.t("appeal-sent"));
    await mods.post(
      "mod-alert-appeal",
      {
        appealId: res.appealId,
        target: ctx.user!.id,
      },
      mods.appealActions(res.appealId),
    );
  });
}
