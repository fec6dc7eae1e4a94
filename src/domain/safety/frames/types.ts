import type { Concept } from "../lexicon.ts";
import type { Reading } from "../reading.ts";
import type { W } from "./words.ts";

export type CrisisLabel = "suicidal_intent" | "self_harm" | "overdose" | "violence_now" | "hopelessness";

export interface FrameHit {
  /** `leave_place` and `kill_time` are vetoes: leaving a chat or a city, killing time — the model alone does not flag them. */
  name: string;
  label: CrisisLabel;
  severity: 1 | 2 | 3;
  /** Precise enough to flag a message on its own (unless cancelled). */
  override: boolean;
  /** Why an override was switched off, if it was. */
  cancelledBy: string | null;
}

/** What every frame check reads besides the word and its sentence, and how it reports a hit. */
export interface FrameScope {
  reading: Reading;
  /** Every word of the message, across sentences. */
  all: readonly W[];
  /** What cancels a hit in this sentence (a recovered past, media, another person…), or null. */
  cancel: string | null;
  /** The message says «now» (not negated). */
  timeNow: boolean;
  messageHas: (c: Concept) => boolean;
  add: (
    name: string,
    label: CrisisLabel,
    severity: 1 | 2 | 3,
    override: boolean,
    cancelledBy: string | null,
  ) => void;
}
/** One frame: looks at a word in its sentence and reports what it finds through `scope.add`. */
export type Frame = (w: W, s: readonly W[], scope: FrameScope) => void;
