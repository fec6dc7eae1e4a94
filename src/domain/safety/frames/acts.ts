/** Frames of acts and danger now: an overdose, self-harm, violence, a height, means at hand. */
import type { FrameScope } from "./types.ts";
import type { W } from "./words.ts";
import { has, lemmaIs, medicalOr, near, speaksForSelf } from "./words.ts";

/** overdose: swallowed a quantity */
export function overdose(w: W, s: readonly W[], scope: FrameScope): void {
  const { all, cancel, add } = scope;
  if (
    lemmaIs(w, "наглотаться", "передознуться", "нажраться", "закинуться") &&
    !w.negated &&
    speaksForSelf(w, s)
  )
    add("overdose_verb", "overdose", 3, lemmaIs(w, "наглотаться", "передознуться"), cancel);
  if (
    w.a.pos === "NOUN" &&
    w.lemmas.some((l) => l.startsWith("передоз")) &&
    s.some((x) => near(x, w, 3) && lemmaIs(x, "я"))
  )
    add("overdose_noun", "overdose", 3, false, null);
  if (has(w, "swallow") && !w.negated && (w.a.past || w.a.person === 1) && speaksForSelf(w, s)) {
    const pills = all.find((x) => has(x, "means") && near(x, w, 6) && !has(x, "high_place"));
    const amount = s.find((x) => has(x, "quantity") && near(x, w, 5));
    const container = s.find(
      (x) =>
        x.idx > w.idx &&
        x.idx <= w.idx + 3 &&
        lemmaIs(x, "блистер", "пачка", "упаковка", "пузырек", "банка", "полпачки"),
    );
    const withAlcohol =
      lemmaIs(w, "запить") &&
      s.some((x) => near(x, w, 4) && lemmaIs(x, "пиво", "вино", "водка", "алкоголь", "коньяк", "виски"));
    if ((pills && amount) || (container && (w.a.past || w.a.person === 1)) || (pills && withAlcohol))
      add("overdose_amount", "overdose", 3, true, medicalOr(cancel, s));
    else if (pills) add("swallowed_means", "overdose", 2, false, null);
  }
}

/** self-harm: cutting, burning, hitting oneself */
export function selfHarm(w: W, s: readonly W[], scope: FrameScope): void {
  const { cancel, add } = scope;
  if ((has(w, "cut") || has(w, "burn")) && !w.negated) {
    const self = s.find(
      (x) =>
        (near(x, w, 3) && lemmaIs(x, "себя", "себе")) ||
        (x.idx > w.idx && x.idx <= w.idx + 3 && (has(x, "harm_body") || lemmaIs(x, "вена"))),
    );
    const urge = s.find((x) => near(x, w, 4) && has(x, "desire") && !x.negated);
    const again = s.find((x) => near(x, w, 3) && lemmaIs(x, "опять", "снова", "again"));
    const firstPerson = w.a.person === 1 || speaksForSelf(w, s);
    const veins = s.some((x) => near(x, w, 3) && lemmaIs(x, "вена", "вены"));
    if (self && firstPerson && (w.a.pos === "VERB" || w.a.pos === "INFN"))
      add("self_harm_act", "self_harm", veins ? 3 : 2, Boolean(urge || again || w.a.person === 1), cancel);
    else if (again && firstPerson && w.a.pos === "VERB") add("self_harm_again", "self_harm", 2, false, null);
    else if (
      lemmaIs(w, "резаться", "вскрывать", "вскрываться", "полосовать") &&
      w.a.person === 1 &&
      !w.a.past &&
      !(s[s.indexOf(w) + 1] && lemmaIs(s[s.indexOf(w) + 1]!, "в", "во", "с", "со", "об"))
    )
      // «я режусь»: said of oneself, now, with nothing it is «in» («я режусь в доту» is a game).
      add("self_harm_now", "self_harm", 2, true, cancel);
    else add("self_harm_word", "self_harm", 2, false, null);
  }
}

/** violence now: someone hurting me */
export function violenceNow(w: W, s: readonly W[], scope: FrameScope): void {
  const { all, cancel, timeNow, add, messageHas } = scope;
  if (has(w, "attack") && !w.negated && w.a.person !== 1 && !w.a.imperative && w.a.pos === "VERB") {
    const me = s.find((x) => near(x, w, 3) && ["меня", "мне", "мной"].includes(x.norm));
    if (me && (!w.a.past || timeNow))
      add("attacked", "violence_now", 3, (timeNow || messageHas("hide")) && w.a.person === 3, cancel);
  }
  if (has(w, "weapon") && all.some((x) => lemmaIs(x, "угрожать", "размахивать", "бегать", "кидаться")))
    add("weapon_threat", "violence_now", 3, timeNow, cancel);
}

/** standing at a height */
export function atHeight(w: W, s: readonly W[], scope: FrameScope): void {
  const { add } = scope;
  if (
    has(w, "high_place") &&
    s.some((x) => has(x, "stand") && near(x, w, 3) && (x.a.person === 1 || speaksForSelf(x, s)) && !x.a.past)
  )
    add("at_height", "suicidal_intent", 3, false, null);
}

/** means at hand */
export function meansAtHand(w: W, s: readonly W[], scope: FrameScope): void {
  const { all, cancel, add } = scope;
  if (has(w, "means") && s.some((x) => has(x, "have") && near(x, w, 4)))
    add("means_at_hand", "suicidal_intent", 3, false, null);
  // «у меня в руке лезвие»: a message that is only a blade in hand, nothing being done with it.
  if (lemmaIs(w, "лезвие", "бритва") && all.length <= 6) {
    const inHand = all.some((x) => lemmaIs(x, "рука", "держать", "взять"));
    const otherVerb = all.some(
      (x) => (x.a.pos === "VERB" || x.a.pos === "INFN") && !lemmaIs(x, "держать", "взять", "быть", "лежать"),
    );
    if (inHand && !otherVerb) add("blade_in_hand", "self_harm", 3, true, cancel);
  }
}
