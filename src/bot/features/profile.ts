import { Composer, type InlineKeyboard } from "grammy";
import type { Clock } from "../../clock.ts";
import { ALL_WINDOWS_MASK, maskToWindows, WINDOWS } from "../../domain/availability.ts";
import { generatePseudonyms } from "../../domain/nickname.ts";
import { formatZone, parseTimeZone } from "../../domain/timezone.ts";
import {
  type FlowState,
  MAX_TOPICS,
  MAX_WISHLIST_TOPICS,
  MIN_TOPICS,
  type Profile,
  type ProfileService,
  PURPOSES,
} from "../../services/profile.ts";
import type { BotContext } from "../context.ts";
import {
  availabilityKeyboard,
  bioKeyboard,
  choiceKeyboard,
  nicknameKeyboard,
  profileCardKeyboard,
  TIMEZONE_BUTTONS,
  timezoneKeyboard,
  topicGroupsKeyboard,
  topicToggleKeyboard,
  weightsKeyboard,
} from "../keyboards/profile.ts";

export const PROFILE_STEPS = [
  "nickname",
  "timezone",
  "topics",
  "weights",
  "bio",
  "purpose",
  "sensitivity",
  "availability",
  "proposals",
  "wishlist",
] as const;
export type ProfileStep = (typeof PROFILE_STEPS)[number];

/** Steps reachable from the card's edit buttons. Topics editing goes on to weights. */
const EDITABLE = new Set<string>(PROFILE_STEPS.filter((s) => s !== "weights"));
const TEXT_STEPS = new Set<string>(["nickname", "timezone", "bio"]);

/**
 * What the person has entered in this flow. It travels forward and back with the flow, so «Назад»
 * shows the earlier step with the earlier choices, including those not saved yet (topics, windows).
 */
interface FlowData {
  suggestions?: string[];
  /** topicId → weight, while choosing topics. */
  selected?: Record<string, number>;
  /** Index of the open topic group, or absent on the group list. */
  group?: number;
  windows?: number;
  wish?: number[];
  /** Steps already answered in this flow: their prompt shows the current answer. */
  answered?: string[];
}

type Flow = "profile" | "edit";

export interface ProfileFeatureDeps {
  profiles: ProfileService;
  clock: Clock;
  random?: () => number;
  /** With a coach model configured: whether the person's words may reach it (a line and a toggle on the card). */
  coachSharing?: (userId: number) => Promise<boolean>;
}

function isStep(value: string | undefined): value is ProfileStep {
  return PROFILE_STEPS.includes(value as ProfileStep);
}

