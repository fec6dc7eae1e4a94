/** The words' side of the frames: lemma checks, who speaks, what cancels, hyperbole, jumps. */
import type { Concept } from "../lexicon.ts";
import type { Reading, Word } from "../reading.ts";

export type W = Word;

/** Lemmas whose only everyday meaning is killing oneself: no hyperbole reads them («повешусь» aside, see HYPERBOLE). */
export const SUICIDE_VERBS = new Set([
  "покончить",
  "повеситься",
  "вешаться",
  "повешаться",
  "застрелиться",
  "утопиться",
  "удавиться",
  "выпилиться",
  "выпиливаться",
  "самовыпилиться",
  "убиться",
  "самоубиться",
  "вскрыться",
  "вскрываться",
  "отравиться",
  "травануться",
  "самоликвидироваться",
  "самоуничтожиться",
  "зарезаться",
]);
export const SUICIDE_STEMS = ["суицид", "роскомнадзор", "ркн"];
export const isSuicideVerb = (w: W) =>
  w.lemmas.some(
    (l) => SUICIDE_VERBS.has(l) || SUICIDE_STEMS.some((s) => l.startsWith(s) && l.endsWith("ся")),
  );
export const has = (w: W, c: Concept) => w.c.has(c);
export const lemmaIs = (w: W, ...lemmas: string[]) => w.lemmas.some((l) => lemmas.includes(l));

/** Pronouns that name who is speaking about whom. */
export const SELF_PRONOUNS = ["я", "мы"];
export const OTHER_PRONOUNS = ["ты", "вы", "он", "она", "они"];

/**
 * Whether a verb form speaks for the writer: first person, or impersonal («хочется», «надо», «бы»),
 * or a past-tense form whose nearest subject before it (a pronoun, or an animate noun in the
 * nominative such as «сосед», «подруга») is the writer.
 */
export function speaksForSelf(w: W, sentence: readonly W[]): boolean {
  if (w.a.person === 1) return true;
  if (w.a.person === 2 || w.a.person === 3) return false;
  for (let i = sentence.indexOf(w) - 1; i >= 0; i--) {
    const x = sentence[i]!;
    const sameClause = x.clause === w.clause;
    if (lemmaIs(x, ...SELF_PRONOUNS) && (sameClause || x.a.gramCase === "nomn")) return true;
    // «он бьёт», «ему незачем жить» name someone else; «после его ухода» does not.
    const subjectLike = x.a.gramCase === "nomn" || (sameClause && x.a.gramCase === "datv");
    if (lemmaIs(x, ...OTHER_PRONOUNS) && subjectLike) return false;
    if (x.a.pos === "NOUN" && x.a.animate && x.a.gramCase === "nomn" && sameClause) return false;
    // «папа говорит, что…», «подруга пишет…»: what follows is someone else's.
    if (has(x, "report_speech") && x.a.person === 3) return false;
  }
  return true;
}

/** A preposition or adverb after «жить» that makes it about where or how, not whether («жить с ним»). */
export const LIVE_HOW = new Set([
  "с",
  "со",
  "в",
  "во",
  "на",
  "у",
  "под",
  "так",
  "как",
  "здесь",
  "там",
  "тут",
  "вместе",
  "одна",
  "один",
  "отдельно",
  "дальше",
  "по",
  "ради",
  "для",
  "за",
  "этим",
  "этой",
  "этом",
]);

export function sentencesOf(reading: Reading): W[][] {
  const out: W[][] = Array.from({ length: reading.sentences }, () => []);
  for (const word of reading.words) out[word.sentence]?.push(word);
  return out.filter((s) => s.length > 0);
}

export const near = (a: W, b: W, distance: number) => Math.abs(a.idx - b.idx) <= distance;

