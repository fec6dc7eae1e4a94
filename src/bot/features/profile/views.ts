import type { Clock } from "../../../clock.ts";
import { ALL_WINDOWS_MASK, maskToWindows } from "../../../domain/availability.ts";
import { formatZone } from "../../../domain/timezone.ts";
import { type Profile, type ProfileService, PURPOSES } from "../../../services/profile.ts";
import type { BotContext } from "../../context.ts";
import {
  availabilityKeyboard,
  bioKeyboard,
  choiceKeyboard,
  nicknameKeyboard,
  timezoneKeyboard,
  topicGroupsKeyboard,
  topicToggleKeyboard,
  weightChoiceKeyboard,
  weightsKeyboard,
} from "../../keyboards/profile.ts";
import type { ProfileStep } from "../../profile-steps.ts";
import { type FlowData, stepsOf } from "./types.ts";

/** What each profile step shows (text and keyboard), and the profile card: reading only, no state. */
export function createProfileViews(deps: { profiles: ProfileService; clock: Clock }) {
  const { profiles, clock } = deps;

  const titles = () => profiles.topicTitles();

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
      case "digest":
        return ctx.t(profile.digest ? "btn-digest-yes" : "btn-digest-no");
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

  /** Text and keyboard per step: one case per step, so it is as long as the list of steps. */
  async function stepView(
    ctx: BotContext,
    flow: string,
    step: ProfileStep,
    data: FlowData,
    profile: Profile,
  ) {
    const t = ctx.t.bind(ctx);
    const skip = flow === "more";
    /** A step answered «да» or «нет» (its handler reads `yes` / `no`). */
    const yesNo = (prompt: string, yes: string, no: string) => ({
      text: t(prompt),
      keyboard: choiceKeyboard(
        t,
        step,
        [
          { key: yes, value: "yes" },
          { key: no, value: "no" },
        ],
        skip,
      ),
    });
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
        return yesNo("profile-proposals-prompt", "btn-proposals-yes", "btn-proposals-no");
      case "digest":
        return yesNo("profile-digest-prompt", "btn-digest-yes", "btn-digest-no");
    }
  }

  /** The card: the pseudonym and a line for each thing the person has told; an empty field is not a line. */
  function cardText(ctx: BotContext, p: Profile): string {
    const t = ctx.t.bind(ctx);
    const windows = maskToWindows(p.availLocal);
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
    line("profile-card-digest", t(p.digest ? "profile-card-yes" : "profile-card-no"));
    line("profile-card-wishlist", p.wishlist.map((x) => x.title).join(", ") || null);
    return lines.join("\n");
  }

  return { titles, view, cardText };
}

export type ProfileViews = ReturnType<typeof createProfileViews>;
