/**
 * What a message is about, for choosing template hints: a loss, a pet's death, a breakup, work and
 * money, moving, fear and sleep, loneliness. Read by lemma on the safety pipeline's reading, so «меня
 * уволили», «сократили», «увольнение» are one situation. Runs on the original text when a message is
 * recorded; only the result (a family name) is kept.
 */
import { lemmaSet as set } from "../safety/lexicon.ts";
import { read, type Word } from "../safety/reading.ts";
import { FAMILY_PRIORITY } from "./topics.ts";
import type { Aspect, TopicFamily } from "./types.ts";

/** Lemmas that point at a family, with a weight (2: the situation itself, 1: a sign of it). */
const CUES: ReadonlyArray<[TopicFamily, ReadonlySet<string>, number]> = [
  [
    "pet_loss",
    set(
      "кот кошка котик котенок кошечка пес песик собака собачка щенок питомец хомяк хомячок попугай кролик морская свинка ветеринар ветклиника усыпить эвтаназия поводок хвостик",
    ),
    2,
  ],
  [
    "grief",
    set(
      "смерть похороны похоронить кладбище могила утрата погибнуть скончаться покойный поминки годовщина умерший гроб траур сороковины вдова вдовец горевать горе оплакивать прощание попрощаться вещи",
    ),
    2,
  ],
  [
    "grief",
    set("умереть умирать потерять потеря нет стать мама папа отец мать бабушка дедушка сестра брат"),
    1,
  ],
  [
    "breakup",
    set(
      "развод развестись расстаться расставание разойтись бывший бывшая измена изменить изменять алименты опека разрыв помолвка свадьба ревность разлюбить предательство любовница любовник",
    ),
    2,
  ],
  ["breakup", set("муж жена парень девушка отношения уйти брак любовь бросить предать ревновать"), 1],
  [
    "burnout",
    set(
      "работа работать уволить уволиться увольнение сократить сокращение выгорание выгореть начальник начальница руководитель дедлайн проект зарплата офис карьера должность безработный безработица резюме собеседование фриланс бизнес повысить повышение больничный истощение переработка смена клиент вакансия аврал нагрузка загруженность коллектив подчиненный",
    ),
    2,
  ],
  [
    "burnout",
    set(
      "деньги кредит ипотека долг коллега отчет усталость устать сила учеба сессия ученик пациент выходной отпуск",
    ),
    1,
  ],
  [
    "move",
    set(
      "переезд переехать эмиграция эмигрировать релокация релоцироваться виза внж гражданство адаптация эмигрант чужбина родина посольство эвакуироваться эвакуация беженец культурный местный климат аэропорт чемодан паспорт иммиграция иммигрант мигрант ассимиляция",
    ),
    2,
  ],
  [
    "move",
    set(
      "страна город язык аренда уехать вернуться диплом самолет привыкнуть приехать прилететь улететь далеко расстояние дом двор",
    ),
    1,
  ],
  [
    "anxiety",
    set(
      "тревога тревожно тревожный тревожность страх паника панический бессонница бояться волноваться кошмар обстрел сирена война мобилизовать мобилизация симптом биопсия онкология диагноз анализ уплотнение трястись колотиться приступ задыхаться ужас страшный беспокоиться нервничать обстреливать ракета взрыв фобия",
    ),
    2,
  ],
  [
    "anxiety",
    set(
      "спать уснуть засыпать заснуть сон сердце переживать нервы страшно врач гуглить мысль крутиться дышать случиться новость авария сжиматься накрывать",
    ),
    1,
  ],
  ["loneliness", set("одиночество одинокий одиноко некому некого никто позвать пустой изоляция одиночка"), 2],
  [
    "loneliness",
    set(
      "один одна друг подруга поговорить общаться скучать разговаривать удаленка тишина тихий заметить вслух знакомый познакомиться компания разъехаться никуда",
    ),
    1,
  ],
];

