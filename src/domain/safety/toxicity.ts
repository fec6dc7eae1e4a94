/**
 * The toxicity detector for messages between two peers, on the same machinery as the crisis detector
 * (normaliser → morphology → frames → trained model). It withholds what hurts the other person —
 * insults aimed at them, harassment, sexual demands, threats, hate — and lets through the swearing
 * people use about their own life, insults they quote or report, self-talk and venting about someone
 * who is not in the chat.
 *
 * Severity: 0 clean or mild; 1 strong obscenity (мат) not aimed at anyone, labelled `obscene` and
 * delivered; 2 insult, harassment or hate aimed at the reader; 3 threats, sexual demands, urging the
 * reader to kill themselves. `toxic` is `severity >= 2`.
 */

import { type Concept, conceptsOf } from "./lexicon.ts";
import type { LinearModel, Prediction } from "./model.ts";
import type { Reading, Word } from "./reading.ts";

export type ToxicityLabel = "insult" | "obscene" | "harassment" | "sexual_demand" | "threat" | "hate";

export interface ToxicityResult {
  toxic: boolean;
  severity: 0 | 1 | 2 | 3;
  labels: string[];
  score: number;
}

export interface ToxicFrame {
  name: string;
  label: ToxicityLabel;
  severity: 1 | 2 | 3;
  override: boolean;
}

type W = Word;

const has = (w: W, c: Concept) => w.c.has(c);
const lemmaIs = (w: W, ...lemmas: string[]) => w.lemmas.some((l) => lemmas.includes(l));
/** Words that can stand between «ты» and the insult («ты просто тупая», «ты же такая дура»). */
const ADDRESS_PARTICLES = new Set([
  "же",
  "просто",
  "такой",
  "такая",
  "такое",
  "вообще",
  "реально",
  "что",
  "ли",
  "и",
  "еще",
  "ещё",
  "полный",
  "полная",
  "конченый",
  "конченая",
  "настоящий",
  "редкостный",
  "какой",
  "какая",
]);

/** Swear words that are interjections far more often than names for the reader («сука, опять дождь»). */
const INTERJECTIONS = new Set(["сука", "блядь", "бля", "блять", "дерьмо", "говно", "пиздец"]);
const NEGATORS = new Set(["не", "ни", "нет"]);

/** Words a bare vocative may hold besides insults: «ну и дура», «эй, урод». */
const VOCATIVE_FILLER = new Set([
  "ну",
  "и",
  "эй",
  "а",
  "ах",
  "ох",
  "вот",
  "же",
  "ты",
  "вы",
  "какой",
  "какая",
  "какие",
  "такой",
  "такая",
  "полный",
  "полная",
  "старый",
  "старая",
  "тупой",
  "тупая",
]);

const ABUSIVE: readonly Concept[] = [
  "insult",
  "insult_weak",
  "obscene",
  "sexual",
  "threat_act",
  "hate",
  "shut_up",
  "kill",
];

/**
 * One word that is not a verb, and no emoji: «ага», «ок», «угу», «понятно» — the commonest replies in
 * any chat. Abuse in one such word carries an abusive word (misspelt, masked or transliterated ones
 * included), so without one it is never withheld. A single verb («раздевайся», «урою») can still be an
 * act aimed at the reader and goes to the model.
 */
export function isBareReply(reading: Reading): boolean {
  const only = reading.words.length === 1 ? reading.words[0] : undefined;
  return only !== undefined && reading.emoji.length === 0 && only.a.pos !== "VERB" && only.a.pos !== "INFN";
}

/** Whether any word of the message belongs to an abusive class (or was masked: «т*пая»). */
export function hasAbusiveWord(reading: Reading): boolean {
  return reading.words.some((w) => w.masked || ABUSIVE.some((c) => w.c.has(c)));
}

/**
 * Abuse as combinations over lemmas (you × insult, threats, sexual demands, hate). Long because it is one
 * scan over the words with one case per frame, like the crisis frames before they became a table.
 */
