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
import { coachShare, type ProfileAction, profileButton, profileCard } from "../callbacks.ts";
import type { BotContext } from "../context.ts";
import {
  availabilityKeyboard,
  bioKeyboard,
  choiceKeyboard,
  nicknameKeyboard,
  profileCardKeyboard,
  readyKeyboard,
  TIMEZONE_BUTTONS,
  timezoneKeyboard,
  topicGroupsKeyboard,
  topicToggleKeyboard,
  weightChoiceKeyboard,
  weightsKeyboard,
} from "../keyboards/profile.ts";
import { FIRST_STEPS, MORE_STEPS, PROFILE_STEPS, type ProfileStep } from "../profile-steps.ts";

export { FIRST_STEPS, MORE_STEPS, PROFILE_STEPS, type ProfileStep } from "../profile-steps.ts";

/** «profile»: the first steps after the rules; «more»: the optional ones in a row; «edit»: one field. */
type Flow = "profile" | "more" | "edit";

/** Steps reachable from the card's edit buttons. Topics editing goes on to weights. */
const EDITABLE = new Set<string>(PROFILE_STEPS.filter((s) => s !== "weights"));
const TEXT_STEPS = new Set<string>(["nickname", "timezone", "bio"]);
const SUGGESTIONS = 4;
const DEFAULT_WEIGHT = 2;

/**
 * What the person has entered in this flow. It travels forward and back with the flow, so «Назад»
 * shows the earlier step with the earlier choices, including those not saved yet (topics, windows).
 */
interface FlowData {
  suggestions?: string[];
  /** topicId → weight, while choosing topics. */
  selected?: Record<string, number>;
  /** topicId → weight of a topic unticked in this flow: ticking it again brings its weight back. */
  unticked?: Record<string, number>;
  /** Index of the open topic group, or absent on the group list. */
  group?: number;
  /** The topic whose weight is being chosen on the weights step. */
  focus?: number;
  windows?: number;
  wish?: number[];
  /** Steps already answered in this flow: their prompt shows the current answer. */
  answered?: string[];
}

/** What a button press answers with (a toast, or an alert when `alert`). */
type Answer = { text?: string; alert?: boolean } | undefined;

/** One pressed button, with everything its handler needs. */
interface Press {
  ctx: BotContext;
  state: FlowState;
  data: FlowData;
  step: ProfileStep;
  arg: string | undefined;
  userId: number;
  t: (key: string, vars?: Record<string, string | number>) => string;
}

type ButtonHandler = (press: Press) => Promise<Answer>;
type Buttons = Partial<Record<ProfileAction, ButtonHandler>>;

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

