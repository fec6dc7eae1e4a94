/**
 * What a hint must not do, read by meaning on the safety pipeline's reading (lemmas, negation,
 * imperatives): medical advice and substances, referrals stated as orders, diagnoses, minimising, and
 * directives about someone's life. Lists here are lemmas; every inflection and mood is found by the
 * morphology, so «попей», «выпей», «попить бы» and «стоит попить» are one rule.
 *
 * Boundary reminders for the supporter may name what not to do («Не советуй лекарства», «Не ставь
 * ярлыков вроде «у тебя депрессия»», «Не обещай, что всё наладится»): a match after such a cue in its
 * own clause is allowed. Legal advice and stock promises are phrase patterns under the same cue rule.
 */
import { lemmaSet as set } from "../safety/lexicon.ts";
import { read, type Word } from "../safety/reading.ts";

export type AdviceProblem = "medical" | "diagnosis" | "minimising" | "directive" | "promise" | "legal";

/** Medicines, supplements, calming remedies, alcohol as a remedy; drug names as stems. */
const SUBSTANCE = set(`
  таблетка лекарство препарат успокоительное успокоительный успокаивающий снотворное снотворный
  антидепрессант транквилизатор нейролептик валерьянка валериана пустырник настойка капля трава
  травяной сбор магний витамин омега бад биодобавка добавка мелатонин глицин доза дозировка рецепт
  алкоголь вино коньяк водка ромашка ромашковый мята мятный мелисса зверобой рюмка рюмочка бокал стопка
  cbd кбд каннабидиол
`);
const DRUG_STEMS = [
  "феназепам",
  "амитриптилин",
  "кветиапин",
  "сероквел",
  "сертралин",
  "флуоксетин",
  "прозак",
  "пароксетин",
  "эсциталопрам",
  "ципралекс",
  "тразодон",
  "миртазапин",
  "прегабалин",
  "габапентин",
  "трамадол",
  "парацетамол",
  "ибупрофен",
  "нурофен",
  "аспирин",
  "анальгин",
  "зопиклон",
  "золпидем",
  "реланиум",
  "диазепам",
  "клоназепам",
  "ксанакс",
  "алпразолам",
  "галоперидол",
  "корвалол",
  "валокордин",
  "фенобарбитал",
  "донормил",
  "афобазол",
  "новопассит",
  "пассит",
  "персен",
  "тенотен",
  "атаракс",
  "гидроксизин",
  "магне",
];
/** Doctors and clinics: naming one is fine; sending someone there as an order is not. */
const SPECIALIST = set(`
  психотерапевт психиатр невролог невропатолог психоневролог врач доктор терапевт эндокринолог
  кардиолог гастроэнтеролог гинеколог сомнолог нарколог специалист клиника больница психолог
  психотерапия терапия диспансер стационар госпитализация
`);
/** Words that make a sentence an order or an urgent need. */
const MUST = set(
  "нужно надо нужный необходимо должный должен обязан обязательно срочно немедленно непременно",
);
/** Soft suggestion: «может», «можно», «стоит» in a question leave the choice to the person. */
const SOFT = set("может можно стоить возможно наверное");
const DIAGNOSIS = set(`
  депрессия депрессивный биполярка биполярный птср расстройство синдром болезнь заболевание диагноз
  патология невроз психоз шизофрения шизофреник аутизм ангедония тревожность фобия зависимость
  аддикция анорексия булимия рпп гипомания дистимия психосоматика неврастения паранойя созависимость
  нарцисс нарциссизм психопат социопат окр сдвг прл бар истерия апатия абьюз абьюзер панический
  нездоровый гормон гормональный
`);
/** States people name themselves («я про выгорание»); said about the other person, a diagnosis. */
const DIAGNOSIS_ABOUT_YOU = set("выгорание травма травмированный психика");
/** «явные признаки», «классическое выгорание»: the word that makes a label sound certain. */
const CERTAIN = set("явный очевидный классический типичный налицо клинический осложненный затяжной");
/** «возьми себя в руки», «соберись», «не накручивай», «хватит ныть»: making light of what was said. */
const MINIMISING_VERBS = set(
  "собраться накручивать раздувать париться забить загоняться драматизировать раскисать ныть",
);
const MINIMISING_WORDS = set("ерунда пустяк мелочь фигня чепуха ерундовый");
const FEELING_VERBS = set(
  "ныть страдать жаловаться переживать грустить плакать реветь убиваться жалеть расстраиваться волноваться",
);
/** «слишком остро реагируешь», «смотри на всё проще»: the reaction itself called wrong. */
const REACTION_VERBS = set("реагировать воспринимать принимать относиться смотреть посмотреть переживать");
/** «Другим ещё тяжелее», «бывает и хуже», «будут проблемы и посерьёзнее». */
const WORSE = /^(?:по)?(?:хуже|тяжелее|труднее|серь[её]знее|страшнее)$/u;
const OTHERS = set("другой многие многий кто-то люди человек жизнь");
const COULD = set("бывать мочь");
const STOP = set("хватить перестать прекратить");
/** Decisions about someone's life, given as orders. */
const LIFE_VERBS = set(`
  найти уйти уходить уволиться увольняться развестись разводиться бросить бросать переехать переезжать
  вернуться простить порвать уехать уезжать родить выйти поменять сменить расстаться расставаться
  помириться позвонить написать продать купить съехать съезжать заблокировать блокировать хлопнуть
  прекратить перестать поставить пожить жить разъехаться разъезжаться менять подавать подать разорвать
  завести заводить возвращаться
`);
/** Decisions that are orders about a life without any object («увольняйся», «уезжай оттуда»). */
const LIFE_DECISIONS = set(`
  уволиться увольняться развестись разводиться расстаться расставаться переехать переезжать уехать
  уезжать съехать съезжать заблокировать блокировать хлопнуть разъехаться разъезжаться
`);
const LIFE_OBJECTS = set(`
  работа муж жена брак город страна квартира отношения семья парень девушка мужчина женщина он она
  бывший бывшая родитель мама папа мать отец ребенок дом брат сестра сын дочь начальник деньги общение
  ультиматум отдельно друг подруга профессия развод домой родина котенок щенок собака кошка
`);
/** «тебе стоит…», «пора…», «надо…» before a life decision in the infinitive. */
const ADVISE = set("стоить пора надо нужно следовать должный должен");
/** Certainty about what will happen: «он обязательно вернётся», «уверена, через месяц…». */
const SURELY = set("обязательно непременно наверняка точно");
/** What people are told will happen on its own: «пройдёт», «наладится», «одумается», «найдётся». */
const OUTCOME = set(
  "пройти наладиться найтись одуматься сложиться утрястись забыться полегчать образоваться вернуться",
);
/** «Не советуй…», «Не ставь ярлыков…», «Избегай…», «Вместо…»: the reminder names what not to do. */
const CUE_VERBS = set(
  "советовать посоветовать писать предлагать предложить гарантировать рекомендовать ставить обещать уверять говорить называть давать уговаривать навязывать спешить торопить торопиться обесценивать оценивать сравнивать использовать употреблять навешивать вешать обсуждать утешать упоминать",
);

