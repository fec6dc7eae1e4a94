/**
 * The profile's steps. The first three are what a search needs, asked right after the rules: the
 * shortest way to a first conversation. The rest is «more» — offered once a search runs, or from
 * /profile.
 */
export const FIRST_STEPS = ["nickname", "timezone", "topics"] as const;
export const MORE_STEPS = [
  "weights",
  "bio",
  "purpose",
  "sensitivity",
  "availability",
  "proposals",
  "digest",
  "wishlist",
] as const;
export const PROFILE_STEPS = [...FIRST_STEPS, ...MORE_STEPS] as const;
export type ProfileStep = (typeof PROFILE_STEPS)[number];

/** The fields with an edit button under the card, in card order; weights are edited after topics. */
export const EDITABLE_STEPS: readonly ProfileStep[] = PROFILE_STEPS.filter((s) => s !== "weights");
