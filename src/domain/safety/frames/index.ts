/**
 * Crisis meaning as combinations over lemmas, not phrases: a self-reference × a death / non-existence /
 * ending concept × intent, plan, time, method or means, farewell, being a burden, following someone who
 * died. Each frame looks at one sentence (most meaning sits there) or the whole message (means named
 * after a wish in another sentence), so «я больше не хочу жить, у меня есть таблетки» is one crisis with
 * means at hand however the commas fall.
 *
 * A frame is `override` only when it is precise on its own (a first-person wish to die); the rest are
 * features for the trained model (`model.ts`), which weighs them with the words around them. Cancellers
 * (someone else's story, a film, a recovered past, hyperbole about work or laughter, prescriptions)
 * switch an override off and are themselves features, so the model learns how much they weigh.
 */

import type { Concept } from "../lexicon.ts";
import type { Reading } from "../reading.ts";
import { atHeight, meansAtHand, overdose, selfHarm, violenceNow } from "./acts.ts";
import { apology, farewell, foundTomorrow, hopelessness, noTomorrow, pastAttempt, plan } from "./signals.ts";
import type { CrisisLabel, Frame, FrameHit, FrameScope } from "./types.ts";
import {
  burden,
  disappearing,
  endOfLife,
  followingTheDead,
  killTimeIdiom,
  layHands,
  notExisting,
  notOnThisEarth,
  notWantingToLive,
  sleepForever,
  suicideVerb,
  wishToDie,
} from "./wishes.ts";
import { cancellerOf, has, sentencesOf } from "./words.ts";

export type { CrisisLabel, FrameHit } from "./types.ts";

/** Every frame, checked for each word of each sentence, in this order. */
const FRAMES: readonly Frame[] = [
  wishToDie,
  endOfLife,
  suicideVerb,
  notWantingToLive,
  notExisting,
  sleepForever,
  disappearing,
  burden,
  followingTheDead,
  overdose,
  selfHarm,
  violenceNow,
  atHeight,
  meansAtHand,
  killTimeIdiom,
  layHands,
  notOnThisEarth,
  plan,
  apology,
  noTomorrow,
  foundTomorrow,
  farewell,
  pastAttempt,
  hopelessness,
];

export function detectFrames(reading: Reading): FrameHit[] {
  const sentences = sentencesOf(reading);
  const all = sentences.flat();
  const hits: FrameHit[] = [];
  const add = (
    name: string,
    label: CrisisLabel,
    severity: 1 | 2 | 3,
    override: boolean,
    cancelledBy: string | null,
  ) => {
    hits.push({ name, label, severity, override, cancelledBy: override ? cancelledBy : null });
  };
  const messageHas = (c: Concept) => all.some((w) => has(w, c));
  const timeNow = all.some((w) => has(w, "now") && !w.negated);

  for (const s of sentences) {
    const cancel = cancellerOf(s, all, reading);
    const scope: FrameScope = { reading, all, cancel, timeNow, messageHas, add };
    for (const w of s) for (const frame of FRAMES) frame(w, s, scope);
  }

  // Means named anywhere in a message that already holds a wish to die make it severity 3.
  const wish = hits.some((h) => h.override && !h.cancelledBy && h.label === "suicidal_intent");
  if (wish && (hits.some((h) => h.name === "means_at_hand" || h.name === "at_height") || messageHas("means")))
    for (const h of hits) if (h.override && h.label === "suicidal_intent") h.severity = 3;
  return hits;
}
