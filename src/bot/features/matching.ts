import { Composer, InlineKeyboard } from "grammy";
import type { Clock } from "../../clock.ts";
import type { MatchingService } from "../../services/matching/index.ts";
import type { Profile } from "../../services/profile.ts";
import { profileCard, proposalAnswer, searchButton } from "../callbacks.ts";
import type { BotContext } from "../context.ts";
import type { Notifier } from "../notifier.ts";

export interface MatchingFeatureDeps {
  matching: MatchingService;
  notifier: Notifier;
  clock: Clock;
  /** Whether a started search should offer «Рассказать о себе подробнее» (nothing told beyond the minimum yet). */
  offerDetails?: (profile: Profile) => boolean;
}

/** /find (and its buttons), cancelling a search, and ✅/➖ on proposals. */
export function createMatchingFeature(deps: MatchingFeatureDeps) {
  const { matching, notifier } = deps;
  const feature = new Composer<BotContext>();
  const registered = feature.filter((ctx) => ctx.user !== null);

  async function find(ctx: BotContext) {
    const user = ctx.user!;
    const res = await matching.requestSearch(user.id);
    if (!res.ok) {
      switch (res.reason) {
        case "profile_incomplete": {
          const missing = (res.missing ?? []).map((m) => ctx.t(`missing-${m}`)).join(", ");
          return ctx.reply(ctx.t("find-missing", { missing }));
        }
        case "banned":
          return ctx.reply(ctx.t("find-banned"));
        case "suspended":
          return ctx.reply(
            res.until
              ? ctx.t("find-suspended", { until: res.until.toISOString().slice(0, 10) })
              : ctx.t("find-suspended-open"),
          );
        case "in_chat":
          return ctx.reply(ctx.t("find-in-chat"));
        case "has_proposal":
          return ctx.reply(ctx.t("find-has-proposal"));
        default:
          return ctx.reply(ctx.t("gate-rules-first"));
      }
    }
    const kb = new InlineKeyboard().text(ctx.t("btn-cancel-search"), searchButton.pack({ action: "cancel" }));
    // While the search runs is a good moment for the optional rest of the profile.
    // The search read the profile already: it answers this without another read.
    if (!res.alreadySearching && deps.offerDetails?.(res.profile)) {
      kb.row().text(ctx.t("btn-profile-more"), profileCard.pack({ action: "more" }));
    }
    await ctx.reply(ctx.t(res.alreadySearching ? "find-already" : "find-started"), { reply_markup: kb });
  }

  registered.command("find", find);
  // «🔍 Найти собеседника» under «Профиль готов»: the same as /find.
  registered.callbackQuery(searchButton.pack({ action: "find" }), async (ctx) => {
    // The button's spinner, its keyboard and the search's answer go out together: no call waits on another.
    await Promise.all([ctx.editMessageReplyMarkup(), ctx.answerCallbackQuery(), find(ctx)]);
  });

  registered.callbackQuery(searchButton.pack({ action: "cancel" }), async (ctx) => {
    const cancelled = await matching.cancelSearch(ctx.user!.id);
    await Promise.all([
      ctx.editMessageReplyMarkup(),
      ctx.answerCallbackQuery(),
      ctx.reply(ctx.t(cancelled ? "search-cancelled" : "search-not-active")),
    ]);
  });

  registered.callbackQuery(proposalAnswer.filter, async (ctx) => {
    const { answer, match: matchId } = proposalAnswer.unpack(ctx.callbackQuery.data)!;
    const action = answer === "a" ? "accept" : "decline";
    const outcome = await matching.decide(ctx.user!.id, matchId, action);
    if (outcome.kind === "stale") {
      await ctx.answerCallbackQuery({ text: ctx.t("proposal-stale") });
      return;
    }
    // The button stops spinning and loses its keyboard while the news goes out: one round trip, not three.
    // Each message of it goes to a different chat, or is the only new message in this one.
    const mine =
      outcome.kind === "waiting"
        ? ctx.reply(ctx.t("proposal-waiting"))
        : outcome.kind === "declined"
          ? ctx.reply(ctx.t("proposal-declined-by-you"))
          : null;
    await Promise.all([
      ctx.editMessageReplyMarkup(),
      ctx.answerCallbackQuery(),
      mine,
      notifier.decision(outcome),
    ]);
  });

  // Forged or outdated matching buttons change nothing.
  feature.callbackQuery(/^m:/, (ctx) => ctx.answerCallbackQuery({ text: ctx.t("proposal-stale") }));

  return feature;
}