const has = (w: Word, s: ReadonlySet<string>) => w.lemmas.some((l) => s.has(l));
/** The likeliest lemma only: «вину» may be «вино» too, but it is guilt. */
const first = (w: Word, s: ReadonlySet<string>) => s.has(w.lemmas[0] ?? w.norm);

/** Phrases that stay phrase rules: legal advice and stock promises, matched on the folded text. */
const w = (alternatives: string) => new RegExp(String.raw`(?<![\p{L}\d])(?:${alternatives})`, "gu");

const LEGAL = w(
  [
    "(?:подай|подавай|подать|подайте|обратись|обратиться) в суд",
    "в суд(?![\\p{L}])",
    "судись|судиться|засуди\\p{L}*|отсуди\\p{L}*",
    "иск(?:а|ом|у)?(?![\\p{L}])",
    "исков\\p{L}*",
    "алимент\\p{L}*",
    "по закону",
    "законн\\p{L}* прав\\p{L}*",
    "стать[яиеюь] \\d+",
    "ук рф|гк рф|ск рф|тк рф|коап|по тк(?![\\p{L}])",
    "в суде|через суд|оспор\\p{L}*|оспарива\\p{L}*|обжал\\p{L}*",
    "трудинспекц\\p{L}*|работодатель обязан|обязан\\p{L}* (?:выплатить|вернуть|компенсировать)|положен\\p{L}* (?:компенсаци|выплат)\\p{L}*",
    "заявлени\\p{L}* в полици\\p{L}*",
    "юридическ\\p{L}*",
    "адвокат\\p{L}*",
    "нотариус\\p{L}*",
    // Telling someone to go to the police or other authorities.
    "участков\\p{L}*",
    "прокуратур\\p{L}*",
    "(?:сними|снять|зафиксируй|зафиксировать) побои",
    "(?:напиши|написать|подай|подать|пиши|подавай) (?:\\p{L}+ ){0,2}(?:заявлени|жалоб)\\p{L}*",
    "(?:заявлени|жалоб)\\p{L}* (?:\\p{L}+ ){0,2}(?:в полици|в опек|в трудов|в прокуратур|участков)\\p{L}*",
    "(?:обратись|обратиться|иди|сходи|пойди|звони|позвони) (?:\\p{L}+ ){0,2}в (?:полици|опек|прокуратур|трудов\\p{L}* инспекци)\\p{L}*",
  ].join("|"),
);

