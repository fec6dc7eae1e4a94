import { Composer, InlineKeyboard } from "grammy";
import { DIGEST_MAX_COUNT } from "../../domain/digest.ts";
import type { Logger } from "../../logger.ts";
import type { DigestPlan, DigestService } from "../../services/digest.ts";
import type { ProfileService } from "../../services/profile.ts";
import { digestStop, searchButton } from "../callbacks.ts";
import type { BotContext } from "../context.ts";
import type { Notifier } from "../notifier.ts";

type Sendable = Extract<DigestPlan, { send: true }>;

/**
 * The weekly digest in the bot: the message (a count and shared topics as categories, never who),
 * «🔍 Найти собеседника» (the same button as under «Можно искать»: a search follows) and «Больше не
 * присылать» (one tap, off). The scheduler's job decides who is due; this only renders and sends.
 */
export function createDigestFeature(deps: {
  digest: DigestService;
  profiles: ProfileService;
  notifier: Notifier;
  logger: Logger;
}) {
  const { digest, profiles, notifier } = deps;
  const t = notifier.t;
  const feature = new Composer<BotContext>();

  async function text(plan: Sendable): Promise<string> {
    const count =
      plan.count > DIGEST_MAX_COUNT
        ? t("digest-count-more", { count: DIGEST_MAX_COUNT })
        : String(plan.count);
    const titles = await profiles.topicTitles();
    const topics = plan.topicIds.map((id) => titles.get(id)).filter((x): x is string => Boolean(x));
    const lines = [t("digest-count", { count })];
    if (topics.length > 0) lines.push(t("digest-topics", { topics: topics.join(", ") }));
    return `${lines.join(" ")}\n\n${t("digest-cta")}`;
  }

  /** Sends one planned digest and records what became of it (a blocked bot marks the person unreachable). */
  async function send(plan: Sendable): Promise<void> {
    const kb = new InlineKeyboard()
      .text(t("btn-find"), searchButton.pack({ action: "find" }))
      .row()
      .text(t("btn-digest-stop"), digestStop.pack({ run: plan.runId }));
    let result: "sent" | "unreachable" | "failed";
    try {
      const outcome = await notifier.deliver(plan.userId, await text(plan), kb);
      result = outcome === "sent" ? "sent" : "unreachable";
    } catch (err) {
      deps.logger.warn({ err, run: plan.runId }, "weekly digest not delivered");
      result = "failed";
    }
    await digest.delivered(plan.runId, plan.userId, result);
  }

  feature.callbackQuery(digestStop.filter, async (ctx) => {
    const user = ctx.user;
    const values = digestStop.unpack(ctx.callbackQuery.data);
    if (!user || !values) return ctx.answerCallbackQuery({ text: ctx.t("stale-button") });
    await digest.stopFromRun(user.id, values.run);
    await ctx.editMessageReplyMarkup();
    await ctx.reply(ctx.t("digest-stopped"));
    await ctx.answerCallbackQuery();
  });

  return { feature, send };
}

export type DigestFeature = ReturnType<typeof createDigestFeature>;
