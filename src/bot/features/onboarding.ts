import { Composer, InlineKeyboard } from "grammy";
import type { KeyValue } from "../../infra/ports.ts";
import { personKeys } from "../../services/person-keys.ts";
import type { ProfileService } from "../../services/profile.ts";
import type { BotContext } from "../context.ts";

const CARDS = 4;
const PAYLOAD_TTL_MS = 24 * 60 * 60 * 1000;
/** How long «мне 18 или больше» counts before «Понятно, принимаю» (kept next to the deep-link payload). */
const ADULT_TTL_MS = 24 * 60 * 60 * 1000;
const adultKey = (tgId: number) => `start-adult:${tgId}`;
/** Telegram deep-link payloads: up to 64 of A-Z a-z 0-9 _ -. Anything else is ignored. */
const DEEP_LINK = /^[A-Za-z0-9_-]{1,64}$/;

export interface OnboardingDeps {
  profiles: ProfileService;
  kv: KeyValue;
  /** Continues or starts the profile flow once the rules are accepted. */
  startProfile(ctx: BotContext): Promise<void>;
  /** The operator configured the model tier (SAFETY_MODEL_URL): the anonymity card says so. */
  safetySecondOpinion?: boolean;
  /** What the coach keeps and where it goes differs: no coach, a template library, or a model. */
  coachMode?: "off" | "library" | "model";
}

function cardKeyboard(ctx: BotContext, card: number) {
  const kb = new InlineKeyboard();
  if (card < CARDS) kb.text(ctx.t("btn-next"), `ob:card:${card + 1}`);
  else kb.text(ctx.t("btn-next"), "ob:age");
  return kb;
}

/**
 * /start: a few short cards (what this is, how to talk safely, anonymity, crisis help), an age
 * question (under 18 → the children's helpline, nothing stored), then the rules. Nothing else works
 * until «Понятно, принимаю»; that press is what registers the person.
 */
export function createOnboardingFeature(deps: OnboardingDeps) {
  const { profiles, kv } = deps;
  const feature = new Composer<BotContext>();

  const showCard = async (ctx: BotContext, card: number, edit: boolean) => {
    const base = ctx.t(`onboarding-card-${card}`, { coach: deps.coachMode ?? "off" });
    // Where words may go is said where anonymity is explained, and only when it is true.
    const text =
      card === 3 && deps.safetySecondOpinion ? `${base}\n\n${ctx.t("onboarding-safety-model")}` : base;
    const reply_markup = cardKeyboard(ctx, card);
    if (edit) await ctx.editMessageText(text, { reply_markup });
    else await ctx.reply(text, { reply_markup });
  };

  const ageQuestion = (ctx: BotContext) => ({
    reply_markup: new InlineKeyboard()
      .text(ctx.t("btn-age-adult"), "ob:adult")
      .row()
      .text(ctx.t("btn-age-minor"), "ob:minor"),
  });

  feature.command("start", async (ctx) => {
    const payload = ctx.match.trim();
    if (ctx.user && profiles.hasCurrentRules(ctx.user)) {
      const profile = await profiles.getProfile(ctx.user.id);
      if (profiles.missingForSearch(profile).length === 0 && !(await profiles.getFlow(ctx.user.id))) {
        await ctx.reply(ctx.t("welcome-back", { nickname: profile.nickname ?? "" }));
        return;
      }
      await deps.startProfile(ctx);
      return;
    }
    // The cards start over, and so does the age question.
    if (ctx.from) await kv.delete(adultKey(ctx.from.id));
    if (payload && DEEP_LINK.test(payload) && ctx.from) {
      // Kept until the rules are accepted (registration stores it); never logged.
      await kv.set(personKeys.startPayload(ctx.from.id), payload, PAYLOAD_TTL_MS);
    }
    if (ctx.user) await ctx.reply(ctx.t("rules-updated"));
    await showCard(ctx, 1, false);
  });

  feature.callbackQuery(/^ob:card:(\d)$/, async (ctx) => {
    const card = Number(ctx.match[1]);
    if (card >= 1 && card <= CARDS) await showCard(ctx, card, true);
    await ctx.answerCallbackQuery();
  });

  feature.callbackQuery("ob:age", async (ctx) => {
    await ctx.editMessageText(ctx.t("onboarding-age-question"), ageQuestion(ctx));
    await ctx.answerCallbackQuery();
  });

  feature.callbackQuery("ob:minor", async (ctx) => {
    await kv.delete(personKeys.startPayload(ctx.from.id), adultKey(ctx.from.id));
    await ctx.editMessageText(ctx.t("onboarding-minor"));
    await ctx.answerCallbackQuery();
  });

  feature.callbackQuery("ob:adult", async (ctx) => {
    await kv.set(adultKey(ctx.from.id), "1", ADULT_TTL_MS);
    await ctx.editMessageText(ctx.t("onboarding-rules"), {
      reply_markup: new InlineKeyboard().text(ctx.t("btn-accept-rules"), "ob:accept"),
    });
    await ctx.answerCallbackQuery();
  });

  feature.callbackQuery("ob:accept", async (ctx) => {
    const tgId = ctx.from.id;
    if (ctx.user && profiles.hasCurrentRules(ctx.user)) {
      await ctx.answerCallbackQuery();
      return deps.startProfile(ctx);
    }
    // Only after «мне 18 или больше»: a forged or stale «принимаю» registers no one and asks the age.
    if ((await kv.get(adultKey(tgId))) !== "1") {
      await ctx.reply(ctx.t("onboarding-age-question"), ageQuestion(ctx));
      await ctx.answerCallbackQuery({ text: ctx.t("onboarding-age-first"), show_alert: true });
      return;
    }
    await ctx.answerCallbackQuery();
    const payload = await kv.get(personKeys.startPayload(tgId));
    ctx.user = await profiles.acceptRules(tgId, payload ? { startPayload: payload } : {});
    await kv.delete(personKeys.startPayload(tgId), adultKey(tgId));
    await ctx.editMessageReplyMarkup();
    await ctx.reply(ctx.t("onboarding-accepted"));
    await deps.startProfile(ctx);
  });

  // Anything else from someone who has not accepted the current rules: point them to /start.
  feature.use(async (ctx, next) => {
    if (ctx.user && profiles.hasCurrentRules(ctx.user)) return next();
    const text = ctx.message?.text ?? "";
    // Help and the crisis lines are for everyone, registered or not.
    if (/^\/(help|sos)\b/.test(text) || ctx.callbackQuery?.data?.startsWith("s:sos")) return next();
    if (ctx.callbackQuery) {
      await ctx.answerCallbackQuery({ text: ctx.t("gate-rules-first"), show_alert: true });
      return;
    }
    if (ctx.message) await ctx.reply(ctx.t("gate-rules-first"));
  });

  return feature;
}