export function detectToxicFrames(reading: Reading): ToxicFrame[] {
  const words: W[] = reading.words;
  const out: ToxicFrame[] = [];
  const clauses = new Map<number, W[]>();
  for (const w of words) {
    const list = clauses.get(w.clause) ?? [];
    list.push(w);
    clauses.set(w.clause, list);
  }
  const liveAll = words.filter((w) => !w.quoted);
  // A bare vocative («отвали, урод», «тупая тварь») is a whole short message said to the reader.
  const shortMessage =
    liveAll.length <= 4 &&
    !liveAll.some(
      (w) => lemmaIs(w, "я", "мой") || w.a.person === 1 || (w.a.person === 3 && w.a.pos === "VERB"),
    );
  const reportedSentences = new Set(
    words.filter((w) => has(w, "report_speech") && !w.a.imperative).map((w) => w.sentence),
  );

  // Where a negation was last seen before each word of its sentence («я не думаю, что ты дура»).
  const negationBefore = new Set<number>();
  let lastSentence = -1;
  let negationSeen = false;
  for (const w of words) {
    if (w.sentence !== lastSentence) {
      lastSentence = w.sentence;
      negationSeen = false;
    }
    if (negationSeen) negationBefore.add(w.idx);
    if (NEGATORS.has(w.norm)) negationSeen = true;
  }

  for (const clause of clauses.values()) {
    const live = clause.filter((w) => !w.quoted && !reportedSentences.has(w.sentence));
    if (live.length === 0) continue;
    const position = new Map(live.map((w, i) => [w.idx, i]));
    const second = live.some((w) => (has(w, "second") || w.a.person === 2) && !w.negated);
    const first = live.some((w) => lemmaIs(w, "я", "мой") || w.a.person === 1);
    const vocative = live.every((w) => has(w, "insult") || has(w, "obscene") || VOCATIVE_FILLER.has(w.norm));
    for (const w of live) {
      if (
        has(w, "insult") &&
        !w.negated &&
        (w.a.pos === "NOUN" || w.a.pos === "ADJF" || w.a.pos === "ADJS" || !w.a.known)
      ) {
        const i = position.get(w.idx) ?? 0;
        const before = live.slice(Math.max(0, i - 3), i);
        const youBefore =
          before.some((x) => lemmaIs(x, "ты", "вы")) &&
          before.every(
            (x) =>
              lemmaIs(x, "ты", "вы") ||
              ADDRESS_PARTICLES.has(x.norm) ||
              has(x, "obscene") ||
              has(x, "insult"),
          );
        const negatedBefore = words.some(
          (x) => x.sentence === w.sentence && x.idx < w.idx && NEGATORS.has(x.norm),
        );
        if ((youBefore || (second && !first)) && !first && !negatedBefore)
          out.push({ name: "insult_you", label: "insult", severity: 2, override: youBefore });
        else if (vocative && live.length <= 4)
          out.push({
            name: "insult_vocative",
            label: "insult",
            severity: 2,
            override: shortMessage && !w.lemmas.some((l) => INTERJECTIONS.has(l)),
          });
        else out.push({ name: "insult_word", label: "insult", severity: 2, override: false });
      }
      const prev = words[w.idx - 1];
      // «вскройся» tells the reader to cut their veins: said to someone, it is the same as «сдохни».
      const urgeToCut = lemmaIs(w, "вскрыться") && w.a.imperative;
      if (
        (has(w, "shut_up") || urgeToCut) &&
        w.a.imperative &&
        !w.negated &&
        !(prev && lemmaIs(prev, "хоть", "хоть"))
      ) {
        const deadly = urgeToCut || lemmaIs(w, "сдохнуть", "вешаться", "повеситься", "убиться", "выпилиться");
        out.push({
          name: deadly ? "urge_die" : "shut_up",
          label: "harassment",
          severity: deadly ? 3 : 2,
          override: deadly || lemmaIs(w, "заткнуться", "отъебаться"),
        });
      }
      // «иди нахуй», «пошёл к чёрту»: sending the reader away rudely.
      if (lemmaIs(w, "идти", "пойти", "пошел", "катиться") && w.a.imperative && !w.negated) {
        const where = words.slice(w.idx + 1, w.idx + 3);
        if (
          where.some((x) => has(x, "obscene") || lemmaIs(x, "черт", "жопа", "лес", "нахуй", "нахер", "нафиг"))
        )
          out.push({
            name: "send_away",
            label: "harassment",
            severity: 2,
            override: where.some((x) => has(x, "obscene")),
          });
      }
      if (has(w, "threat_act") && (w.a.person === 1 || w.a.future) && second)
        out.push({ name: "threat_you", label: "threat", severity: 3, override: false });
      if (has(w, "sexual") && (second || w.a.imperative))
        out.push({ name: "sexual_you", label: "sexual_demand", severity: 3, override: false });
      if (has(w, "hate")) out.push({ name: "hate_word", label: "hate", severity: 2, override: false });
      if (has(w, "obscene")) out.push({ name: "obscene", label: "obscene", severity: 1, override: false });
    }
  }
  return out;
}

const ORDER: ToxicityLabel[] = ["threat", "hate", "sexual_demand", "harassment", "insult", "obscene"];
const BASE: Record<string, 2 | 3> = { insult: 2, harassment: 2, hate: 2, threat: 3, sexual_demand: 3 };

/** Up to this many words, a message with no abusive word needs the model's stricter short threshold. */
export const SHORT_MESSAGE_WORDS = 5;

/**
 * `evidence`: the message holds at least one word of an abusive class (insult, obscenity, sexual,
 * threat, hate, «заткнись»…). Withholding silences someone, and short second-person messages
 * («давай на ты?», «я тебя слышу») look like the abuse the model learnt from: a short message without
 * any such word or frame must pass the model's stricter `shortThreshold` (chosen on dev). Longer ones
 * are judged by the ordinary threshold (creative insults have no abusive word).
 */
export function decideToxicity(
  frames: readonly ToxicFrame[],
  prediction: Prediction,
  model: LinearModel,
  evidence: boolean,
  words: number,
  bareReply = false,
): ToxicityResult {
  const labels = new Map<ToxicityLabel, number>();
  const raise = (l: ToxicityLabel, s: number) => labels.set(l, Math.max(labels.get(l) ?? 0, s));
  for (const f of frames) if (f.override) raise(f.label, f.severity);
  const plain = !evidence && frames.length === 0 && words <= SHORT_MESSAGE_WORDS;
  const threshold = plain ? Math.max(model.threshold, model.shortThreshold ?? 1.01) : model.threshold;
  // A bare reply («ага», «ок», «понятно») with no abusive word is never withheld (`isBareReply`).
  if (!(plain && bareReply) && prediction.positive >= threshold) {
    const label = prediction.top as ToxicityLabel;
    let level: number = BASE[label] ?? 2;
    for (const f of frames) if (f.label === label) level = Math.max(level, f.severity);
    raise(label, level);
  }
  if (frames.some((f) => f.name === "obscene")) raise("obscene", 1);
  const severity = Math.min(3, Math.max(0, ...labels.values())) as 0 | 1 | 2 | 3;
  return {
    toxic: severity >= 2,
    severity,
    labels: ORDER.filter((l) => labels.has(l)),
    score: prediction.positive,
  };
}