/** Everything that can switch a crisis override off, each a named reason. */
export function cancellerOf(sentence: readonly W[], all: readonly W[], reading: Reading): string | null {
  const inMessage = (c: Concept) => all.some((w) => has(w, c));
  // Past is judged where the crisis words are; recovery anywhere after them in the message.
  const past =
    sentence.some((w) => has(w, "past_time") && !lemmaIs(w, "год", "лет", "было")) ||
    sentence.some((w) => /^(19|20)\d\d$/.test(w.norm) || /^\d{1,2}$/.test(w.norm)) ||
    sentence.some((w) => w.a.past && (has(w, "desire") || has(w, "die") || lemmaIs(w, "быть")));
  const from = sentence[0]?.idx ?? 0;
  const later = all.filter((w) => w.idx >= from);
  const recovered =
    later.some((w) => has(w, "recovery") && !w.negated && !lemmaIs(w, "помочь", "теперь", "как")) ||
    later.some(
      (w) =>
        lemmaIs(w, "теперь", "сейчас") &&
        later.some((x) => x.idx > w.idx && x.idx <= w.idx + 6 && has(x, "better") && !x.negated),
    ) ||
    later.some((w) => lemmaIs(w, "помочь", "спасти", "вытащить", "откачать") && w.a.past && !w.negated) ||
    later.some((w) => ["прошло", "прошли", "прошел", "прошла"].includes(w.norm) && !w.negated);
  if (past && recovered) return "recovered";
  if (
    sentence.some((w) => has(w, "media")) ||
    (inMessage("media") && !sentence.some((w) => w.a.person === 1))
  )
    return "media";
  if (reading.laughs) return "laughter";
  if (sentence.some((w) => w.quoted)) return "quoted";
  return null;
}

/**
 * «умираю от смеха», «сдохну от скуки», «смерть как хочется шаурмы», «от этой бюрократии хочется лечь
 * и умереть»: a death word bound to a trivial cause.
 */
export const TRIVIAL_LINK = ["от", "за", "без", "как", "на", "с", "со", "из-за"];
export function isHyperbole(dieWord: W, sentence: readonly W[]): boolean {
  const i = sentence.indexOf(dieWord);
  const next = sentence[i + 1];
  if (
    next &&
    lemmaIs(next, "от", "за", "как") &&
    !sentence
      .slice(i + 2, i + 4)
      .some((x) => has(x, "kin") || lemmaIs(x, "боль", "тоска", "горе", "одиночество"))
  )
    return true;
  for (let j = 0; j < sentence.length; j++) {
    const x = sentence[j]!;
    if (!TRIVIAL_LINK.includes(x.norm)) continue;
    if (Math.abs(j - i) > 7) continue;
    if (sentence.slice(j + 1, j + 4).some((y) => has(y, "hyperbole_object"))) return true;
  }
  return false;
}

/** A jump that is about dying: from a height, or under a train («шагнуть с крыши», «лечь под поезд»). */
export function isDeadlyJump(w: W, sentence: readonly W[]): boolean {
  if (!has(w, "jump")) return false;
  const i = sentence.indexOf(w);
  const around = sentence.slice(Math.max(0, i - 4), i + 5);
  if (around.some((x) => has(x, "high_place"))) return true;
  const after = sentence.slice(i + 1, i + 5);
  const under = after.findIndex((x) => lemmaIs(x, "под"));
  return (
    under >= 0 &&
    after
      .slice(under + 1)
      .some((x) =>
        lemmaIs(
          x,
          "поезд",
          "машина",
          "электричка",
          "грузовик",
          "фура",
          "колесо",
          "метро",
          "трамвай",
          "автобус",
        ),
      )
  );
}

/** «сейчас спрыгну»: jumping down, now, said of oneself, with nothing else named (not «сброшусь на подарок»). */
export const JUMP_DOWN = ["спрыгнуть", "сброситься", "выброситься", "сигануть", "выпрыгнуть"];
export function isJumpingDownNow(w: W, sentence: readonly W[], timeNow: boolean): boolean {
  if (!lemmaIs(w, ...JUMP_DOWN) || w.negated || w.a.person !== 1 || w.a.past) return false;
  const next = sentence[sentence.indexOf(w) + 1];
  const elsewhere =
    next !== undefined && !has(next, "high_place") && (next.a.pos === "PREP" || next.a.pos === "NOUN");
  return timeNow && !elsewhere;
}

/** A word that names dying as an act the writer could do (infinitive or verb). */
export const isDyingAct = (x: W, sentence: readonly W[]) =>
  (x.a.pos === "INFN" || x.a.pos === "VERB") &&
  (has(x, "die") || isSuicideVerb(x) || isDeadlyJump(x, sentence));

/** A dose in a prescription context is not an overdose. */
export function medicalOr(cancel: string | null, sentence: readonly W[]): string | null {
  if (sentence.some((w) => has(w, "medical") && !lemmaIs(w, "день", "утро", "вечер"))) return "medical";
  return cancel;
}
