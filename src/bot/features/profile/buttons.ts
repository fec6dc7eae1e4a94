import type { Clock } from "../../../clock.ts";
import { ALL_WINDOWS_MASK, WINDOWS } from "../../../domain/availability.ts";
import { formatZone } from "../../../domain/timezone.ts";
import {
  MAX_TOPICS,
  MAX_WISHLIST_TOPICS,
  MIN_TOPICS,
  type ProfileService,
} from "../../../services/profile.ts";
import { TIMEZONE_BUTTONS } from "../../keyboards/profile.ts";
import type { ProfileStep } from "../../profile-steps.ts";
import type { ProfileFlow } from "./flow.ts";
import { type Answer, type Buttons, DEFAULT_WEIGHT, type Press } from "./types.ts";

/**
 * What each button inside a step does, as a table: `BUTTONS[step][action]`, and `COMMON` for
 * «Назад», «Отмена» and «Пропустить» on every step. A handler returns the toast or alert to answer with.
 */
export function createStepButtons(deps: { profiles: ProfileService; clock: Clock; flow: ProfileFlow }) {
  const { profiles, clock, flow } = deps;

  const next = async (p: Press): Promise<Answer> => void (await flow.advance(p.ctx, p.state));
  const stale = (p: Press): Answer => ({ text: p.t("stale-button") });

  // ---------------------------------------------------------------- buttons, step by step

  const topicButtons: Buttons = {
    async group(p) {
      const groups = await profiles.catalogue();
      const index = Number(p.arg);
      if (!groups[index]) return stale(p);
      p.data.group = index;
      return flow.update(p);
    },
    async groups(p) {
      delete p.data.group;
      return flow.update(p);
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
      return flow.update(p);
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
        p.data.suggestions = await flow.suggestNicknames(p.userId);
        return flow.update(p);
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
        return flow.update(p);
      },
      async set(p) {
        const [id, weight] = (p.arg ?? "").split("-").map(Number);
        const selected = p.data.selected ?? {};
        if (selected[String(id)] === undefined || ![1, 2, 3].includes(weight ?? 0)) return stale(p);
        selected[String(id)] = weight!;
        delete p.data.focus;
        return flow.update(p);
      },
      async list(p) {
        delete p.data.focus;
        return flow.update(p);
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
        return flow.update(p);
      },
      async all(p) {
        p.data.windows = ALL_WINDOWS_MASK;
        return flow.update(p);
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
    digest: {
      async set(p) {
        if (p.arg !== "yes" && p.arg !== "no") return stale(p);
        await profiles.setDigest(p.userId, p.arg === "yes");
        return next(p);
      },
    },
  };

  /** Buttons every step has: «Назад», «Отмена», and «Пропустить» (moves on, saves nothing). */
  const COMMON: Buttons = {
    async back(p) {
      await flow.goBack(p.ctx, p.state);
      return undefined;
    },
    async cancel(p) {
      await flow.cancel(p.ctx, p.state);
      return undefined;
    },
    skip: next,
  };

  return { BUTTONS, COMMON };
}
