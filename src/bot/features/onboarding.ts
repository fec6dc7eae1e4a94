import { Composer, InlineKeyboard } from "grammy";
import type { KeyValue } from "../../infra/ports.ts";
import { personKeys } from "../../services/person-keys.ts";
import type { ProfileService } from "../../services/profile.ts";
import { sosButton, sosProblem, welcomeAnswer } from "../callbacks.ts";
import type { BotContext } from "../context.ts";
import { menuKeyboard } from "../keyboards/menu.ts";

const PAYLOAD_TTL_MS = 24 * 60 * 60 * 1000;
/** How long the welcome card of one /start can be answered (kept next to the deep-link payload). */
const CARD_TTL_MS = 24 * 60 * 60 * 1000;
/** Telegram deep-link payloads: up to 64 of A-Z a-z 0-9 _ -. Anything else is ignored. */
const DEEP_LINK = /^[A-Za-z0-9_-]{1,64}$/;

export interface OnboardingDeps {
  profiles: ProfileService;
  kv: KeyValue;
  /** Continues or starts the profile flow once the rules are accepted. */
  startProfile(ctx: BotContext): Promise<void>;
  /** The operator configured the model tier (SAFETY_MODEL_URL): the welcome card says so. */
  safetySecondOpinion?: boolean;
  /** What the coach keeps and where it goes differs: no coach, a template library, or a model. */
  coachMode?: "off" | "library" | "model";
}

/**
 * /start: one card — what this is, the rules, anonymity, where help is — answered with one tap:
 * «Мне есть 18, принимаю правила» (that press registers the person) or «Мне нет 18» (the children's
 * helpline, nothing stored). Nothing else works until the rules are accepted.
 */
export function createOnboardingFeature(deps: OnboardingDeps) {
  const { profiles, kv } = deps;
  const feature = new Composer<BotContext>();

  const welcomeCard = (ctx: BotContext) => {
    const parts = [ctx.t("onboarding-welcome", { coach: deps.coachMode ?? "off" })];
    // Where words may go is said with the rest of anonymity, and only when it is true.
    if (deps.safetySecondOpinion) parts.push(ctx.t("onboarding-safety-model"));
    parts.push(ctx.t("onboarding-help-and-age"));
    return {
      text: parts.join("\n\n"),
      reply_markup: new InlineKeyboard()
        .text(ctx.t("btn-accept-rules"), welcomeAnswer.pack({ answer: "accept" }))
        .row()
        .text(ctx.t("btn-age-minor"), welcomeAnswer.pack({ answer: "minor" })),
    };
  };

  const showCard = async (ctx: BotContext) => {
    if (ctx.from) await kv.set(personKeys.startCard(ctx.from.id), "1", CARD_TTL_MS);
    const card = welcomeCard(ctx);
    await ctx.reply(card.text, { reply_markup: card.reply_markup });
  };

  feature.command("start", async (ctx) => {
    const payload = ctx.match.trim();
    if (ctx.user && profiles.hasCurrentRules(ctx.user)) {
      const profile = await profiles.getProfile(ctx.user.id);
      if (profiles.missingForSearch(profile).length === 0 && !(await profiles.getFlow(ctx.user.id))) {
        await ctx.reply(ctx.t("welcome-back", { nickname: profile.nickname ?? "" }), {
          reply_markup: menuKeyboard(ctx.t.bind(ctx)),
        });
        return;
      }
      await deps.startProfile(ctx);
      return;
    }
    if (payload && DEEP_LINK.test(payload) && ctx.from) {
      // Kept until the rules are accepted (registration stores it); never logged.
      await kv.set(personKeys.startPayload(ctx.from.id), payload, PAYLOAD_TTL_MS);
    }
    if (ctx.user) await ctx.reply(ctx.t("rules-updated"));
    await showCard(ctx);
  });

  feature.callbackQuery(welcomeAnswer.pack({ answer: "minor" }), async (ctx) => {
    await kv.delete(personKeys.startPayload(ctx.from.id), personKeys.startCard(ctx.from.id));
    await ctx.editMessageText(ctx.t("onboarding-minor"));
    await ctx.answerCallbackQuery();
  });

  feature.callbackQuery(welcomeAnswer.pack({ answer: "accept" }), async (ctx) => {
    const tgId = ctx.from.id;
    if (ctx.user && profiles.hasCurrentRules(ctx.user)) {
      await ctx.answerCallbackQuery();
      return deps.startProfile(ctx);
    }
    // Only the card of this /start counts: after «Мне нет 18», or a forged press, nobody is
    // registered, and the card is shown again.
    if ((await kv.get(personKeys.startCard(tgId))) !== "1") {
      await ctx.answerCallbackQuery({ text: ctx.t("onboarding-card-again"), show_alert: true });
      await showCard(ctx);
      return;
    }
    await ctx.answerCallbackQuery();
    const payload = await kv.get(personKeys.startPayload(tgId));
    ctx.user = await profiles.acceptRules(tgId, payload ? { startPayload: payload } : {});
    await kv.delete(personKeys.startPayload(tgId), personKeys.startCard(tgId));
    await ctx.editMessageReplyMarkup();
    // The menu (find, profile, «🆘 Помощь») comes with the first answer and stays.
    await ctx.reply(ctx.t("onboarding-accepted"), { reply_markup: menuKeyboard(ctx.t.bind(ctx)) });
    await deps.startProfile(ctx);
  });

  // Old cards of earlier versions («Дальше →», the separate age question) lead to the card.
  feature.callbackQuery(/^ob:/, async (ctx) => {
    await ctx.answerCallbackQuery({ text: ctx.t("stale-button") });
    if (!(ctx.user && profiles.hasCurrentRules(ctx.user))) await showCard(ctx);
  });

  // Anything else from someone who has not accepted the current rules: point them to /start.
  feature.use(async (ctx, next) => {
    if (ctx.user && profiles.hasCurrentRules(ctx.user)) return next();
    const text = ctx.message?.text ?? "";
    // Help and the crisis lines are for everyone, registered or not.
    if (
      /^\/(help|sos)\b/.test(text) ||
      sosButton.unpack(ctx.callbackQuery?.data) ||
      sosProblem.unpack(ctx.callbackQuery?.data)
    )
      return next();
    if (ctx.callbackQuery) {
      await ctx.answerCallbackQuery({ text: ctx.t("gate-rules-first"), show_alert: true });
      return;
    }
    if (ctx.message) await ctx.reply(ctx.t("gate-rules-first"));
  });

  return feature;
}
