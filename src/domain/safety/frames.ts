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

import type { Concept } from "./lexicon.ts";
import type { Reading, Word } from "./reading.ts";

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

type W = Word;

/** Lemmas whose only everyday meaning is killing oneself: no hyperbole reads them («повешусь» aside, see HYPERBOLE). */
const SUICIDE_VERBS = new Set([
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
const SUICIDE_STEMS = ["суицид", "роскомнадзор", "ркн"];
const isSuicideVerb = (w: W) =>
  w.lemmas.some(
    (l) => SUICIDE_VERBS.has(l) || SUICIDE_STEMS.some((s) => l.startsWith(s) && l.endsWith("ся")),
  );
const has = (w: W, c: Concept) => w.c.has(c);
const lemmaIs = (w: W, ...lemmas: string[]) => w.lemmas.some((l) => lemmas.includes(l));

/** Pronouns that name who is speaking about whom. */
const SELF_PRONOUNS = ["я", "мы"];
const OTHER_PRONOUNS = ["ты", "вы", "он", "она", "они"];

/**
 * Whether a verb form speaks for the writer: first person, or impersonal («хочется», «надо», «бы»),
 * or a past-tense form whose nearest subject before it (a pronoun, or an animate noun in the
 * nominative such as «сосед», «подруга») is the writer.
 */
function speaksForSelf(w: W, sentence: readonly W[]): boolean {
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
const LIVE_HOW = new Set([
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

function sentencesOf(reading: Reading): W[][] {
  const out: W[][] = Array.from({ length: reading.sentences }, () => []);
  for (const word of reading.words) out[word.sentence]?.push(word);
  return out.filter((s) => s.length > 0);
}

const near = (a: W, b: W, distance: number) => Math.abs(a.idx - b.idx) <= distance;

export interface FrameContext {
  /** Concept → present anywhere in the message. */
  concepts: ReadonlySet<Concept>;
  laughs: boolean;
}

/** Everything that can switch a crisis override off, each a named reason. */
function cancellerOf(sentence: readonly W[], all: readonly W[], reading: Reading): string | null {
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
const TRIVIAL_LINK = ["от", "за", "без", "как", "на", "с", "со", "из-за"];
function isHyperbole(dieWord: W, sentence: readonly W[]): boolean {
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
function isDeadlyJump(w: W, sentence: readonly W[]): boolean {
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
const JUMP_DOWN = ["спрыгнуть", "сброситься", "выброситься", "сигануть", "выпрыгнуть"];
function isJumpingDownNow(w: W, sentence: readonly W[], timeNow: boolean): boolean {
  if (!lemmaIs(w, ...JUMP_DOWN) || w.negated || w.a.person !== 1 || w.a.past) return false;
  const next = sentence[sentence.indexOf(w) + 1];
  const elsewhere =
    next !== undefined && !has(next, "high_place") && (next.a.pos === "PREP" || next.a.pos === "NOUN");
  return timeNow && !elsewhere;
}

/** A word that names dying as an act the writer could do (infinitive or verb). */
const isDyingAct = (x: W, sentence: readonly W[]) =>
  (x.a.pos === "INFN" || x.a.pos === "VERB") &&
  (has(x, "die") || isSuicideVerb(x) || isDeadlyJump(x, sentence));

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
    for (const w of s) {
      // ------------------------------------------------------------ wish to die: desire × dying
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
      // ------------------------------------------------------------ «поставлю точку в своей жизни», «оборву жизнь»
      if (lemmaIs(w, "точка", "конец", "крест") && !w.negated) {
        const put = s.find((x) => near(x, w, 2) && lemmaIs(x, "поставить", "ставить", "положить"));
        const life = s.find((x) => x.idx > w.idx && x.idx <= w.idx + 4 && lemmaIs(x, "жизнь"));
        if (put && life && speaksForSelf(put, s))
          add("end_life", "suicidal_intent", put.a.person === 1 || timeNow ? 3 : 2, true, cancel);
      }
      // ------------------------------------------------------------ «повешусь», «выпилюсь»: a suicide verb said of oneself
      if (isJumpingDownNow(w, s, timeNow)) add("jump_now", "suicidal_intent", 3, true, cancel);
      if (
        (isSuicideVerb(w) || isDeadlyJump(w, s)) &&
        !w.negated &&
        (w.a.person === 1 || w.a.pos === "INFN")
      ) {
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
      // ------------------------------------------------------------ not wanting to live / exist / wake up
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
      // ------------------------------------------------------------ «лучше бы меня не было», «меня не станет»
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
      // ------------------------------------------------------------ sleep and never wake
      if (has(w, "sleep") && !w.negated) {
        const never = s.find(
          (x) =>
            near(x, w, 4) && ((has(x, "wake") && x.negated) || lemmaIs(x, "навсегда", "навечно", "вечный")),
        );
        if (never) add("sleep_forever", "suicidal_intent", 2, true, cancel);
      }
      // ------------------------------------------------------------ disappear / leave — for good, or from life
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
      // ------------------------------------------------------------ burden: «всем будет легче без меня», «я обуза»
      if (lemmaIs(w, "без") && s.some((x) => x.idx === w.idx + 1 && lemmaIs(x, "я"))) {
        const better = s.find((x) => near(x, w, 5) && has(x, "better"));
        if (better) add("better_without_me", "suicidal_intent", 2, true, cancel);
      }
      if (lemmaIs(w, "обуза", "балласт", "нахлебник") && !w.negated)
        add("burden", "suicidal_intent", 1, false, null);
      // ------------------------------------------------------------ following someone who died
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
      // ------------------------------------------------------------ overdose: swallowed a quantity
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
      // ------------------------------------------------------------ self-harm: cutting, burning, hitting oneself
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
          add(
            "self_harm_act",
            "self_harm",
            veins ? 3 : 2,
            Boolean(urge || again || w.a.person === 1),
            cancel,
          );
        else if (again && firstPerson && w.a.pos === "VERB")
          add("self_harm_again", "self_harm", 2, false, null);
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
      // ------------------------------------------------------------ violence now: someone hurting me
      if (has(w, "attack") && !w.negated && w.a.person !== 1 && !w.a.imperative && w.a.pos === "VERB") {
        const me = s.find((x) => near(x, w, 3) && ["меня", "мне", "мной"].includes(x.norm));
        if (me && (!w.a.past || timeNow))
          add("attacked", "violence_now", 3, (timeNow || messageHas("hide")) && w.a.person === 3, cancel);
      }
      if (has(w, "weapon") && all.some((x) => lemmaIs(x, "угрожать", "размахивать", "бегать", "кидаться")))
        add("weapon_threat", "violence_now", 3, timeNow, cancel);
      // ------------------------------------------------------------ standing at a height
      if (
        has(w, "high_place") &&
        s.some(
          (x) => has(x, "stand") && near(x, w, 3) && (x.a.person === 1 || speaksForSelf(x, s)) && !x.a.past,
        )
      )
        add("at_height", "suicidal_intent", 3, false, null);
      // ------------------------------------------------------------ means at hand
      if (has(w, "means") && s.some((x) => has(x, "have") && near(x, w, 4)))
        add("means_at_hand", "suicidal_intent", 3, false, null);
      // «у меня в руке лезвие»: a message that is only a blade in hand, nothing being done with it.
      if (lemmaIs(w, "лезвие", "бритва") && all.length <= 6) {
        const inHand = all.some((x) => lemmaIs(x, "рука", "держать", "взять"));
        const otherVerb = all.some(
          (x) =>
            (x.a.pos === "VERB" || x.a.pos === "INFN") && !lemmaIs(x, "держать", "взять", "быть", "лежать"),
        );
        if (inHand && !otherVerb) add("blade_in_hand", "self_harm", 3, true, cancel);
      }
      // ------------------------------------------------------------ «убить время», «убить вечер»: an idiom (a veto)
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
      // ------------------------------------------------------------ «наложить на себя руки»
      if (lemmaIs(w, "наложить", "накладывать") && !w.negated) {
        const hands = s.some((x) => near(x, w, 3) && lemmaIs(x, "рука"));
        const self = s.some((x) => near(x, w, 3) && lemmaIs(x, "себя"));
        const wish = s.some((x) => near(x, w, 4) && has(x, "desire") && !x.negated);
        if (hands && self && (wish || w.a.person === 1 || w.a.pos === "INFN"))
          add("lay_hands", "suicidal_intent", 3, true, cancel);
      }
      // ------------------------------------------------------------ «больше не свидимся на этом свете»
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
      // ------------------------------------------------------------ «я уже решил, как и когда»
      if (lemmaIs(w, "решить", "спланировать", "продумать", "выбрать") && !w.negated && speaksForSelf(w, s)) {
        const how = s.some((x) => x.idx > w.idx && x.idx <= w.idx + 6 && lemmaIs(x, "как", "способ"));
        const when = s.some(
          (x) => x.idx > w.idx && x.idx <= w.idx + 8 && lemmaIs(x, "когда", "день", "дата"),
        );
        // Only about «это» or an ending — «как и когда подам на развод» names its own plan.
        const about = s.some(
          (x) =>
            x.idx > w.idx &&
            x.idx <= w.idx + 8 &&
            (x.norm === "это" ||
              has(x, "die") ||
              has(x, "disappear") ||
              has(x, "death") ||
              has(x, "forever")),
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
      // ------------------------------------------------------------ «простите меня … это конец»
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
        const final = all.some(
          (x) => lemmaIs(x, "конец", "последний", "прощай", "прощайте") || neverAgain(x),
        );
        if (me && final) add("farewell_final", "suicidal_intent", 3, true, cancel);
      }
      // ------------------------------------------------------------ «чтоб завтра не наступило»
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
      // ------------------------------------------------------------ «завтра утром меня найдут»
      if (lemmaIs(w, "найти", "обнаружить") && w.a.future && w.a.number === "plur" && !w.negated) {
        const me = s.find((x) => near(x, w, 2) && x.norm === "меня");
        const next = s[s.indexOf(w) + 1];
        const how =
          next !== undefined && (lemmaIs(next, "по", "через", "в", "на", "у") || next.a.pos === "NOUN");
        if (me && timeNow && !how) add("will_be_found", "suicidal_intent", 3, true, cancel);
      }
      // ------------------------------------------------------------ farewell
      if (has(w, "farewell") && (w.a.imperative || lemmaIs(w, "прощай", "прощайте", "прощение")))
        add("farewell", "suicidal_intent", 2, false, null);
      if (
        lemmaIs(w, "последний") &&
        s.some((x) => near(x, w, 2) && lemmaIs(x, "сообщение", "письмо", "раз", "слово"))
      )
        add("last_message", "suicidal_intent", 2, false, null);
      // ------------------------------------------------------------ a past attempt: severity 1 unless told with recovery, 3 if again
      if (lemmaIs(w, "пытаться", "попытаться", "попытка") && (w.a.past || w.a.pos === "NOUN")) {
        const act = s.find(
          (x) => near(x, w, 3) && (has(x, "die") || isSuicideVerb(x) || lemmaIs(x, "суицид", "самоубийство")),
        );
        const again = all.some((x) => lemmaIs(x, "снова", "опять", "еще", "ещё", "повторить"));
        if (act) add("past_attempt", "suicidal_intent", again ? 3 : 1, true, again ? null : cancel);
      }
      // ------------------------------------------------------------ hopelessness
      if (has(w, "hopeless") && !w.negated) add("hopeless_word", "hopelessness", 1, false, null);
      if (lemmaIs(w, "смысл", "выход") && (w.negated || s.some((x) => near(x, w, 2) && has(x, "never"))))
        add("no_meaning", "hopelessness", 1, false, null);
    }
  }

  // Means named anywhere in a message that already holds a wish to die make it severity 3.
  const wish = hits.some((h) => h.override && !h.cancelledBy && h.label === "suicidal_intent");
  if (wish && (hits.some((h) => h.name === "means_at_hand" || h.name === "at_height") || messageHas("means")))
    for (const h of hits) if (h.override && h.label === "suicidal_intent") h.severity = 3;
  return hits;
}

/** A dose in a prescription context is not an overdose. */
function medicalOr(cancel: string | null, sentence: readonly W[]): string | null {
  if (sentence.some((w) => has(w, "medical") && !lemmaIs(w, "день", "утро", "вечер"))) return "medical";
  return cancel;
}
