/**
 * A small lexicon of feelings in Russian, so template hints can name what the person seems to feel
 * («похоже, тебе очень тревожно»). It only steers which validating phrase is offered; it diagnoses
 * nothing and is never shown as a label.
 */
import type { Emotion } from "./types.ts";

const stem = (alternatives: string) => new RegExp(String.raw`(?<![\p{L}])(?:${alternatives})`, "gu");

/** Stems after lower-casing and ё → е. */
const LEXICON: ReadonlyArray<[Emotion, RegExp]> = [
  [
    "sadness",
    stem(
      "груст|грущу|печал|тоск|плач|плак|слез|горе(?![\\p{L}])|горюю|скорб|опустош|пустот|больно|тяжело на душе|разбит\\p{L}* сердц",
    ),
  ],
  [
    "anxiety",
    stem(
      "тревог|тревож|страшн|страх|боюсь|бояться|паник|волнуюсь|волнует|переживаю|нервнича|беспоко|не могу успокоит|не нахожу себе места|накрывает",
    ),
  ],
  [
    "anger",
    stem(
      "злюсь|злость|злит|зла на|зол на|бесит|бешен|ярост|раздража|обидн|обида|обижен|ненавиж|достал[аио]?(?![\\p{L}])",
    ),
  ],
  [
    "guilt",
    stem(
      "винова|моя вина|по моей вине|виню себя|вина(?![\\p{L}])|стыдно|стыд(?![\\p{L}])|корю себя|не могу себе простить|не прощу себе|надо было|если бы я",
    ),
  ],
  [
    "loneliness",
    stem(
      "одинок|одиночеств|совсем один|совсем одна|никому не нуж|не с кем поговорить|не с кем|некому|никого нет|никого рядом|никто не понимает|чужой|чужая|чужие",
    ),
  ],
  [
    "fatigue",
    stem(
      "устал|усталост|нет сил|сил нет|сил не осталось|выгор|вымота|измотан|истощ|не высыпаюсь|выжат|еле живой|еле живая",
    ),
  ],
];

const fold = (s: string) => s.toLowerCase().replace(/ё/g, "е");

/** Hits per emotion in one text. */
export function emotionScores(text: string): Record<Emotion, number> {
  const folded = fold(text);
  const scores = { sadness: 0, anxiety: 0, anger: 0, guilt: 0, loneliness: 0, fatigue: 0 } as Record<
    Emotion,
    number
  >;
  for (const [emotion, re] of LEXICON) {
    re.lastIndex = 0;
    scores[emotion] = [...folded.matchAll(re)].length;
  }
  return scores;
}

/**
 * The dominant feeling across messages, oldest first: later messages weigh more (what the person
 * feels now matters more than ten messages ago). Null when the lexicon finds nothing.
 */
export function detectEmotion(messages: readonly string[]): Emotion | null {
  const total = { sadness: 0, anxiety: 0, anger: 0, guilt: 0, loneliness: 0, fatigue: 0 } as Record<
    Emotion,
    number
  >;
  messages.forEach((text, i) => {
    const weight = 1 + i / Math.max(1, messages.length);
    const s = emotionScores(text);
    for (const e of Object.keys(s) as Emotion[]) total[e] += s[e] * weight;
  });
  let best: Emotion | null = null;
  let bestScore = 0;
  for (const e of Object.keys(total) as Emotion[]) {
    if (total[e] > bestScore) {
      best = e;
      bestScore = total[e];
    }
  }
  return best;
}