function scoreWords(words: readonly Word[]): Map<TopicFamily, number> {
  const scores = new Map<TopicFamily, number>();
  for (const w of words) {
    const lemma = w.lemmas[0] ?? w.norm;
    for (const [family, lemmas, weight] of CUES) {
      if (!lemmas.has(lemma)) continue;
      // «не стало» is a loss; «стать» otherwise is nothing.
      if (lemma === "стать" && !w.negated) continue;
      // Someone died («мама умерла», «погиб»): the loss itself, not a sign of it.
      const died = (lemma === "умереть" || lemma === "умирать") && (w.a.past || w.a.person === 3);
      scores.set(family, (scores.get(family) ?? 0) + (died ? 3 : weight));
    }
  }
  // A pet's death is a pet's loss, not a person's.
  if ((scores.get("pet_loss") ?? 0) > 0 && (scores.get("grief") ?? 0) > 0)
    scores.set("pet_loss", (scores.get("pet_loss") ?? 0) + (scores.get("grief") ?? 0));
  return scores;
}

/** The situation of one message, or null when nothing points anywhere. */
export function situationOf(text: string): TopicFamily | null {
  return familyIn(read(text).words);
}

/** Aspects of one message (see `aspectsIn`). */
export function aspectsOf(text: string): Aspect[] {
  return aspectsIn(read(text).words);
}

/** Both, from one reading of the message: what the coach keeps of a message it records. */
export function categoriesOf(text: string): { family: TopicFamily | null; aspects: Aspect[] } {
  const words = read(text).words;
  return { family: familyIn(words), aspects: aspectsIn(words) };
}

function familyIn(words: readonly Word[]): TopicFamily | null {
  const scores = scoreWords(words);
  let best: TopicFamily | null = null;
  let bestScore = 0;
  // Ties break towards the more specific situation.
  for (const family of FAMILY_PRIORITY) {
    const s = scores.get(family) ?? 0;
    if (s > bestScore) {
      best = family;
      bestScore = s;
    }
  }
  // A single weak sign is enough only when nothing else points anywhere.
  const pointed = [...scores.values()].filter((s) => s > 0).length;
  return bestScore >= 2 || (bestScore === 1 && pointed === 1) ? best : null;
}

const JOB = set("работа место должность");
const LOSE = set("потерять лишиться остаться");
const FIRED = set("уволить уволиться увольнение сократить сокращение безработный безработица выгнать");
const TELL = set("сказать рассказать признаться объяснить говорить сообщить");
const FAMILY = set(
  "жена муж мама папа мать отец родитель родители семья ребенок дети сын дочь бабушка дедушка родные близкие",
);
const MONEY = set(
  "деньги кредит ипотека долг зарплата платить заплатить оплатить аренда счет накопление пособие копейка нищета",
);
const SLEEP = set("спать уснуть заснуть засыпать сон бессонница просыпаться проснуться кошмар снотворное");

/**
 * Aspects of one message: «меня уволили, и я не знаю, как сказать жене» is a lost job and telling
 * the family. Only the names are kept, like the family.
 */
function aspectsIn(words: readonly Word[]): Aspect[] {
  const lemma = (w: Word) => w.lemmas[0] ?? w.norm;
  const found = new Set<Aspect>();
  for (const w of words) {
    const l = lemma(w);
    if (FIRED.has(l)) found.add("job_loss");
    // «потеряла работу», «остался без работы»
    if (
      JOB.has(l) &&
      words.some((x) => x.sentence === w.sentence && LOSE.has(lemma(x)) && Math.abs(x.idx - w.idx) <= 3)
    )
      found.add("job_loss");
    // «как сказать жене», «не могу признаться родителям»
    if (
      TELL.has(l) &&
      words.some(
        (x) => x.sentence === w.sentence && x.idx > w.idx && x.idx <= w.idx + 4 && FAMILY.has(lemma(x)),
      )
    )
      found.add("telling_family");
    if (MONEY.has(l)) found.add("money");
    if (SLEEP.has(l)) found.add("sleep");
  }
  return [...found];
}