const PROMISE = w(
  [
    "вс[её] будет (?:хорошо|нормально|в порядке|отлично)",
    "вс[её] наладится",
    "вс[её] пройд[её]т",
    "вс[её] получится",
    "вс[её] исправ\\p{L}*",
    "обещаю",
    "я (?:вс[её] )?исправлю",
    // «гарантирую», not the reminder's «не гарантируй».
    "гарантиру(?:ю|ем)|гарантированно|да(?:ю|[её]м) гаранти\\p{L}*",
    "(?:точно|обязательно|непременно) (?:справишься|получится|наладится|пройд[её]т|станет легче)",
    "скоро (?:пройд[её]т|станет легче|вс[её] закончится)",
    // Certainty about the outcome is a promise too.
    "(?:уверен\\p{L}*|обещаю|гарантирую|точно) (?:\\p{L}+ )?на (?:сто|100) (?:процентов|%)|на (?:сто|100) (?:процентов|%),? (?:\\p{L}+ )?(?:уверен\\p{L}*|справишься|получится|наладится|сможешь)|стопудов\\p{L}*|сто пудов",
    "уверен\\p{L}*,? (?:что )?(?:\\p{L}+ ){0,2}(?:справишься|получится|наладится|сможешь|выкарабкаешься|будет хорошо)",
    "(?:справишься|получится|наладится|сможешь),? (?:\\p{L}+ ){0,2}(?:уверен\\p{L}*|не сомневаюсь|знаю точно|точно знаю)",
    "без (?:всяких )?сомнени\\p{L}*,? (?:\\p{L}+ ){0,2}(?:справишься|получится|наладится|сможешь)",
    "(?:обязательно|непременно|100%) (?:\\p{L}+ )?(?:справишься|сможешь|победишь|выздоровеешь|вылечишься)",
  ].join("|"),
);

/** After a comma, these start a new thought («Не ставь диагнозов, но у тебя депрессия»). */
const TURN = set("но а однако хотя зато ведь потому поэтому ты вы тебе вам тебя вас у это");

/**
 * Cued: a negated advice verb, «избегай» or «вместо» earlier in the same sentence, with no dash, colon
 * or semicolon between them outside quotation marks, and no comma that opens a new thought: a list
 * («Не предлагай травы, витамины или алкоголь») stays under the cue, «Не ставь диагнозов, но у тебя
 * депрессия» does not.
 */
