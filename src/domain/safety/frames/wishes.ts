/** Frames of a wish to die, not to live or not to exist, said of oneself. */
import type { FrameScope } from "./types.ts";
import type { W } from "./words.ts";
import {
  has,
  isDeadlyJump,
  isDyingAct,
  isHyperbole,
  isJumpingDownNow,
  isSuicideVerb,
  LIVE_HOW,
  lemmaIs,
  near,
  speaksForSelf,
} from "./words.ts";

/** wish to die: desire × dying */
export function wishToDie(w: W, s: readonly W[], scope: FrameScope): void {
  const { cancel, timeNow, add } = scope;
  if (has(w, "desire") && !w.negated && !w.a.past && w.a.pos !== "NOUN") {
    const target = s.find(
      (x) => x !== w && near(x, w, 4) && x.a.pos === "INFN" && isDyingAct(x, s) && !x.negated,
    );
    if (target && speaksForSelf(w, s) && speaksForSelf(target, s)) {
      const trivial = isHyperbole(target, s) || isHyperbole(w, s);
      add("wish_die", "suicidal_intent", timeNow ? 3 : 2, true, trivial ? "hyperbole" : cancel);
    }
  }
  if (has(w, "desire") && !w.negated && !w.a.past) {
    const deathNoun = s.find(
      (x) =>
        near(x, w, 3) &&
        lemmaIs(x, "смерть", "суицид", "самоубийство", "небытие") &&
        !s.some((y) => y.idx === x.idx + 1 && lemmaIs(y, "как")),
    );
    const mine =
      w.a.pos !== "NOUN"
        ? speaksForSelf(w, s)
        : s.some((y) => near(y, w, 3) && lemmaIs(y, "я")) &&
          !s.some((y) => lemmaIs(y, "быть", "ли") && y.a.past) &&
          !s.some((y) => y.norm === "ли");
    if (deathNoun && mine) add("wish_death", "suicidal_intent", 2, true, cancel);
  }
  // «сделать роскомнадзор», «совершить суицид»: the act named as a noun after a wish or a plan.
  if (lemmaIs(w, "сделать", "совершить", "устроить") && !w.negated) {
    const act = s.find(
      (x) =>
        x.idx > w.idx &&
        x.idx <= w.idx + 3 &&
        (lemmaIs(x, "суицид", "самоубийство", "выпил", "самовыпил") ||
          x.lemmas.some((l) => l.startsWith("роскомнадзор") || l === "ркн")),
    );
    const wish = s.find((x) => near(x, w, 3) && has(x, "desire") && !x.negated && speaksForSelf(x, s));
    if (act && (wish || w.a.person === 1)) add("suicide_act", "suicidal_intent", 3, true, cancel);
  }
  // «суицид — единственный выход»: death as the way out (not «суицид — не выход»).
  if (lemmaIs(w, "суицид", "самоубийство", "смерть") && !w.negated) {
    const way = s.find(
      (x) => near(x, w, 3) && lemmaIs(x, "выход", "решение", "вариант", "спасение") && !x.negated,
    );
    const only = s.some((x) => near(x, w, 4) && lemmaIs(x, "единственный", "лучший", "последний"));
    if (way && !s.some((x) => x.norm === "не" && near(x, way, 1)))
      add("death_way_out", "suicidal_intent", only ? 3 : 2, only, cancel);
  }
}

/** «поставлю точку в своей жизни», «оборву жизнь» */
export function endOfLife(w: W, s: readonly W[], scope: FrameScope): void {
  const { cancel, timeNow, add } = scope;
  if (lemmaIs(w, "точка", "конец", "крест") && !w.negated) {
    const put = s.find((x) => near(x, w, 2) && lemmaIs(x, "поставить", "ставить", "положить"));
    const life = s.find((x) => x.idx > w.idx && x.idx <= w.idx + 4 && lemmaIs(x, "жизнь"));
    if (put && life && speaksForSelf(put, s))
      add("end_life", "suicidal_intent", put.a.person === 1 || timeNow ? 3 : 2, true, cancel);
  }
}

