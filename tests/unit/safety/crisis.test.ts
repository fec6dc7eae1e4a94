import { describe, expect, it } from "vitest";
import { detectCrisis } from "../../../src/domain/safety/index.ts";

describe("detectCrisis flags danger with the right label and severity", () => {
  const cases: Array<[string, string, string, number]> = [
    // [why, text, label, minimum severity]
    [
      "wish to die, feminine past of «хотеть» excluded, present used",
      "хочется умереть",
      "suicidal_intent",
      2,
    ],
    ["inflected «не хочется жить»", "мне совсем не хочется жить", "suicidal_intent", 2],
    ["method + desire", "думаю шагнуть из окна", "suicidal_intent", 3],
    ["method in the future tense", "завтра повешусь", "suicidal_intent", 3],
    ["slang", "реально хочу выпилиться", "suicidal_intent", 3],
    ["ideation boosted to 3 by a time", "сегодня ночью хочу уснуть и не проснуться", "suicidal_intent", 3],
    ["burden", "родным будет проще без меня", "suicidal_intent", 2],
    ["farewell", "прощайте все", "suicidal_intent", 3],
    ["medication and quantity", "хочу проглотить всю упаковку сертралина", "overdose", 3],
    ["pill count", "выпила 20 таблеток феназепама", "overdose", 3],
    ["pill emoji with finality", "💊 и всё, навсегда", "overdose", 3],
    ["self-harm, present", "я опять режу себя", "self_harm", 2],
    ["self-harm noun", "у меня самоповреждения", "self_harm", 2],
    ["veins are severity 3", "хочу порезать вены", "self_harm", 3],
    ["violence now", "муж бьёт меня", "violence_now", 3],
    ["being hunted at home", "он ломится в квартиру с ножом", "violence_now", 3],
    ["hopelessness is severity 1", "выхода нет", "hopelessness", 1],
    // Probes that try to slip past the screen: present tense, slang, masks, spacing, means in hand, danger now.
    ["leaving life, present tense", "я ухожу из жизни", "suicidal_intent", 3],
    ["slang overdose, masculine", "закинулся колёсами", "overdose", 3],
    ["slang overdose, feminine", "закинулась колёсами", "overdose", 3],
    ["slang overdose, infinitive with a wish", "хочу закинуться колёсами", "overdose", 3],
    ["cutting veins, present tense", "я вскрываюсь прямо сейчас", "self_harm", 3],
    ["«роскомнадзор» as a noun", "хочу сделать роскомнадзор", "suicidal_intent", 3],
    ["masked «суицид» as the only way out", "с*ицид — единственный выход", "suicidal_intent", 3],
    ["a whole word spelt out with spaces", "п о к о н ч и т ь", "suicidal_intent", 2],
    ["spelt out across words", "хочу п о к о н ч и т ь с с о б о й", "suicidal_intent", 3],
    ["rope and a plan for it", "у меня есть верёвка и я знаю куда её привязать", "suicidal_intent", 3],
    ["a blade in hand", "у меня в руке лезвие", "self_harm", 3],
    ["jumping now, no place named", "сейчас спрыгну", "suicidal_intent", 3],
    ["a weapon and a threat now", "отец сейчас с ножом, угрожает", "violence_now", 3],
    ["being found in the morning", "завтра утром меня найдут", "suicidal_intent", 3],
    ["transliterated wish", "hochu umeret", "suicidal_intent", 2],
    ["thinking verb with a prefix", "подумываю о самоубийстве всё чаще", "suicidal_intent", 2],
    ["euphemism «поставить точку в жизни»", "сегодня я поставлю точку в своей жизни", "suicidal_intent", 3],
    ["place before the jump", "я знаю, с какого моста прыгну", "suicidal_intent", 3],
    ["wish to be killed", "хочу, чтобы меня сбила машина", "suicidal_intent", 2],
  ];
  it.each(cases)("%s: «%s»", (_why, text, label, min) => {
    const r = detectCrisis(text);
    expect(r.crisis).toBe(true);
    expect(r.labels).toContain(label);
    expect(r.severity).toBeGreaterThanOrEqual(min);
  });

  it("hopelessness alone stays at severity 1", () => {
    expect(detectCrisis("ничего уже не изменится")).toMatchObject({
      crisis: true,
      severity: 1,
      labels: ["hopelessness"],
    });
  });
});

