import type { Clock } from "../../../clock.ts";
import type { FlowState, ProfileService } from "../../../services/profile.ts";
import type { ProfileAction } from "../../callbacks.ts";
import type { BotContext } from "../../context.ts";
import {
  EDITABLE_STEPS,
  FIRST_STEPS,
  MORE_STEPS,
  PROFILE_STEPS,
  type ProfileStep,
} from "../../profile-steps.ts";

/** «profile»: the first steps after the rules; «more»: the optional ones in a row; «edit»: one field. */
export type Flow = "profile" | "more" | "edit";

/** Steps reachable from the card's edit buttons. Topics editing goes on to weights. */
export const EDITABLE = new Set<string>(EDITABLE_STEPS);
export const TEXT_STEPS = new Set<string>(["nickname", "timezone", "bio"]);
export const SUGGESTIONS = 4;
export const DEFAULT_WEIGHT = 2;

/**
 * What the person has entered in this flow. It travels forward and back with the flow, so «Назад»
 * shows the earlier step with the earlier choices, including those not saved yet (topics, windows).
 */
export interface FlowData {
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
export type Answer = { text?: string; alert?: boolean } | undefined;

/** One pressed button, with everything its handler needs. */
export interface Press {
  ctx: BotContext;
  state: FlowState;
  data: FlowData;
  step: ProfileStep;
  arg: string | undefined;
  userId: number;
  t: (key: string, vars?: Record<string, string | number>) => string;
}

export type ButtonHandler = (press: Press) => Promise<Answer>;
export type Buttons = Partial<Record<ProfileAction, ButtonHandler>>;

export interface ProfileFeatureDeps {
  profiles: ProfileService;
  clock: Clock;
  random?: () => number;
  /** With a coach model configured: whether the person's words may reach it (a line and a toggle on the card). */
  coachSharing?: (userId: number) => Promise<boolean>;
}

export function isStep(value: string | undefined): value is ProfileStep {
  return PROFILE_STEPS.includes(value as ProfileStep);
}

export function stepsOf(flow: string): readonly ProfileStep[] {
  if (flow === "profile") return FIRST_STEPS;
  if (flow === "more") return MORE_STEPS;
  return [];
}