export function createProfileFeature(deps: ProfileFeatureDeps) {
  const { profiles, clock } = deps;
  const random = deps.random ?? Math.random;
  const feature = new Composer<BotContext>();

  const userId = (ctx: BotContext) => {
    if (!ctx.user) throw new Error("profile flow without a registered user");
    return ctx.user.id;
  };

  async function titles(): Promise<Map<number, string>> {
    return new Map((await profiles.catalogue()).flatMap((g) => g.topics).map((x) => [x.id, x.title]));
  }

  /** The saved answer of a step that saves at once, shown when the person comes back to it. */
  function currentAnswer(ctx: BotContext, step: ProfileStep, profile: Profile): string | null {
    switch (step) {
      case "nickname":
        return profile.nickname;
      case "timezone":
        return profile.tz ? formatZone(profile.tz, clock.now()) : null;
      case "bio":
        return profile.bio;
      case "purpose":
        return ctx.t(`purpose-${profile.purpose}`);
      case "sensitivity":
        return ctx.t(`sensitivity-${profile.sensitivity}`);
      case "proposals":
        return ctx.t(profile.receiveProposals ? "btn-proposals-yes" : "btn-proposals-no");
      default:
        return null;
    }
  }

  /** The prompt text and keyboard of a step, given the flow's data. */
  async function view(ctx: BotContext, flow: string, step: ProfileStep, data: FlowData, profile: Profile) {
    const v = await stepView(ctx, step, data, profile);
    const isRevisit = flow === "edit" || (data.answered ?? []).includes(step);
    const current = isRevisit ? currentAnswer(ctx, step, profile) : null;
    return current === null
      ? v
      : { ...v, text: `${v.text}\n\n${ctx.t("profile-current-answer", { value: current })}` };
  }

  async function stepView(ctx: BotContext, step: ProfileStep, data: FlowData, profile: Profile) {
    const t = ctx.t.bind(ctx);
    switch (step) {
      case "nickname":
        return {
          text: data.suggestions?.length ? t("profile-nickname-suggestions") : t("profile-nickname-prompt"),
          keyboard: nicknameKeyboard(t, data.suggestions ?? []),
        };
      case "timezone":
        return { text: t("profile-timezone-prompt"), keyboard: timezoneKeyboard(t) };
      case "topics":
      case "wishlist": {
        const groups = await profiles.catalogue();
        const chosen = new Set(
          step === "topics" ? Object.keys(data.selected ?? {}).map(Number) : (data.wish ?? []),
        );
        const names = await titles();
        const list = [...chosen].map((id) => names.get(id) ?? String(id)).join(", ");
        const summary = chosen.size
          ? t("profile-topics-selected", { count: chosen.size, list })
          : t("profile-topics-none");
        const head = step === "topics" ? t("profile-topics-prompt") : t("profile-wishlist-prompt");
        const group = data.group !== undefined ? groups[data.group] : undefined;
        if (group) {
          return {
            text: `${head}\n\n${t("profile-topics-group", { group: group.title })}\n${summary}`,
            keyboard: topicToggleKeyboard(t, step, group, chosen),
          };
        }
        return { text: `${head}\n\n${summary}`, keyboard: topicGroupsKeyboard(t, step, groups, chosen) };
      }
      case "weights":
        return {
          text: t("profile-weights-prompt"),
          keyboard: weightsKeyboard(t, await titles(), data.selected ?? {}),
        };
      case "bio":
        return { text: t("profile-bio-prompt"), keyboard: bioKeyboard(t, profile.bio !== null) };
      case "purpose":
        return {
          text: t("profile-purpose-prompt"),
          keyboard: choiceKeyboard(
            t,
            "purpose",
            PURPOSES.map((p) => ({ key: `purpose-${p}`, value: p })),
          ),
        };
      case "sensitivity":
        return {
          text: t("profile-sensitivity-prompt"),
          keyboard: choiceKeyboard(
            t,
            "sensitivity",
            [1, 2, 3].map((n) => ({ key: `sensitivity-${n}`, value: String(n) })),
          ),
        };
      case "availability":
        return {
          text: t("profile-availability-prompt"),
          keyboard: availabilityKeyboard(t, data.windows ?? 0),
        };
      case "proposals":
        return {
          text: t("profile-proposals-prompt"),
          keyboard: choiceKeyboard(t, "proposals", [
            { key: "btn-proposals-yes", value: "yes" },
            { key: "btn-proposals-no", value: "no" },
          ]),
        };
    }
  }

  async function send(ctx: BotContext, text: string, keyboard: InlineKeyboard) {
    await ctx.reply(text, { reply_markup: keyboard });
  }

  /** Shows the current step as a new message (after a restart, a pause, or an input error). */
  async function showStep(ctx: BotContext, state: FlowState) {
    if (!isStep(state.step)) return;
    const profile = await profiles.getProfile(userId(ctx));
    const v = await view(ctx, state.flow, state.step, state.data as FlowData, profile);
    await send(ctx, v.text, v.keyboard);
  }

  /** Re-draws the current step in the message whose button was pressed. */
  async function redraw(ctx: BotContext, state: FlowState) {
    if (!isStep(state.step)) return;
    const profile = await profiles.getProfile(userId(ctx));
    const v = await view(ctx, state.flow, state.step, state.data as FlowData, profile);
    await ctx.editMessageText(v.text, { reply_markup: v.keyboard });
  }

  /**
   * Starts a step: keeps what the flow carries (choices made earlier in it, forward or back) and
   * fills the rest from the saved profile, stores the flow, shows the prompt.
   */
  async function enterStep(ctx: BotContext, flow: Flow, step: ProfileStep, carry: FlowData = {}) {
    const id = userId(ctx);
    const profile = await profiles.getProfile(id);
    const { group: _group, ...data } = carry;
    if (step !== "nickname") delete data.suggestions;
    const saved = () => Object.fromEntries(profile.topics.map((x) => [String(x.id), x.weight]));
    if (step === "topics" && !data.selected) data.selected = saved();
    if (step === "weights" && Object.keys(data.selected ?? {}).length < MIN_TOPICS) {
      data.selected = saved();
      // Weights of fewer than two topics could never be saved: choose the topics first.
      if (Object.keys(data.selected).length < MIN_TOPICS) return enterStep(ctx, flow, "topics", data);
    }
    if (step === "wishlist" && !data.wish) data.wish = profile.wishlist.map((x) => x.id);
    if (step === "availability" && data.windows === undefined) data.windows = profile.availLocal;
    const state: FlowState = { flow, step, data: data as Record<string, unknown> };
    await profiles.setFlow(id, state);
    await showStep(ctx, state);
  }

  /** A step is done: the next step of onboarding, or back to the card after an edit. */
  async function advance(ctx: BotContext, state: FlowState) {
    const step = state.step as ProfileStep;
    if (state.flow === "edit" && step !== "topics") {
      await profiles.clearFlow(userId(ctx));
      await ctx.reply(ctx.t("profile-saved"));
      await showCard(ctx);
      return;
    }
    const next = PROFILE_STEPS[PROFILE_STEPS.indexOf(step) + 1];
    if (!next) {
      await profiles.clearFlow(userId(ctx));
      await showCard(ctx);
      await ctx.reply(ctx.t("profile-done"));
      return;
    }
    const data = state.data as FlowData;
    const answered = [...new Set([...(data.answered ?? []), step])];
    await enterStep(ctx, state.flow as Flow, next, { ...data, answered });
  }

  /** «Назад»: the previous step, with everything entered so far in this flow. */
  async function goBack(ctx: BotContext, state: FlowState) {
    const step = state.step as ProfileStep;
    if (state.flow === "edit" && step !== "weights") return cancel(ctx, state);
    const prev = PROFILE_STEPS[PROFILE_STEPS.indexOf(step) - 1];
    if (!prev) return showStep(ctx, state);
    await enterStep(ctx, state.flow as Flow, prev, state.data as FlowData);
  }

  async function cancel(ctx: BotContext, state: FlowState) {
    await profiles.clearFlow(userId(ctx));
    if (state.flow === "edit") {
      await ctx.reply(ctx.t("profile-edit-cancelled"));
      await showCard(ctx);
    } else {
      await ctx.reply(ctx.t("profile-cancelled"));
    }
  }

  async function showCard(ctx: BotContext) {
    const p = await profiles.getProfile(userId(ctx));
    const empty = ctx.t("profile-card-empty-field");
    const windows = maskToWindows(p.availLocal);
    const text = ctx.t("profile-card", {
      avatar: p.avatar ?? "🙂",
      nickname: p.nickname ?? empty,
      zone: p.tz ? formatZone(p.tz, clock.now()) : empty,
      topics: p.topics.length
        ? p.topics.map((x) => `${x.title} (${ctx.t(`weight-${x.weight}`)})`).join(", ")
        : empty,
      bio: p.bio ?? empty,
      purpose: ctx.t(`purpose-${p.purpose}`),
      sensitivity: ctx.t(`sensitivity-${p.sensitivity}`),
      availability:
        p.availLocal === ALL_WINDOWS_MASK
          ? ctx.t("btn-any-time")
          : windows.length
            ? windows.map((w) => ctx.t(`window-${w}`)).join(", ")
            : empty,
      proposals: ctx.t(p.receiveProposals ? "profile-card-yes" : "profile-card-no"),
      wishlist: p.wishlist.length ? p.wishlist.map((x) => x.title).join(", ") : empty,
    });
    const kb = profileCardKeyboard(ctx.t.bind(ctx));
    let card = text;
    if (deps.coachSharing) {
      const shares = await deps.coachSharing(userId(ctx));
      card += `\n${ctx.t("profile-card-coach-share", { value: ctx.t(shares ? "profile-card-yes" : "profile-card-no") })}`;
      kb.row().text(ctx.t("btn-edit-coach-share"), "ai:share:toggle");
    }
    await ctx.reply(card, { reply_markup: kb });
  }

  /** Continues an unfinished flow, or starts onboarding's profile from its first missing step. */
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

  /** Button presses inside a step. Returns a short answer for answerCallbackQuery (alert when set). */
  async function onButton(
    ctx: BotContext,
    state: FlowState,
    action: string,
    arg: string | undefined,
  ): Promise<{ text?: string; alert?: boolean } | undefined> {
    const id = userId(ctx);
    const data = state.data as FlowData;
    const t = ctx.t.bind(ctx);
    const step = state.step as ProfileStep;
    if (action === "back") return void (await goBack(ctx, state));
    if (action === "cancel") return void (await cancel(ctx, state));

    switch (step) {
      case "nickname": {
        if (action === "gen") {
          data.suggestions = generatePseudonyms(4, random);
          await profiles.setFlow(id, { ...state, data: data as Record<string, unknown> });
          return void (await redraw(ctx, state));
        }
        if (action === "pick") {
          const choice = data.suggestions?.[Number(arg)];
          if (choice === undefined) return { text: t("stale-button") };
          const res = await profiles.setNickname(id, choice);
          if (!res.ok) return { text: t(`nickname-error-${res.reason}`), alert: true };
          return void (await advance(ctx, state));
        }
        break;
      }
      case "timezone": {
        if (action === "other") return void (await ctx.reply(t("profile-timezone-other")));
        if (action === "city") {
          const city = TIMEZONE_BUTTONS[Number(arg)];
          if (!city) return { text: t("stale-button") };
          await profiles.setTimezone(id, city.zone);
          await ctx.reply(t("timezone-saved", { zone: formatZone(city.zone, clock.now()) }));
          return void (await advance(ctx, state));
        }
        break;
      }
      case "topics":
      case "wishlist": {
        const groups = await profiles.catalogue();
        if (action === "g") {
          const index = Number(arg);
          if (!groups[index]) return { text: t("stale-button") };
          data.group = index;
        } else if (action === "groups") {
          delete data.group;
        } else if (action === "t") {
          const topicId = Number(arg);
          if (!groups.some((g) => g.topics.some((x) => x.id === topicId))) return { text: t("stale-button") };
          if (step === "topics") {
            const selected = data.selected ?? {};
            if (selected[String(topicId)] !== undefined) delete selected[String(topicId)];
            else if (Object.keys(selected).length >= MAX_TOPICS) {
              return { text: t("topics-error-too_many"), alert: true };
            } else selected[String(topicId)] = 2;
            data.selected = selected;
          } else {
            const wish = new Set(data.wish ?? []);
            if (wish.has(topicId)) wish.delete(topicId);
            else if (wish.size >= MAX_WISHLIST_TOPICS)
              return { text: t("wishlist-error-too_many"), alert: true };
            else wish.add(topicId);
            data.wish = [...wish];
          }
        } else if (action === "done" || action === "skip") {
          if (step === "topics") {
            if (Object.keys(data.selected ?? {}).length < MIN_TOPICS) {
              return { text: t("topics-error-too_few"), alert: true };
            }
            return void (await advance(ctx, state));
          }
          if (action === "done") {
            const res = await profiles.setWishlist(id, data.wish ?? []);
            if (!res.ok) return { text: t(`wishlist-error-${res.reason}`), alert: true };
          }
          return void (await advance(ctx, state));
        } else break;
        await profiles.setFlow(id, { ...state, data: data as Record<string, unknown> });
        return void (await redraw(ctx, state));
      }
      case "weights": {
        const selected = data.selected ?? {};
        if (action === "w") {
          const current = selected[String(arg)];
          if (current === undefined) return { text: t("stale-button") };
          // очень важно → важно → немного → очень важно
          selected[String(arg)] = current === 1 ? 3 : current - 1;
          data.selected = selected;
          await profiles.setFlow(id, { ...state, data: data as Record<string, unknown> });
          return void (await redraw(ctx, state));
        }
        if (action === "done") {
          const res = await profiles.setTopics(
            id,
            Object.entries(selected).map(([topicId, weight]) => ({ topicId: Number(topicId), weight })),
          );
          if (!res.ok) return { text: t(`topics-error-${res.reason}`), alert: true };
          return void (await advance(ctx, state));
        }
        break;
      }
      case "bio": {
        if (action === "skip") return void (await advance(ctx, state));
        if (action === "clear") {
          await profiles.setBio(id, null);
          return void (await advance(ctx, state));
        }
        break;
      }
      case "purpose": {
        if (action === "set") {
          const res = await profiles.setPurpose(id, String(arg));
          if (!res.ok) return { text: t("stale-button") };
          return void (await advance(ctx, state));
        }
        break;
      }
      case "sensitivity": {
        if (action === "set") {
          const res = await profiles.setSensitivity(id, Number(arg));
          if (!res.ok) return { text: t("stale-button") };
          return void (await advance(ctx, state));
        }
        break;
      }
      case "availability": {
        if (action === "toggle") {
          const bit = Number(arg);
          if (!Number.isInteger(bit) || bit < 0 || bit >= WINDOWS.length) return { text: t("stale-button") };
          data.windows = (data.windows ?? 0) ^ (1 << bit);
        } else if (action === "all") {
          data.windows = ALL_WINDOWS_MASK;
        } else if (action === "done") {
          if (!data.windows) return { text: t("availability-error-empty"), alert: true };
          await profiles.setAvailability(id, data.windows);
          return void (await advance(ctx, state));
        } else break;
        await profiles.setFlow(id, { ...state, data: data as Record<string, unknown> });
        return void (await redraw(ctx, state));
      }
      case "proposals": {
        if (action === "set" && (arg === "yes" || arg === "no")) {
          await profiles.setReceiveProposals(id, arg === "yes");
          return void (await advance(ctx, state));
        }
        break;
      }
    }
    return { text: t("stale-button") };
  }

  const registered = feature.filter((ctx) => ctx.user !== null);

  registered.command("profile", async (ctx) => {
    const state = await profiles.getFlow(userId(ctx));
    if (state && isStep(state.step)) return showStep(ctx, state);
    await resumeOrStart(ctx);
  });

  // Edit buttons under the profile card.
  registered.callbackQuery(/^p:card:edit:([a-z]+)$/, async (ctx) => {
    const field = ctx.match[1] ?? "";
    if (EDITABLE.has(field) && isStep(field)) await enterStep(ctx, "edit", field);
    await ctx.answerCallbackQuery();
  });

  registered.callbackQuery(/^p:([a-z]+):([a-z]+)(?::([^:]{1,40}))?$/, async (ctx) => {
    const [, step, action, arg] = ctx.match;
    const state = await profiles.getFlow(userId(ctx));
    if (!state || state.step !== step || !isStep(step)) {
      // A button of a finished or another step: change nothing, show where we are.
      await ctx.answerCallbackQuery({ text: ctx.t("stale-button") });
      if (state && isStep(state.step)) await showStep(ctx, state);
      return;
    }
    const answer = await onButton(ctx, state, action ?? "", arg);
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
    const state = await profiles.getFlow(userId(ctx));
    if (!state || !isStep(state.step)) return next();
    if (text !== undefined && TEXT_STEPS.has(state.step)) return onText(ctx, state, text);
    // A photo on the nickname step, free text on a buttons step: show the step again.
    await showStep(ctx, state);
  });

  return { feature, resumeOrStart, showCard };
}