/** «повешусь», «выпилюсь»: a suicide verb said of oneself */
export function suicideVerb(w: W, s: readonly W[], scope: FrameScope): void {
  const { cancel, timeNow, add } = scope;
  if (isJumpingDownNow(w, s, timeNow)) add("jump_now", "suicidal_intent", 3, true, cancel);
  if ((isSuicideVerb(w) || isDeadlyJump(w, s)) && !w.negated && (w.a.person === 1 || w.a.pos === "INFN")) {
    const trivial = isHyperbole(w, s);
    const next = s[s.indexOf(w) + 1];
    const figurative = next !== undefined && lemmaIs(next, "перед");
    add(
      "suicide_verb",
      "suicidal_intent",
      3,
      w.a.person === 1 && !w.a.past,
      trivial ? "hyperbole" : figurative ? "figurative" : cancel,
    );
    // Opening one's veins is both: the moderators see self-harm too.
    if (lemmaIs(w, "вскрыться", "вскрываться"))
      add(
        "suicide_verb_cut",
        "self_harm",
        3,
        w.a.person === 1 && !w.a.past,
        trivial ? "hyperbole" : figurative ? "figurative" : cancel,
      );
  }
}

/** not wanting to live / exist / wake up */
export function notWantingToLive(w: W, s: readonly W[], scope: FrameScope): void {
  const { cancel, timeNow, add } = scope;
  if (lemmaIs(w, "жить", "существовать", "просыпаться", "проснуться", "дышать") && w.a.pos === "INFN") {
    const next = s.find((x) => x.idx === w.idx + 1);
    const how = next !== undefined && LIVE_HOW.has(next.norm);
    const refusal = s.find(
      (x) =>
        near(x, w, 4) &&
        x !== w &&
        ((has(x, "desire") && (x.negated || w.negated)) ||
          has(x, "tired") ||
          lemmaIs(x, "незачем", "смысл", "зачем", "мочь", "сила") ||
          (w.negated && lemmaIs(x, "хотеть", "хотеться", "мочь"))),
    );
    const meaninglessness =
      refusal !== undefined && lemmaIs(refusal, "незачем", "смысл", "зачем") && !refusal.negated;
    if (refusal && !how && (refusal.negated || w.negated || has(refusal, "tired") || meaninglessness))
      add(
        "no_will_to_live",
        "suicidal_intent",
        timeNow ? 3 : 2,
        speaksForSelf(refusal, s) && !lemmaIs(refusal, "зачем", "мочь", "сила"),
        cancel,
      );
  }
}

/** «лучше бы меня не было», «меня не станет» */
export function notExisting(w: W, s: readonly W[], scope: FrameScope): void {
  const { cancel, add } = scope;
  if (w.negated && lemmaIs(w, "быть", "стать", "родиться", "рождаться", "существовать")) {
    const born = lemmaIs(w, "родиться", "рождаться", "существовать");
    const me = s.find((x) => near(x, w, 5) && (born ? x.norm === "я" : x.norm === "меня"));
    const wish = s.find((x) => near(x, w, 5) && lemmaIs(x, "бы", "лучше", "хотеть", "хотеться", "чтобы"));
    const becomes = lemmaIs(w, "стать") && (w.a.future || w.a.person === 3);
    const following = s[s.indexOf(w) + 1];
    const where =
      following !== undefined &&
      (lemmaIs(following, "в", "на", "до", "у", "пару", "неделя", "год", "месяц", "дома") ||
        following.a.pos === "NOUN");
    if (me && (wish || becomes) && !where) add("not_exist", "suicidal_intent", 2, true, cancel);
  }
}

/** sleep and never wake */
export function sleepForever(w: W, s: readonly W[], scope: FrameScope): void {
  const { cancel, add } = scope;
  if (has(w, "sleep") && !w.negated) {
    const never = s.find(
      (x) => near(x, w, 4) && ((has(x, "wake") && x.negated) || lemmaIs(x, "навсегда", "навечно", "вечный")),
    );
    if (never) add("sleep_forever", "suicidal_intent", 2, true, cancel);
  }
}

