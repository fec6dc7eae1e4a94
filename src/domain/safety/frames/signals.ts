/** Frames of what comes with a decision: a plan, an apology, a farewell, no tomorrow, an earlier attempt, hopelessness. */
import type { FrameScope } from "./types.ts";
import type { W } from "./words.ts";
import { has, isSuicideVerb, lemmaIs, near, speaksForSelf } from "./words.ts";

/** «я уже решил, как и когда» */
export function plan(w: W, s: readonly W[], scope: FrameScope): void {
  const { cancel, add } = scope;
  if (lemmaIs(w, "решить", "спланировать", "продумать", "выбрать") && !w.negated && speaksForSelf(w, s)) {
    const how = s.some((x) => x.idx > w.idx && x.idx <= w.idx + 6 && lemmaIs(x, "как", "способ"));
    const when = s.some((x) => x.idx > w.idx && x.idx <= w.idx + 8 && lemmaIs(x, "когда", "день", "дата"));
    // Only about «это» or an ending — «как и когда подам на развод» names its own plan.
    const about = s.some(
      (x) =>
        x.idx > w.idx &&
        x.idx <= w.idx + 8 &&
        (x.norm === "это" || has(x, "die") || has(x, "disappear") || has(x, "death") || has(x, "forever")),
    );
    const other = s.some(
      (x) =>
        x.idx > w.idx &&
        x.idx <= w.idx + 8 &&
        (x.a.pos === "VERB" || x.a.pos === "INFN") &&
        !lemmaIs(x, "быть") &&
        !has(x, "disappear") &&
        !has(x, "die"),
    );
    if (how && when && about && !other) add("plan_how_when", "suicidal_intent", 3, true, cancel);
  }
}

/** «простите меня … это конец» */
export function apology(w: W, s: readonly W[], scope: FrameScope): void {
  const { all, cancel, add } = scope;
  if (lemmaIs(w, "простить", "прощать") && (w.a.imperative || w.a.person === 2)) {
    const me = s.some((x) => x.idx === w.idx + 1 && x.norm === "меня");
    // «больше не напишу / не увидимся», not «больше не буду опаздывать».
    const neverAgain = (x: W) =>
      lemmaIs(
        x,
        "написать",
        "увидеться",
        "свидеться",
        "встретиться",
        "услышать",
        "побеспокоить",
        "потревожить",
      ) &&
      x.negated &&
      all.some((y) => y.idx < x.idx && y.idx >= x.idx - 3 && lemmaIs(y, "больше"));
    const final = all.some((x) => lemmaIs(x, "конец", "последний", "прощай", "прощайте") || neverAgain(x));
    if (me && final) add("farewell_final", "suicidal_intent", 3, true, cancel);
  }
}

/** «чтоб завтра не наступило» */
export function noTomorrow(w: W, s: readonly W[], scope: FrameScope): void {
  const { cancel, add } = scope;
  if (
    lemmaIs(w, "наступить", "наступать") &&
    w.negated &&
    s.some((x) => near(x, w, 3) && lemmaIs(x, "завтра", "утро"))
  ) {
    const wish = s.some(
      (x) => near(x, w, 5) && (lemmaIs(x, "чтобы", "бы", "просьба", "молиться") || has(x, "desire")),
    );
    if (wish) add("no_tomorrow", "suicidal_intent", 2, true, cancel);
  }
}

/** «завтра утром меня найдут» */
export function foundTomorrow(w: W, s: readonly W[], scope: FrameScope): void {
  const { cancel, timeNow, add } = scope;
  if (lemmaIs(w, "найти", "обнаружить") && w.a.future && w.a.number === "plur" && !w.negated) {
    const me = s.find((x) => near(x, w, 2) && x.norm === "меня");
    const next = s[s.indexOf(w) + 1];
    const how = next !== undefined && (lemmaIs(next, "по", "через", "в", "на", "у") || next.a.pos === "NOUN");
    if (me && timeNow && !how) add("will_be_found", "suicidal_intent", 3, true, cancel);
  }
}

/** farewell */
export function farewell(w: W, s: readonly W[], scope: FrameScope): void {
  const { add } = scope;
  if (has(w, "farewell") && (w.a.imperative || lemmaIs(w, "прощай", "прощайте", "прощение")))
    add("farewell", "suicidal_intent", 2, false, null);
  if (
    lemmaIs(w, "последний") &&
    s.some((x) => near(x, w, 2) && lemmaIs(x, "сообщение", "письмо", "раз", "слово"))
  )
    add("last_message", "suicidal_intent", 2, false, null);
}

/** a past attempt: severity 1 unless told with recovery, 3 if again */
export function pastAttempt(w: W, s: readonly W[], scope: FrameScope): void {
  const { all, cancel, add } = scope;
  if (lemmaIs(w, "пытаться", "попытаться", "попытка") && (w.a.past || w.a.pos === "NOUN")) {
    const act = s.find(
      (x) => near(x, w, 3) && (has(x, "die") || isSuicideVerb(x) || lemmaIs(x, "суицид", "самоубийство")),
    );
    const again = all.some((x) => lemmaIs(x, "снова", "опять", "еще", "ещё", "повторить"));
    if (act) add("past_attempt", "suicidal_intent", again ? 3 : 1, true, again ? null : cancel);
  }
}

/** hopelessness */
export function hopelessness(w: W, s: readonly W[], scope: FrameScope): void {
  const { add, cancel } = scope;
  // «не вижу выхода, кроме смерти», «выход один — умереть»: death as the only way left. On its own the
  // model reads «смерти» as grief («после смерти мамы») and lets the first one through.
  if ((has(w, "die") || has(w, "death")) && !w.negated && w.a.pos !== "ADJF") {
    const only = s.find(
      (x) =>
        x.idx < w.idx && x.idx >= w.idx - 3 && lemmaIs(x, "кроме", "только", "лишь", "один", "единственный"),
    );
    const noWay = s.some((x) => x !== w && (has(x, "exit") || (lemmaIs(x, "остаться") && !x.negated)));
    if (only && noWay) add("only_death", "suicidal_intent", 2, true, cancel);
  }
  if (has(w, "hopeless") && !w.negated) add("hopeless_word", "hopelessness", 1, false, null);
  if (lemmaIs(w, "смысл", "выход") && (w.negated || s.some((x) => near(x, w, 2) && has(x, "never"))))
    add("no_meaning", "hopelessness", 1, false, null);
}
