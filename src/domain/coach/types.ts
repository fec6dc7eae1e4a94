/** Shared vocabulary of the AI coach. Pure types and constants, no I/O. */

/** What a hint does. `crisis` is only the fixed guidance, never a generated text. */
export type HintType = "empathy" | "question" | "boundary";
export const HINT_TYPES: readonly HintType[] = ["empathy", "question", "boundary"];

export type HintSource = "template" | "model";

/** Feelings the lexicon recognises in the peer's words (грусть, тревога, злость, вина, одиночество, усталость). */
export type Emotion = "sadness" | "anxiety" | "anger" | "guilt" | "loneliness" | "fatigue";
export const EMOTIONS: readonly Emotion[] = ["sadness", "anxiety", "anger", "guilt", "loneliness", "fatigue"];

/**
 * What inside a situation the message is about, finer than the family: a lost job, telling the
 * family, money, sleep. Hints for an aspect come before the family's own.
 */
export type Aspect = "job_loss" | "telling_family" | "money" | "sleep";
export const ASPECTS: readonly Aspect[] = ["job_loss", "telling_family", "money", "sleep"];

/** Groups of catalogue topics that share a hint library and a prompt. */
export type TopicFamily =
  | "grief"
  | "pet_loss"
  | "breakup"
  | "burnout"
  | "move"
  | "anxiety"
  | "loneliness"
  | "general";
export const TOPIC_FAMILIES: readonly TopicFamily[] = [
  "grief",
  "pet_loss",
  "breakup",
  "burnout",
  "move",
  "anxiety",
  "loneliness",
  "general",
];

/** Why the safety filter refused a generated hint (also the metric label). */
export type FilterReason =
  | "length"
  | "language"
  | "placeholder"
  | "diagnosis"
  | "medical"
  | "minimising"
  | "directive"
  | "not_a_question"
  | "legal"
  | "promise"
  | "personal_data"
  | "toxic"
  | "crisis_language";

export interface HintText {
  type: HintType;
  text: string;
}