function cued(text: string, words: readonly Word[], at: Word): boolean {
  return words.some((w) => {
    if (w.idx >= at.idx || w.sentence !== at.sentence) return false;
    if (
      !(
        (w.negated && has(w, CUE_VERBS)) ||
        w.lemmas.includes("избегать") ||
        w.lemmas.includes("воздержаться") ||
        w.lemmas.includes("воздерживаться") ||
        w.norm === "вместо"
      )
    )
      return false;
    const between = text.slice(w.end, at.start).replace(/«[^»]*»?|"[^"]*"?|“[^”]*”?/gu, " ");
    // «Не обесценивай: «у всех так»» — a colon may introduce the quoted words the reminder names.
    if ((at.quoted ? /[;—–]/u : /[;:—–]/u).test(between)) return false;
    if (!between.includes(",")) return true;
    // After a comma: a verb or a word that turns the sentence ends the cue's reach.
    const inside = words.filter((x) => x.idx > w.idx && x.idx < at.idx && !x.quoted);
    return !inside.some((x) => x.a.pos === "VERB" || TURN.has(x.norm));
  });
}

/** The first problem of the text, or null. */
export function adviceProblem(text: string): AdviceProblem | null {
  const reading = read(text);
  const words = reading.words;
  const sentence = (w: Word) => words.filter((x) => x.sentence === w.sentence);
  const clause = (w: Word) => words.filter((x) => x.clause === w.clause);
  const near = (w: Word, from: number, to: number) =>
    words.filter((x) => x.sentence === w.sentence && x.idx >= w.idx + from && x.idx <= w.idx + to && x !== w);
  const isQuestion = (w: Word) => {
    // The sentence's own end: the text after its last word up to the next word.
    const last = sentence(w).at(-1);
    if (!last) return false;
    const next = words.find((x) => x.idx === last.idx + 1);
    return /\?/u.test(text.slice(last.end, next ? next.start : text.length));
  };
  const ordering = (s: readonly Word[]) =>
    s.some((x) => has(x, MUST) || (x.a.imperative && !x.negated) || x.norm === "пусть");
  for (const w of words) {
    if (cued(text, words, w)) continue;
    // Any substance as a remedy, however it is put («может, попить что-нибудь успокаивающее?»).
    // Drug names are specific: any reading, or the word itself, counts («феназепам» is guessed as «феназеп»).
    const drug = DRUG_STEMS.some((d) => w.norm.startsWith(d) || w.lemmas.some((l) => l.startsWith(d)));
    // «попей что-нибудь от нервов», «прими что-нибудь для сна»: a remedy without its name.
    if (
      (w.a.imperative || words[w.idx - 1]?.norm === "пусть") &&
      !w.negated &&
      ["пить", "попить", "выпить", "принять", "принимать", "заварить"].some((l) => w.lemmas.includes(l)) &&
      near(w, 1, 3).some((x) => /^(?:что-?нибудь|что-?то|от|для)$/u.test(x.norm))
    )
      return "medical";
    if (first(w, SUBSTANCE) || drug) {
      const c = clause(w);
      const s = sentence(w);
      // «алкоголь тут не помощник», «таблетки — не выход»: said against the substance.
      const against = c.some(
        (x) =>
          x.negated &&
          ["помощник", "выход", "решение", "вариант", "помочь", "помогать"].some((l) => x.lemmas.includes(l)),
      );
      // «тебе поменяли лекарства»: what happened, told back, with nothing asked of anyone.
      const told =
        c.some((x) => x.a.past && x.a.pos === "VERB") &&
        !ordering(s) &&
        !s.some((x) => has(x, SOFT) || x.a.person === 1 || x.lemmas.includes("я"));
      if (!against && !told) return "medical";
    }
    // A specialist as an order or an urgent need («тебе срочно нужно к психотерапевту»).
    if (first(w, SPECIALIST) && words[w.idx - 1]?.norm !== "не") {
      const s = sentence(w);
      // «без психотерапевта он не справится»: a specialist as the only way.
      if (words[w.idx - 1]?.norm === "без" && s.some((x) => x.negated && x.a.pos === "VERB"))
        return "medical";
      const soft = s.some((x) => has(x, SOFT)) && isQuestion(w);
      if (
        ordering(s) &&
        !(soft && !s.some((x) => x.lemmas.includes("срочно") || x.lemmas.includes("обязательно")))
      )
        return "medical";
    }
    if (first(w, DIAGNOSIS) && !w.negated) return "diagnosis";
    if (first(w, DIAGNOSIS_ABOUT_YOU)) {
      // «у тебя выгорание», «классическое выгорание», «с психикой что-то не так».
      const s = sentence(w);
      const aboutYou = s.some((x, i) => x.norm === "у" && ["тебя", "вас"].includes(s[i + 1]?.norm ?? ""));
      if (aboutYou || s.some((x) => has(x, CERTAIN) || (x.negated && x.norm === "так"))) return "diagnosis";
    }
    // «явные признаки того, что…», «все признаки налицо».
    if (w.lemmas.includes("признак") && sentence(w).some((x) => has(x, CERTAIN))) return "diagnosis";
    // «это уже не норма», «это ненормально»: calling someone's state abnormal.
    if ((w.lemmas.includes("норма") && w.negated) || w.lemmas.includes("ненормальный")) return "diagnosis";
    // «возьми себя в руки»
    if (w.lemmas.includes("взять") && w.a.imperative) {
      const s = sentence(w);
      if (s.some((x) => x.lemmas.includes("себя")) && s.some((x) => x.lemmas.includes("рука")))
        return "minimising";
    }
    if (
      has(w, MINIMISING_VERBS) &&
      (w.a.imperative || w.negated || near(w, -3, -1).some((x) => has(x, STOP)))
    )
      return "minimising";
    if (has(w, MINIMISING_WORDS)) return "minimising";
    if (has(w, FEELING_VERBS)) {
      // «перестань себя жалеть», «хватит ныть», «не стоит так переживать», «не надо плакать».
      const before = near(w, -3, -1);
      if (before.some((x) => has(x, STOP) || (x.negated && (x.lemmas.includes("стоить") || has(x, MUST)))))
        return "minimising";
      // «не грусти», «не переживай», «это не повод себя жалеть».
      if (w.negated && w.a.imperative) return "minimising";
      if (before.some((x) => x.negated && x.lemmas.includes("повод"))) return "minimising";
    }
    // «слишком остро реагируешь», «посмотри на всё проще».
    if (has(w, REACTION_VERBS)) {
      const around = near(w, -3, 3);
      if (around.some((x) => x.norm === "слишком" || x.norm === "проще" || x.norm === "остро"))
        return "minimising";
    }
    // «просто не думай об этом», «подумай о хорошем».
    if (w.lemmas.includes("думать") || w.lemmas.includes("подумать")) {
      if (w.negated && near(w, -2, -1).some((x) => x.norm === "просто")) return "minimising";
      if (
        w.a.imperative &&
        near(w, 1, 2).some((x) => ["хороший", "позитивный", "приятный"].some((l) => x.lemmas.includes(l)))
      )
        return "minimising";
    }
    // «радуйся, что…», «смотри на плюсы», «не обращай внимания», «ничего страшного», «время лечит».
    if (w.lemmas.includes("радоваться") && w.a.imperative) return "minimising";
    if (
      w.lemmas.includes("плюс") &&
      near(w, -3, -1).some((x) => x.lemmas.some((l) => l === "смотреть" || l === "видеть" || l === "искать"))
    )
      return "minimising";
    if (
      w.lemmas.includes("обращать") &&
      w.negated &&
      near(w, 1, 1).some((x) => x.lemmas.includes("внимание"))
    )
      return "minimising";
    if (w.norm === "ничего" && words[w.idx + 1]?.norm === "страшного" && !isQuestion(w)) return "minimising";
    if (w.lemmas.includes("время") && near(w, 1, 1).some((x) => x.lemmas.includes("лечить")))
      return "minimising";
    // «надо просто наслаждаться», «нужно просто отпустить».
    const next = words[w.idx + 1];
    if (
      w.norm === "просто" &&
      near(w, -2, -1).some((x) => has(x, MUST)) &&
      next?.sentence === w.sentence &&
      next.a.pos === "INFN" &&
      !isQuestion(w)
    )
      return "minimising";
    // «ну это же всего лишь экзамен»
    if (w.norm === "всего" && words[w.idx + 1]?.norm === "лишь") return "minimising";
    // «бывает и хуже», «другим ещё тяжелее», «будут проблемы и посерьёзнее».
    // «Кому-то тяжелее» reads as «кому» + «то»; a question («кому сейчас тяжелее?») compares nothing.
    const someone = (x: Word) => x.lemmas.includes("кто") && words[x.idx + 1]?.norm === "то";
    // «бывает» and «могло быть» need «и»/«ещё» before the comparative: «бывает труднее, чем…» compares
    // nothing with anyone.
    if (WORSE.test(w.norm) && !isQuestion(w)) {
      const s = sentence(w);
      const stressed = near(w, -2, -1).some((x) =>
        ["и", "еще", "гораздо", "намного", "куда"].includes(x.norm),
      );
      if (s.some((x) => has(x, OTHERS) || someone(x)) || (stressed && s.some((x) => has(x, COULD))))
        return "minimising";
    }
    // An order about their life: «найди новую работу», «разведись», «уезжай из этого города».
    if (w.a.imperative && !w.negated && has(w, LIFE_VERBS)) {
      if (has(w, LIFE_DECISIONS) || near(w, 1, 4).some((x) => has(x, LIFE_OBJECTS))) return "directive";
    }
    // «скажи ей, чтобы разорвала отношения с матерью», «пусть уходит от него».
    const wish = near(w, -2, -1).some((x) => x.norm === "чтобы" || x.norm === "пусть");
    if (wish && !w.negated && has(w, LIFE_VERBS) && w.a.pos === "VERB") {
      if (has(w, LIFE_DECISIONS) || near(w, 1, 4).some((x) => has(x, LIFE_OBJECTS))) return "directive";
    }
    // «тебе стоит прекратить общение с ней», «пора съехать от родителей».
    if (w.a.pos === "INFN" && has(w, LIFE_VERBS)) {
      const s = sentence(w);
      const advised = near(w, -3, -1).some((x) => has(x, ADVISE));
      const asked = s.some((x) => x.norm === "ли") || isQuestion(w);
      if (advised && !asked && (has(w, LIFE_DECISIONS) || near(w, 1, 4).some((x) => has(x, LIFE_OBJECTS))))
        return "directive";
    }
    // Certainty about what will happen to them: «он обязательно вернётся», «уверена, ты справишься».
    if (has(w, SURELY) && near(w, 1, 3).some((x) => x.a.future && !x.a.imperative && x.a.person !== 1))
      return "promise";
    if ((w.lemmas.includes("уверить") || w.lemmas.includes("уверенный")) && !isQuestion(w)) {
      if (!w.negated && near(w, 1, 8).some((x) => x.a.future && x.a.person !== 1)) return "promise";
    }
    // «пообещай ей, что…»
    if (w.lemmas.includes("пообещать") && w.a.imperative && !w.negated) return "promise";
    // «боль пройдёт», «он одумается», «работа найдётся через месяц»: the outcome stated as certain.
    if (has(w, OUTCOME) && w.a.future && !w.negated && !isQuestion(w) && w.a.person !== 1) {
      const s = sentence(w);
      if (!s.some((x) => has(x, SOFT) || x.lemmas.includes("если") || x.lemmas.includes("ли")))
        return "promise";
    }
    // «вот увидишь»
    if (w.norm === "вот" && /^увиди(?:шь|те)$/u.test(words[w.idx + 1]?.norm ?? "")) return "promise";
  }
  // Phrase rules, under the same cue: «Не обещай, что всё наладится» names what not to say.
  const folded = text.toLowerCase().replace(/ё/g, "е");
  for (const [re, problem] of [
    [LEGAL, "legal"],
    [PROMISE, "promise"],
  ] as const) {
    for (const m of folded.matchAll(re)) {
      const at = words.find((x) => x.end > (m.index ?? 0));
      if (!at || !cued(text, words, at)) return problem;
    }
  }
  return null;
}

/** A «Спросить» hint asks: it ends with a question mark. */
export function isQuestion(text: string): boolean {
  return /\?[\s)»"]*$/u.test(text.trim());
}
