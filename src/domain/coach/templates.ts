/**
 * The template engine: picks one hint of each kind from the curated library by topic family and the
 * detected feeling. Deterministic for a given seed, so a test can predict it and a person pressing
 * «💡 Подсказка» again gets other phrasings (the service passes a rotating seed).
 */
import { ASPECT_HINTS, EMOTION_EMPATHY, HINT_LIBRARY } from "./library.ts";
import {
  type Aspect,
  type Emotion,
  HINT_TYPES,
  type HintText,
  type HintType,
  type TopicFamily,
} from "./types.ts";

export interface TemplatePick {
  family: TopicFamily;
  emotion: Emotion | null;
  /** What inside the situation the latest message is about («уволили», «как сказать жене»). */
  aspects?: readonly Aspect[];
  /** Any non-negative integer; consecutive seeds give different texts. */
  seed: number;
}

/** The candidates for one kind, most fitting first. */
export function templateCandidates(
  type: HintType,
  family: TopicFamily,
  emotion: Emotion | null,
): readonly string[] {
  const own = HINT_LIBRARY[family][type];
  if (type === "empathy" && emotion) return [...EMOTION_EMPATHY[emotion], ...own];
  return own;
}

/** One hint of the kind, skipping texts in `exclude` (already shown in this answer). */
export function pickTemplate(
  type: HintType,
  { family, emotion, aspects = [], seed }: TemplatePick,
  exclude: ReadonlySet<string> = new Set(),
): HintText {
  // The aspect of the latest message is the most specific («Потерять работу — это удар…»); then, with
  // a feeling detected, the empathy hint names it; the topic's own phrases are the reserve.
  const primary = type === "empathy" && emotion ? EMOTION_EMPATHY[emotion] : HINT_LIBRARY[family][type];
  const pools = [
    ...aspects.map((a) => ASPECT_HINTS[a][type]),
    primary,
    HINT_LIBRARY[family][type],
    HINT_LIBRARY.general[type],
  ];
  const step = Math.abs(Math.trunc(seed)) || 0;
  for (const pool of pools) {
    for (let k = 0; k < pool.length; k++) {
      const text = pool[(step + k) % pool.length]!;
      if (!exclude.has(text)) return { type, text };
    }
  }
  return { type, text: primary[step % primary.length]! };
}

/** Empathy, an open question and a boundary reminder, in that order. */
export function pickTemplateHints(pick: TemplatePick): HintText[] {
  const used = new Set<string>();
  return HINT_TYPES.map((type) => {
    const hint = pickTemplate(type, pick, used);
    used.add(hint.text);
    return hint;
  });
}