function stepsOf(flow: string): readonly ProfileStep[] {
  if (flow === "profile") return FIRST_STEPS;
  if (flow === "more") return MORE_STEPS;
  return [];
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

  /** Calm pseudonyms nobody else goes by. */
  async function suggestNicknames(id: number): Promise<string[]> {
    const candidates = generatePseudonyms(SUGGESTIONS * 3, random);
    const taken = await profiles.nicknamesInUse(candidates, id);
    return candidates.filter((n) => !taken.has(n)).slice(0, SUGGESTIONS);
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

  /** «Шаг 1 из 3» in the first steps, «2 из 7» in «more», nothing when one field is edited. */
  function stepHeader(ctx: BotContext, flow: string, step: ProfileStep): string | null {
    const steps = stepsOf(flow);
    const n = steps.indexOf(step) + 1;
    if (n === 0) return null;
    return ctx.t(flow === "profile" ? "profile-step" : "profile-more-step", { n, total: steps.length });
  }

  /** The prompt text and keyboard of a step, given the flow's data. */
  async function view(ctx: BotContext, flow: string, step: ProfileStep, data: FlowData, profile: Profile) {
    const v = await stepView(ctx, flow, step, data, profile);
    const isRevisit = flow === "edit" || (data.answered ?? []).includes(step);
    const current = isRevisit ? currentAnswer(ctx, step, profile) : null;
    const header = stepHeader(ctx, flow, step);
    const parts = [
      header,
      v.text,
      current === null ? null : ctx.t("profile-current-answer", { value: current }),
    ];
    return { text: parts.filter((p) => p !== null).join("\n\n"), keyboard: v.keyboard };
  }

  async function stepView(
    ctx: BotContext,
    flow: string,
    step: ProfileStep,
    data: FlowData,
    profile: Profile,
  ) {
    const t = ctx.t.bind(ctx);
    const skip = flow === "more";
    switch (step) {
      case "nickname":
        return {
          text: t("profile-nickname-prompt"),
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
      case "weights": {
        const names = await titles();
        const selected = data.selected ?? {};
        const focus = data.focus;
        const weight = focus === undefined ? undefined : selected[String(focus)];
        if (focus !== undefined && weight !== undefined) {
          const topic = names.get(focus) ?? String(focus);
          return {
            text: t("profile-weight-choice", { topic, weight: t(`weight-${weight}`) }),
            keyboard: weightChoiceKeyboard(t, focus, weight),
          };
        }
        const list = Object.entries(selected)
          .map(([id, w]) =>
            t("profile-weight-line", { topic: names.get(Number(id)) ?? id, weight: t(`weight-${w}`) }),
          )
          .join("\n");
        return {
          text: `${t("profile-weights-prompt")}\n\n${list}`,
          keyboard: weightsKeyboard(t, names, selected),
        };
      }
      case "bio":
        return { text: t("profile-bio-prompt"), keyboard: bioKeyboard(t, profile.bio !== null) };
      case "purpose":
        return {
          text: t("profile-purpose-prompt"),
          keyboard: choiceKeyboard(
            t,
            "purpose",
            PURPOSES.map((p) => ({ key: `purpose-${p}`, value: p })),
            skip,
          ),
        };
      case "sensitivity":
        return {
          text: t("profile-sensitivity-prompt"),
          keyboard: choiceKeyboard(
            t,
            "sensitivity",
            [1, 2, 3].map((n) => ({ key: `sensitivity-${n}`, value: String(n) })),
            skip,
          ),
        };
      case "availability":
        return {
          text: t("profile-availability-prompt"),
          keyboard: availabilityKeyboard(t, data.windows ?? 0, skip),
        };
      case "proposals":
        return {
          text: t("profile-proposals-prompt"),
          keyboard: choiceKeyboard(
            t,
            "proposals",
            [
              { key: "btn-proposals-yes", value: "yes" },
              { key: "btn-proposals-no", value: "no" },
            ],
            skip,
          ),
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
    const p = await profiles.getProfile(userId(ctx));
    const t = ctx.t.bind(ctx);
    const windows = maskToWindows(p.availLocal);
    // Only what the person has told: an empty field is not a line.
    const lines: string[] = [`${p.avatar ?? "🙂"} ${p.nickname ?? t("profile-card-no-nickname")}`, ""];
    const line = (key: string, value: string | null) => {
      if (value !== null && value !== "") lines.push(t(key, { value }));
    };
    line("profile-card-zone", p.tz ? formatZone(p.tz, clock.now()) : null);
    line(
      "profile-card-topics",
      p.topics.map((x) => `${x.title} (${t(`weight-${x.weight}`)})`).join(", ") || null,
    );
    line("profile-card-bio", p.bio);
    line("profile-card-purpose", t(`purpose-${p.purpose}`));
    line("profile-card-sensitivity", t(`sensitivity-${p.sensitivity}`));
    line(
      "profile-card-availability",
      p.availLocal === ALL_WINDOWS_MASK || windows.length === 0
        ? t("btn-any-time")
        : windows.map((w) => t(`window-${w}`)).join(", "),
    );
    line("profile-card-proposals", t(p.receiveProposals ? "profile-card-yes" : "profile-card-no"));
    line("profile-card-wishlist", p.wishlist.map((x) => x.title).join(", ") || null);
    const kb = profileCardKeyboard(t);
    if (deps.coachSharing) {
      const shares = await deps.coachSharing(userId(ctx));
      line("profile-card-coach-share", t(shares ? "profile-card-yes" : "profile-card-no"));
      kb.row().text(t("btn-edit-coach-share"), coachShare.pack({ answer: "toggle" }));
    }
    await ctx.reply(lines.join("\n"), { reply_markup: kb });
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

  const next = async (p: Press): Promise<Answer> => void (await advance(p.ctx, p.state));
  const stale = (p: Press): Answer => ({ text: p.t("stale-button") });

  // ---------------------------------------------------------------- buttons, step by step

  const topicButtons: Buttons = {
    async group(p) {
      const groups = await profiles.catalogue();
      const index = Number(p.arg);
      if (!groups[index]) return stale(p);
      p.data.group = index;
      return update(p);
    },
    async groups(p) {
      delete p.data.group;
      return update(p);
    },
    async topic(p) {
      const groups = await profiles.catalogue();
      const topicId = Number(p.arg);
      if (!groups.some((g) => g.topics.some((x) => x.id === topicId))) return stale(p);
      const key = String(topicId);
      if (p.step === "topics") {
        const selected = p.data.selected ?? {};
        const unticked = p.data.unticked ?? {};
        if (selected[key] !== undefined) {
          unticked[key] = selected[key];
          delete selected[key];
        } else if (Object.keys(selected).length >= MAX_TOPICS) {
          return { text: p.t("topics-error-too_many"), alert: true };
        } else {
          // Ticking a topic again brings back the weight it had: a tap never lowers a choice.
          selected[key] = unticked[key] ?? DEFAULT_WEIGHT;
          delete unticked[key];
        }
        p.data.selected = selected;
        p.data.unticked = unticked;
      } else {
        const wish = new Set(p.data.wish ?? []);
        if (wish.has(topicId)) wish.delete(topicId);
        else if (wish.size >= MAX_WISHLIST_TOPICS)
          return { text: p.t("wishlist-error-too_many"), alert: true };
        else wish.add(topicId);
        p.data.wish = [...wish];
      }
      return update(p);
    },
    async done(p) {
      if (p.step === "topics") {
        const selected = p.data.selected ?? {};
        if (Object.keys(selected).length < MIN_TOPICS) {
          return { text: p.t("topics-error-too_few"), alert: true };
        }
        // In the first steps the topics are saved here, with their weights (важно unless chosen):
        // their weights can be told later, from «more» or /profile.
        if (p.state.flow !== "edit") {
          const res = await profiles.setTopics(
            p.userId,
            Object.entries(selected).map(([topicId, weight]) => ({ topicId: Number(topicId), weight })),
          );
          if (!res.ok) return { text: p.t(`topics-error-${res.reason}`), alert: true };
        }
        return next(p);
      }
      const res = await profiles.setWishlist(p.userId, p.data.wish ?? []);
      if (!res.ok) return { text: p.t(`wishlist-error-${res.reason}`), alert: true };
      return next(p);
    },
  };

  const BUTTONS: Record<ProfileStep, Buttons> = {
    nickname: {
      async more(p) {
        p.data.suggestions = await suggestNicknames(p.userId);
        return update(p);
      },
      async pick(p) {
        const choice = p.data.suggestions?.[Number(p.arg)];
        if (choice === undefined) return stale(p);
        const res = await profiles.setNickname(p.userId, choice);
        if (!res.ok) return { text: p.t(`nickname-error-${res.reason}`), alert: true };
        return next(p);
      },
    },
    timezone: {
      async other(p) {
        await p.ctx.reply(p.t("profile-timezone-other"));
        return undefined;
      },
      async city(p) {
        const city = TIMEZONE_BUTTONS[Number(p.arg)];
        if (!city) return stale(p);
        await profiles.setTimezone(p.userId, city.zone);
        await p.ctx.reply(p.t("timezone-saved", { zone: formatZone(city.zone, clock.now()) }));
        return next(p);
      },
    },
    topics: topicButtons,
    wishlist: topicButtons,
    weights: {
      /** Opens one topic's three weights; nothing changes until one of them is pressed. */
      async topic(p) {
        if (p.data.selected?.[String(p.arg)] === undefined) return stale(p);
        p.data.focus = Number(p.arg);
        return update(p);
      },
      async set(p) {
        const [id, weight] = (p.arg ?? "").split("-").map(Number);
        const selected = p.data.selected ?? {};
        if (selected[String(id)] === undefined || ![1, 2, 3].includes(weight ?? 0)) return stale(p);
        selected[String(id)] = weight!;
        delete p.data.focus;
        return update(p);
      },
      async list(p) {
        delete p.data.focus;
        return update(p);
      },
      async done(p) {
        const res = await profiles.setTopics(
          p.userId,
          Object.entries(p.data.selected ?? {}).map(([topicId, weight]) => ({
            topicId: Number(topicId),
            weight,
          })),
        );
        if (!res.ok) return { text: p.t(`topics-error-${res.reason}`), alert: true };
        return next(p);
      },
    },
    bio: {
      async clear(p) {
        await profiles.setBio(p.userId, null);
        return next(p);
      },
    },
    purpose: {
      async set(p) {
        const res = await profiles.setPurpose(p.userId, String(p.arg));
        if (!res.ok) return stale(p);
        return next(p);
      },
    },
    sensitivity: {
      async set(p) {
        const res = await profiles.setSensitivity(p.userId, Number(p.arg));
        if (!res.ok) return stale(p);
        return next(p);
      },
    },
    availability: {
      async toggle(p) {
        const bit = Number(p.arg);
        if (!Number.isInteger(bit) || bit < 0 || bit >= WINDOWS.length) return stale(p);
        p.data.windows = (p.data.windows ?? 0) ^ (1 << bit);
        return update(p);
      },
      async all(p) {
        p.data.windows = ALL_WINDOWS_MASK;
        return update(p);
      },
      async done(p) {
        if (!p.data.windows) return { text: p.t("availability-error-empty"), alert: true };
        await profiles.setAvailability(p.userId, p.data.windows);
        return next(p);
      },
    },
    proposals: {
      async set(p) {
        if (p.arg !== "yes" && p.arg !== "no") return stale(p);
        await profiles.setReceiveProposals(p.userId, p.arg === "yes");
        return next(p);
      },
    },
  };

  /** Buttons every step has: «Назад», «Отмена», and «Пропустить» (moves on, saves nothing). */
  const COMMON: Buttons = {
    async back(p) {
      await goBack(p.ctx, p.state);
      return undefined;
    },
    async cancel(p) {
      await cancel(p.ctx, p.state);
      return undefined;
    },
    skip: next,
  };

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
    const profile = await profiles.getProfile(userId(ctx));
    if (action === "edit") {
      if (field && EDITABLE.has(field)) await enterStep(ctx, "edit", field);
    } else if (profiles.missingForSearch(profile).length > 0) {
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
    const state = await profiles.getFlow(userId(ctx));
    if (!state || !isStep(state.step)) return next();
    if (text !== undefined && TEXT_STEPS.has(state.step)) return onText(ctx, state, text);
    // A photo on the nickname step, free text on a buttons step: show the step again.
    await showStep(ctx, state);
  });

  return { feature, resumeOrStart, showCard };
}
