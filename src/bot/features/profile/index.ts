import { Composer } from "grammy";
import { profileButton, profileCard } from "../../callbacks.ts";
import type { BotContext } from "../../context.ts";
import { pendingFlow } from "../../pending.ts";
import { MORE_STEPS } from "../../profile-steps.ts";
import { createStepButtons } from "./buttons.ts";
import { createProfileFlow } from "./flow.ts";
import { EDITABLE, type FlowData, isStep, type ProfileFeatureDeps, TEXT_STEPS } from "./types.ts";
import { createProfileViews } from "./views.ts";

export { FIRST_STEPS, MORE_STEPS, PROFILE_STEPS, type ProfileStep } from "../../profile-steps.ts";
export type { ProfileFeatureDeps } from "./types.ts";

/**
 * /profile and its flows: the three first steps after the rules, «Рассказать о себе подробнее»
 * (the optional steps in a row), and editing one field from the card. Steps are stored, so a
 * restart resumes where the person was.
 */
export function createProfileFeature(deps: ProfileFeatureDeps) {
  const { profiles } = deps;
  const views = createProfileViews(deps);
  const flow = createProfileFlow({ ...deps, views });
  const { BUTTONS, COMMON } = createStepButtons({ profiles, clock: deps.clock, flow });
  const { userId, showStep, resumeOrStart, enterStep, onText, showCard } = flow;
  const feature = new Composer<BotContext>();

  const registered = feature.filter((ctx) => ctx.user !== null);

  registered.command("profile", async (ctx) => {
    const state = await profiles.getFlow(userId(ctx));
    if (state && isStep(state.step)) return showStep(ctx, state);
    await resumeOrStart(ctx);
  });

  // Under the profile card: edit one field, or «Рассказать о себе подробнее» (the optional steps in a
  // row, each one skippable).
  // The answer comes after the new step is shown, so a person (and a test) sees the step with it.
  registered.callbackQuery(profileCard.filter, async (ctx) => {
    const { action, field } = profileCard.unpack(ctx.callbackQuery.data)!;
    if (action === "edit") {
      if (field && EDITABLE.has(field)) await enterStep(ctx, "edit", field);
    } else if (profiles.missingForSearch(await profiles.getProfile(userId(ctx))).length > 0) {
      await resumeOrStart(ctx);
    } else {
      await enterStep(ctx, "more", MORE_STEPS[0]);
    }
    await ctx.answerCallbackQuery();
  });

  registered.callbackQuery(profileButton.filter, async (ctx) => {
    const { step, action, arg } = profileButton.unpack(ctx.callbackQuery.data)!;
    const state = await profiles.getFlow(userId(ctx));
    const handler = BUTTONS[step][action] ?? COMMON[action];
    if (!state || state.step !== step || !handler) {
      // A button of a finished or another step: change nothing, show where we are.
      await ctx.answerCallbackQuery({ text: ctx.t("stale-button") });
      if (state && isStep(state.step)) await showStep(ctx, state);
      return;
    }
    const answer = await handler({
      ctx,
      state,
      data: state.data as FlowData,
      step,
      arg,
      userId: userId(ctx),
      t: ctx.t.bind(ctx),
    });
    await ctx.answerCallbackQuery(
      answer?.text ? { text: answer.text, ...(answer.alert ? { show_alert: true } : {}) } : {},
    );
  });

  // Any other profile-looking callback (forged or from an old version) changes nothing.
  registered.callbackQuery(/^p:/, (ctx) => ctx.answerCallbackQuery({ text: ctx.t("stale-button") }));

  // Text typed while a step waits for it. Commands pass through to their own handlers.
  registered.on("message", async (ctx, next) => {
    const text = ctx.message.text;
    if (text?.startsWith("/")) return next();
    const state = await pendingFlow(ctx, profiles, userId(ctx));
    if (!state || !isStep(state.step)) return next();
    if (text !== undefined && TEXT_STEPS.has(state.step)) return onText(ctx, state, text);
    // A photo on the nickname step, free text on a buttons step: show the step again.
    await showStep(ctx, state);
  });

  return { feature, resumeOrStart, showCard };
}