/** disappear / leave — for good, or from life */
export function disappearing(w: W, s: readonly W[], scope: FrameScope): void {
  const { all, cancel, timeNow, add } = scope;
  if (has(w, "disappear") && !w.negated) {
    const forGood = s.find(
      (x) =>
        near(x, w, 4) &&
        x !== w &&
        (lemmaIs(x, "навсегда", "насовсем", "навечно") ||
          (lemmaIs(x, "жизнь", "мир", "свет") &&
            s.some((y) => y.idx === x.idx - 1 && lemmaIs(y, "из", "с", "этот")) &&
            !s.some((y) => y.idx === x.idx + 1 && (y.a.pos === "NOUN" || y.a.pos === "NPRO")))),
    );
    const fromChat = all.some(
      (x) => has(x, "chat") || lemmaIs(x, "соцсеть", "город", "страна", "работа", "дом"),
    );
    const now_ = w.a.person === 1 && !w.a.past;
    const place = s.find(
      (x) =>
        x.idx > w.idx &&
        x.idx <= w.idx + 5 &&
        (has(x, "chat") ||
          lemmaIs(x, "соцсеть", "сеть", "город", "страна", "работа", "офис", "дом", "квартира")),
    );
    if (place && !lemmaIs(forGood ?? w, "жизнь", "мир", "свет"))
      add("leave_place", "suicidal_intent", 1, false, null);
    if (forGood && (lemmaIs(forGood, "жизнь", "мир", "свет") || !fromChat))
      add(
        "leave_life",
        "suicidal_intent",
        now_ || timeNow ? 3 : 2,
        lemmaIs(forGood, "жизнь", "мир", "свет"),
        cancel,
      );
  }
}

/** burden: «всем будет легче без меня», «я обуза» */
export function burden(w: W, s: readonly W[], scope: FrameScope): void {
  const { cancel, add } = scope;
  if (lemmaIs(w, "без") && s.some((x) => x.idx === w.idx + 1 && lemmaIs(x, "я"))) {
    const better = s.find((x) => near(x, w, 5) && has(x, "better"));
    if (better) add("better_without_me", "suicidal_intent", 2, true, cancel);
  }
  if (lemmaIs(w, "обуза", "балласт", "нахлебник") && !w.negated)
    add("burden", "suicidal_intent", 1, false, null);
}

/** following someone who died */
export function followingTheDead(w: W, s: readonly W[], scope: FrameScope): void {
  const { all, cancel, add } = scope;
  if (has(w, "desire") && !w.negated && speaksForSelf(w, s)) {
    const toThem = s.find(
      (x) =>
        x.idx > w.idx &&
        x.idx <= w.idx + 3 &&
        lemmaIs(x, "к") &&
        s.some((y) => y.idx === x.idx + 1 && has(y, "kin")),
    );
    const bereaved = all.some(
      (x) =>
        lemmaIs(x, "умереть", "погибнуть", "похоронить", "скончаться", "похороны", "могила", "нет") &&
        x !== w,
    );
    if (toThem && bereaved) add("follow_the_dead", "suicidal_intent", 2, true, cancel);
  }
}

/** «наложить на себя руки» */
export function layHands(w: W, s: readonly W[], scope: FrameScope): void {
  const { cancel, add } = scope;
  if (lemmaIs(w, "наложить", "накладывать") && !w.negated) {
    const hands = s.some((x) => near(x, w, 3) && lemmaIs(x, "рука"));
    const self = s.some((x) => near(x, w, 3) && lemmaIs(x, "себя"));
    const wish = s.some((x) => near(x, w, 4) && has(x, "desire") && !x.negated);
    if (hands && self && (wish || w.a.person === 1 || w.a.pos === "INFN"))
      add("lay_hands", "suicidal_intent", 3, true, cancel);
  }
}

/** «больше не свидимся на этом свете» */
export function notOnThisEarth(w: W, s: readonly W[], scope: FrameScope): void {
  const { cancel, add } = scope;
  if (lemmaIs(w, "свет") && s.some((x) => x.idx === w.idx - 1 && lemmaIs(x, "этот", "тот"))) {
    const leaving = s.some(
      (x) =>
        near(x, w, 4) &&
        ((lemmaIs(x, "свидеться", "увидеться", "встретиться", "видеться") && (x.negated || x.a.future)) ||
          has(x, "disappear") ||
          lemmaIs(x, "уйти", "отправиться", "забрать")),
    );
    if (leaving) add("other_world", "suicidal_intent", 3, true, cancel);
  }
}

/** «убить время», «убить вечер»: an idiom (a veto) */
export function killTimeIdiom(w: W, s: readonly W[], scope: FrameScope): void {
  const { add } = scope;
  if (
    lemmaIs(w, "убить", "убивать") &&
    s.some(
      (x) =>
        x.idx > w.idx &&
        x.idx <= w.idx + 2 &&
        lemmaIs(x, "время", "вечер", "день", "час", "выходные", "ночь", "скука"),
    )
  )
    add("kill_time", "suicidal_intent", 1, false, null);
}
