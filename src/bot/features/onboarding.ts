import { Composer, InlineKeyboard } from "grammy";
import type { KeyValue } from "../../infra/ports.ts";
import type { ProfileService } from "../../services/profile.ts";
import type { BotContext } from "../context.ts";

const CARDS = 4;
const PAYLOAD_TTL_MS = 24 * 60 * 60 * 1000;
/** Telegram deep-link payloads: up to 64 of A-Z a-z 0-9 _ -. Anything else is ignored. */
const DEEP_LINK = /^[A-Za-z0-9_-]{1,64}$/;

export interface OnboardingDeps {
  profiles: ProfileService;
  kv: KeyValue;
  /** Continues or starts the profile flow once the rules are accepted. */
  startProfile(ctx: BotContext): Promise<void>;
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
    const text = ctx.t(`onboarding-card-${card}`);
    const reply_markup = cardKeyboard(ctx, card);
    if (edit) await ctx.editMessageText(text, { reply_markup });
    else await ctx.reply(text, { reply_markup });
  };

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
    if (payload && DEEP_LINK.test(payload) && ctx.from) {
      // Kept until the rules are accepted (registration stores it); never logged.
      await kv.set(`start-payload:${ctx.from.id}`, payload, PAYLOAD_TTL_MS);
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
    await ctx.editMessageText(ctx.t("onboarding-age-question"), {
      reply_markup: new InlineKeyboard()
        .text(ctx.t("btn-age-adult"), "ob:adult")
        .row()
        .text(ctx.t("btn-age-minor"), "ob:minor"),
    });
    await ctx.answerCallbackQuery();
  });

  feature.callbackQuery("ob:minor", async (ctx) => {
    await kv.delete(`start-payload:${ctx.from.id}`);
    await ctx.editMessageText(ctx.t("onboarding-minor"));
    await ctx.answerCallbackQuery();
  });

  feature.callbackQuery("ob:adult", async (ctx) => {
    await ctx.editMessageText(ctx.t("onboarding-rules"), {
      reply_markup: new InlineKeyboard().text(ctx.t("btn-accept-rules"), "ob:accept"),
    });
    await ctx.answerCallbackQuery();
  });

  feature.callbackQuery("ob:accept", async (ctx) => {
    const tgId = ctx.from.id;
    const already = ctx.user && profiles.hasCurrentRules(ctx.user);
    await ctx.answerCallbackQuery();
    if (already) return deps.startProfile(ctx);
    const payload = await kv.get(`start-payload:${tgId}`);
    ctx.user = await profiles.acceptRules(tgId, payload ? { startPayload: payload } : {});
    await kv.delete(`start-payload:${tgId}`);
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