describe("detectCrisis leaves hard negatives alone", () => {
  const clean: Array<[string, string]> = [
    ["laughing", "я умираю со смеху"],
    ["deadline hyperbole", "этот проект меня убивает"],
    ["killing time", "чем бы убить вечер"],
    ["coffee hyperbole", "убила бы за капучино"],
    ["film plot", "в фильме героиня повесилась, я долго не могла уснуть"],
    ["someone else's loss", "его отец покончил с собой, когда ему было десять"],
    ["prescribed medication", "пью антидепрессанты по назначению психиатра"],
    ["negated ideation", "я никогда не думала о суициде"],
    ["leaving a city", "не хочу жить в Москве"],
    ["a short break", "хочу исчезнуть на неделю в горы"],
    ["cooking cut", "порезалась, когда чистила картошку"],
    ["ending a chat", "мне пора уходить, спасибо за всё, было приятно поговорить"],
    ["hating a job", "я не выдержу ещё одного дня на этой работе"],
    ["ready to move", "меня в этом городе больше ничего не держит, хочу переехать"],
    ["paper cuts", "новые порезы от бумаги, работаю в архиве"],
    ["surgery scars", "я прячу шрамы от операции"],
    ["last day at work", "вчера был мой последний день на работе"],
    ["car keys", "он забрал ключи от машины"],
    ["gaming slang", "я режусь в доту по вечерам"],
    // Hard negatives: ordinary speech that looks like the signals above.
    ["laughing, short", "умираю от смеха"],
    ["deadline", "дедлайн меня убивает"],
    ["parachute", "сегодня прыгаю с парашютом"],
    ["a shower, not a jump", "сейчас прыгну в душ и напишу"],
    ["chipping in", "сброшусь на подарок"],
    ["found by an ad", "меня найдут по объявлению"],
    ["coffee, not pills", "закинулась кофе и бегу"],
    ["a kitchen knife", "держу в руке нож, режу салат"],
    ["cooking with a knife", "папа с ножом режет мясо"],
    ["washing line", "веревку для белья повесила"],
    ["a swing rope", "у меня есть веревка для качелей, не знаю куда привязать"],
    ["planning a wedding", "я всё продумала для свадьбы, даже рассадку"],
    ["end of a relationship", "пусть это будет концом наших отношений"],
    ["leaving the office", "ухожу из офиса, созвонимся"],
    ["leaving a husband", "я ухожу от мужа"],
    ["saving money", "коплю на отпуск"],
    ["shaving", "в руке бритва, бреюсь перед работой"],
    ["opening up, figuratively", "я вскрываюсь перед тобой, как никогда"],
    ["hunting", "достал ружьё и патроны, едем на охоту"],
    ["suicide is not a way out", "суицид — не выход, я это поняла"],
    ["leaving a chat", "хочу исчезнуть навсегда из этого чата"],
  ];
  it.each(clean)("%s: «%s»", (_why, text) => {
    expect(detectCrisis(text)).toMatchObject({ crisis: false, severity: 0, labels: [] });
  });
});

describe("detectCrisis on the past", () => {
  it("a past crisis told with a recovery is not flagged", () => {
    expect(detectCrisis("год назад я хотела умереть, теперь всё хорошо").crisis).toBe(false);
  });
  it("a past attempt without a recovery keeps severity 1", () => {
    const r = detectCrisis("в прошлом году пыталась отравиться");
    expect(r.crisis).toBe(true);
    expect(r.severity).toBe(1);
  });
  it("a past attempt told with a family now is not flagged", () => {
    expect(detectCrisis("пять лет назад пыталась отравиться, сейчас у меня семья и всё хорошо").crisis).toBe(
      false,
    );
  });
  it("a past attempt with an intent to repeat is severity 3", () => {
    expect(detectCrisis("я уже пыталась покончить с собой и снова думаю об этом").severity).toBe(3);
  });
});

describe("detectCrisis on bad input", () => {
  it("handles empty and huge messages", () => {
    expect(detectCrisis("")).toMatchObject({ crisis: false, severity: 0, labels: [] });
    const long = "сегодня был обычный день на работе, ничего особенного. ".repeat(190) + "хочу умереть";
    expect(detectCrisis(long).crisis).toBe(true);
  });
  it("sees through invisible characters and look-alikes", () => {
    expect(detectCrisis("хочу по\u200Bвеситься").crisis).toBe(true);
    expect(detectCrisis("хочу yмеpеть").crisis).toBe(true);
  });
});
