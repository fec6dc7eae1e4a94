import type { InlineKeyboard } from "grammy";
import { generatePseudonyms } from "../../../domain/nickname.ts";
import { formatZone, parseTimeZone } from "../../../domain/timezone.ts";
import { type FlowState, MIN_TOPICS } from "../../../services/profile.ts";
import { coachShare } from "../../callbacks.ts";
import type { BotContext } from "../../context.ts";
import { profileCardKeyboard, readyKeyboard } from "../../keyboards/profile.ts";
import type { ProfileStep } from "../../profile-steps.ts";
import {
  type Answer,
  type Flow,
  type FlowData,
  isStep,
  type Press,
  type ProfileFeatureDeps,
  SUGGESTIONS,
  stepsOf,
} from "./types.ts";
import type { ProfileViews } from "./views.ts";

/**
 * The profile flows as a small state machine kept in `flow_states`: entering a step (with what the
 * flow carries), moving on, going back, cancelling, finishing — and the text steps' answers.
 */
export function createProfileFlow(deps: ProfileFeatureDeps & { views: ProfileViews }) {
  const { profiles, clock, views } = deps;
  const random = deps.random ?? Math.random;

  const userId = (ctx: BotContext) => {
    if (!ctx.user) throw new Error("profile flow without a registered user");
    return ctx.user.id;
  };

  /** Calm pseudonyms nobody else goes by. */
  async function suggestNicknames(id: number): Promise<string[]> {
    const candidates = generatePseudonyms(SUGGESTIONS * 3, random);
    const taken = await profiles.nicknamesInUse(candidates, id);
    return candidates.filter((n) => !taken.has(n)).slice(0, SUGGESTIONS);
  }

  async function send(ctx: BotContext, text: string, keyboard: InlineKeyboard) {
    await ctx.reply(text, { reply_markup: keyboard });
  }

  /** Shows the current step as a new message (after a restart, a pause, or an input error). */
  async function showStep(ctx: BotContext, state: FlowState) {
    if (!isStep(state.step)) return;
    const profile = await profiles.getProfile(userId(ctx));
    const v = await views.view(ctx, state.flow, state.step, state.data as FlowData, profile);
    await send(ctx, v.text, v.keyboard);
  }

  /** Re-draws the current step in the message whose button was pressed. */
  async function redraw(ctx: BotContext, state: FlowState) {
    if (!isStep(state.step)) return;
    const profile = await profiles.getProfile(userId(ctx));
    const v = await views.view(ctx, state.flow, state.step, state.data as FlowData, profile);
    await ctx.editMessageText(v.text, { reply_markup: v.keyboard });
  }

  /** Keeps a changed step's data and re-draws it in place. */
  async function update(press: Press): Promise<Answer> {
    const state = { ...press.state, data: press.data as Record<string, unknown> };
    await profiles.setFlow(press.userId, state);
    await redraw(press.ctx, state);
    return undefined;
  }

  /**
   * Starts a step: keeps what the flow carries (choices made earlier in it, forward or back) and
   * fills the rest from the saved profile, stores the flow, shows the prompt.
   */
  async function enterStep(ctx: BotContext, flow: Flow, step: ProfileStep, carry: FlowData = {}) {
    const id = userId(ctx);
    const profile = await profiles.getProfile(id);
    const { group: _group, focus: _focus, ...data } = carry;
    if (step === "nickname" && !data.suggestions?.length) data.suggestions = await suggestNicknames(id);
    if (step !== "nickname") delete data.suggestions;
    const saved = () => Object.fromEntries(profile.topics.map((x) => [String(x.id), x.weight]));
    if (step === "topics" && !data.selected) data.selected = saved();
    if (step === "weights" && Object.keys(data.selected ?? {}).length < MIN_TOPICS) {
      data.selected = saved();
      // Weights of fewer than two topics could never be saved: choose the topics first.
      if (Object.keys(data.selected).length < MIN_TOPICS) return enterStep(ctx, "edit", "topics", data);
    }
    if (step === "wishlist" && !data.wish) data.wish = profile.wishlist.map((x) => x.id);
    if (step === "availability" && data.windows === undefined) data.windows = profile.availLocal;
    const state: FlowState = { flow, step, data: data as Record<string, unknown> };
    await profiles.setFlow(id, state);
    await showStep(ctx, state);
  }

  /** The first steps are done: the profile can be found, and one tap starts a search. */
  async function ready(ctx: BotContext) {
    await profiles.clearFlow(userId(ctx));
    const t = ctx.t.bind(ctx);
    await ctx.reply(t("profile-ready"), { reply_markup: readyKeyboard(t) });
  }

  /** A step is done: the next step of its flow, the card after an edit, «ready» after the first steps. */
  async function advance(ctx: BotContext, state: FlowState) {
    const step = state.step as ProfileStep;
    const data = state.data as FlowData;
    if (state.flow === "edit") {
      // Topics go on to their weights; everything else is saved by now.
      if (step === "topics") return enterStep(ctx, "edit", "weights", data);
      await profiles.clearFlow(userId(ctx));
      await ctx.reply(ctx.t("profile-saved"));
      return showCard(ctx);
    }
    const steps = stepsOf(state.flow);
    const next = steps[steps.indexOf(step) + 1];
    if (!next) {
      if (state.flow === "profile") return ready(ctx);
      await profiles.clearFlow(userId(ctx));
      await ctx.reply(ctx.t("profile-more-done"));
      return showCard(ctx);
    }
    const answered = [...new Set([...(data.answered ?? []), step])];
    await enterStep(ctx, state.flow as Flow, next, { ...data, answered });
  }

  /** «Назад»: the previous step, with everything entered so far in this flow. */
  async function goBack(ctx: BotContext, state: FlowState) {
    const step = state.step as ProfileStep;
    if (state.flow === "edit") {
      return step === "weights"
        ? enterStep(ctx, "edit", "topics", state.data as FlowData)
        : cancel(ctx, state);
    }
    const steps = stepsOf(state.flow);
    const prev = steps[steps.indexOf(step) - 1];
    if (!prev) return showStep(ctx, state);
    await enterStep(ctx, state.flow as Flow, prev, state.data as FlowData);
  }

  async function cancel(ctx: BotContext, state: FlowState) {
    await profiles.clearFlow(userId(ctx));
    if (state.flow === "profile") {
      await ctx.reply(ctx.t("profile-cancelled"));
      return;
    }
    // «more» saves each step as it goes: stopping keeps what was answered.
    await ctx.reply(ctx.t(state.flow === "more" ? "profile-more-stopped" : "profile-edit-cancelled"));
    await showCard(ctx);
  }

  async function showCard(ctx: BotContext) {
    const id = userId(ctx);
    const t = ctx.t.bind(ctx);
    let text = views.cardText(ctx, await profiles.getProfile(id));
    const kb = profileCardKeyboard(t);
    if (deps.coachSharing) {
      const shares = await deps.coachSharing(id);
      text += `\n${t("profile-card-coach-share", { value: t(shares ? "profile-card-yes" : "profile-card-no") })}`;
      kb.row().text(t("btn-edit-coach-share"), coachShare.pack({ answer: "toggle" }));
    }
    await ctx.reply(text, { reply_markup: kb });
  }

  /** Continues an unfinished flow, or starts the first steps from the first missing one. */
  async function resumeOrStart(ctx: BotContext) {
    const id = userId(ctx);
    const state = await profiles.getFlow(id);
    if (state && isStep(state.step)) return showStep(ctx, state);
    const profile = await profiles.getProfile(id);
    const missing = profiles.missingForSearch(profile);
    if (missing.length === 0) return showCard(ctx);
    const first: ProfileStep = missing.includes("nickname")
      ? "nickname"
      : missing.includes("timezone")
        ? "timezone"
        : "topics";
    await enterStep(ctx, "profile", first);
  }

  /** Text answers for the steps that take text. */
  async function onText(ctx: BotContext, state: FlowState, text: string) {
    const id = userId(ctx);
    const t = ctx.t.bind(ctx);
    if (state.step === "nickname") {
      const res = await profiles.setNickname(id, text);
      if (!res.ok) {
        await ctx.reply(`${t(`nickname-error-${res.reason}`)} ${t("try-again")}`);
        return showStep(ctx, state);
      }
      return advance(ctx, state);
    }
    if (state.step === "timezone") {
      const parsed = parseTimeZone(text, clock.now());
      if (!parsed.ok) {
        await ctx.reply(t("timezone-error", { input: text.slice(0, 40) }));
        return showStep(ctx, state);
      }
      await profiles.setTimezone(id, parsed.zone);
      await ctx.reply(t("timezone-saved", { zone: formatZone(parsed.zone, clock.now()) }));
      return advance(ctx, state);
    }
    if (state.step === "bio") {
      const res = await profiles.setBio(id, text);
      if (!res.ok) {
        await ctx.reply(`${t(`bio-error-${res.reason}`)} ${t("try-again")}`);
        return showStep(ctx, state);
      }
      return advance(ctx, state);
    }
  }

  return {
    userId,
    suggestNicknames,
    showStep,
    update,
    enterStep,
    advance,
    goBack,
    cancel,
    showCard,
    resumeOrStart,
    onText,
  };
}

export type ProfileFlow = ReturnType<typeof createProfileFlow>;
