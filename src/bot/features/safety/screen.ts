import { InlineKeyboard } from "grammy";
import { formatUtc } from "../../../domain/format-time.ts";
import { classifyMessage } from "../../../domain/safety/index.ts";
import type { ActiveChat } from "../../../services/chats.ts";
import { sosButton } from "../../callbacks.ts";
import { type BotContext, deferTo } from "../../context.ts";
import type { ScreenResult } from "../chat.ts";

import type { SafetyFeatureDeps } from "./deps.ts";
import { TOXIC_LABELS } from "./deps.ts";

/** The screens every relayed text passes: crisis (support first) and toxicity. */
export function createScreen(deps: SafetyFeatureDeps) {
  const { moderation, profiles, mods, logger, crisisContext, safetyTier } = deps;
  const journey = deps.crisis;

  /**
   * Every text that arrives in a chat (message, caption, edit) passes here before it is relayed
   * (after the rate limit). Signs of crisis — in the message, or in it read with the writer's earlier
   * messages — always bring support to the writer and a note to the peer, but do not exempt the text
   * from a mute or the toxicity screen: a message that is both crisis and abuse is not delivered.
   * An uncertain score may get the optional model tier's second opinion, after delivery.
   */
  async function screen(ctx: BotContext, chat: ActiveChat, text: string | undefined): Promise<ScreenResult> {
    if (!text) return { deliver: true, crisis: false };
    const verdict = classifyMessage(text);
    const relative = verdict.crisisScore / Math.max(1e-6, verdict.crisisThreshold);
    const escalated = await crisisContext.observe(
      chat.sessionId,
      chat.userId,
      { r: relative, c: verdict.crisisCues, x: verdict.crisis },
      deferTo(ctx),
    );
    const crisis = verdict.crisis || escalated;
    if (crisis) await journey.supportInCrisis(chat, verdict, verdict.crisis ? "message" : "context");
    else if (safetyTier.isUncertain(relative, false)) {
      // Never awaited: the second opinion arrives after the message went through.
      void safetyTier
        .ask(text)
        .then(async (opinion) => {
          if (opinion !== "crisis") return;
          await journey.supportInCrisis(chat, verdict, "model");
          await journey.crisisNoteToPeer(chat);
        })
        .catch((err) => logger.error({ err }, "second opinion follow-up failed"));
    }
    const now = deps.clock.now();
    // The writer's row was read at the start of this update (a mute set since is seen next message).
    const me = ctx.user?.id === chat.userId ? ctx.user : await profiles.findById(chat.userId);
    if (me?.mutedUntil && me.mutedUntil > now) {
      await ctx.reply(ctx.t("muted-now", { until: formatUtc(me.mutedUntil) }));
      return { deliver: false, crisis };
    }
    if (!verdict.toxic) return { deliver: true, crisis };
    const strike = await moderation.recordToxicStrike(chat.userId, {
      sessionId: chat.sessionId,
      labels: verdict.labels.filter((l) => TOXIC_LABELS.has(l)),
      severity: verdict.toxicSeverity,
    });
    const label = verdict.labels.find((l) => TOXIC_LABELS.has(l) && l !== "obscene") ?? "insult";
    await ctx.reply(ctx.t("toxic-withheld", { what: ctx.t(`toxic-what-${label}`) }), {
      reply_markup: new InlineKeyboard().text(ctx.t("btn-sos"), sosButton.pack({})),
    });
    if (strike.muted && strike.until)
      await ctx.reply(ctx.t("toxic-muted", { until: formatUtc(strike.until) }));
    if (strike.alertModerators) {
      await mods.post(
        "mod-alert-toxic",
        {
          target: chat.userId,
          until: strike.until ? formatUtc(strike.until) : "—",
          labels: verdict.labels.filter((l) => TOXIC_LABELS.has(l)).join(", "),
        },
        mods.userActions(chat.userId),
      );
    }
    logger.info({ actor: ctx.actor, labels: verdict.labels }, "toxic message withheld");
    return { deliver: false, crisis };
  }

  return screen;
}
