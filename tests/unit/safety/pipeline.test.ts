import { describe, expect, it } from "vitest";
import { type RiskMark, shouldEscalate } from "../../../src/domain/safety/context.ts";
import { classifyMessage, detectCrisis } from "../../../src/domain/safety/index.ts";
import { conceptsOf, misspelledAbuse } from "../../../src/domain/safety/lexicon.ts";
import { packModel, predict, train, unpackModel } from "../../../src/domain/safety/model.ts";
import { analyse, dictionaryLemmas } from "../../../src/domain/safety/morph.ts";
import { extract } from "../../../src/domain/safety/pipeline.ts";

describe("morphology: words are read by lemma", () => {
  it.each([
    ["умру", "умереть"],
    ["умерла", "умереть"],
    ["повешусь", "повеситься"],
    ["таблеток", "таблетка"],
    ["хотелось", "хотеться"],
    ["обузой", "обуза"],
  ])("«%s» → %s", (word, lemma) => {
    expect(analyse(word).lemmas).toContain(lemma);
  });

  it("knows person and tense", () => {
    expect(analyse("хочу").person).toBe(1);
    expect(analyse("хочет").person).toBe(3);
    expect(analyse("хотела").past).toBe(true);
  });

  it("guesses slang the dictionary lacks by its suffix", () => {
    expect(analyse("выпилюсь").lemmas).toContain("выпилиться");
    expect(analyse("выпилюсь").person).toBe(1);
  });

  it("leaves long or non-Cyrillic tokens alone", () => {
    const long = "а".repeat(200);
    expect(analyse(long).lemmas).toEqual([long]);
    expect(analyse("hello").lemmas).toEqual(["hello"]);
  });

  it("a dictionary-only lookup (for restoring masked words) knows entries and refuses guesses", () => {
    // Fresh words first (no cached analysis), then the same words after `analyse` cached them.
    expect(dictionaryLemmas("тупая")).toContain("тупой");
    expect(dictionaryLemmas("выпилюсь")).toBeNull(); // the suffix guesser knows it; the dictionary does not
    expect(dictionaryLemmas("сщбид1")).toBeNull();
    expect(dictionaryLemmas("hello")).toBeNull();
    for (const w of ["таблетками", "дура", "выпилюсь"])
      expect(dictionaryLemmas(w)).toEqual(analyse(w).known ? analyse(w).lemmas : null);
  });

  it("an unknown word that misspells an insult is read as it; a dictionary word never is", () => {
    const lemmas = (t: string) => extract(t).reading.words[0]!.lemmas;
    expect(lemmas("дибил")[0]).toBe("дебил");
    expect(lemmas("придурака")[0]).toBe("придурок");
    expect(lemmas("сволач")[0]).toBe("сволочь");
    expect(misspelledAbuse(["гавно"])).toBe("говно");
    // Real words that sound alike stay themselves; short words are never guessed.
    expect(lemmas("дебаты")).not.toContain("дебил");
    expect(lemmas("гавана")).not.toContain("говно");
    expect(misspelledAbuse(["дура"])).toBeNull();
    expect(misspelledAbuse(["пизза"])).toBeNull();
  });

  it("meaning classes are found from any inflected form", () => {
    expect(conceptsOf(analyse("таблетками").lemmas).has("means")).toBe(true);
    expect(conceptsOf(analyse("суициднуться").lemmas).has("die")).toBe(true);
  });
});

describe("crisis frames catch meaning across wording", () => {
  it.each([
    ["the issue's first miss", "Иногда думаю, что лучше бы меня вообще не было"],
    ["the issue's second miss, a comma and means", "я больше не хочу жить, у меня есть таблетки"],
    ["wish and method in different clauses", "всё, хватит. хочу уже просто повеситься"],
    ["burden", "всем будет легче без меня"],
    ["not waking up", "хочу заснуть и не проснуться"],
    ["an inflection no list ever held", "мне всё чаще хочется умереть"],
    ["following someone who died", "мама умерла в марте, я хочу к маме"],
  ])("%s: «%s»", (_why, text) => {
    expect(detectCrisis(text).crisis).toBe(true);
  });

  it("means named after a wish make it severity 3", () => {
    expect(detectCrisis("я больше не хочу жить, у меня есть таблетки").severity).toBe(3);
  });

  it("each precise frame fires with its name", () => {
    const names = (t: string) =>
      extract(t)
        .crisisFrames.filter((f) => f.override && !f.cancelledBy)
        .map((f) => f.name);
    expect(names("лучше бы меня не было")).toContain("not_exist");
    expect(names("не хочу больше жить")).toContain("no_will_to_live");
    expect(names("хочу уснуть навсегда")).toContain("sleep_forever");
    expect(names("наглоталась таблеток")).toContain("overdose_verb");
    expect(names("не вижу выхода, кроме смерти")).toContain("only_death");
    expect(names("выход один — умереть")).toContain("only_death");
    // Grief and a film keep their meaning: death is not «the only way» for the writer there.
    expect(names("кроме смерти мамы ничего плохого в этом году не случилось")).not.toContain("only_death");
    expect(names("в фильме у героя был только один выход — смерть")).not.toContain("only_death");
  });

  it.each([
    ["hyperbole about work", "от этого отчёта хочется удавиться"],
    ["a recovered past", "два года назад я хотела умереть, сейчас я справилась и живу иначе"],
    ["a film", "в сериале героиня хотела умереть, я плакала весь вечер"],
    ["someone else", "подруга говорит, что не хочет жить, как ей помочь?"],
    ["leaving a city", "не хочу жить в этом городе"],
  ])("cancellers switch the frames off: %s", (_why, text) => {
    const hits = extract(text).crisisFrames.filter((f) => f.override && !f.cancelledBy);
    expect(hits).toEqual([]);
  });
});

describe("the verdict", () => {
  it("carries the model's score, its threshold and weak cues for conversation context", () => {
    const v = classifyMessage("прощай. спасибо тебе за всё");
    expect(v.crisisScore).toBeGreaterThanOrEqual(0);
    expect(v.crisisScore).toBeLessThanOrEqual(1);
    expect(v.crisisThreshold).toBeGreaterThan(0);
    expect(v.crisisCues).toContain("farewell");
  });
});

describe("conversation context", () => {
  const now = 1_000_000;
  const mark = (r: number, c: string[] = [], x = false, ago = 60_000): RiskMark => ({
    r,
    c,
    x,
    t: now - ago,
  });

  it("a farewell after hopelessness brings support, though neither would alone", () => {
    const history = [mark(0.6, ["hopeless"]), mark(0.05), mark(0.1)];
    expect(shouldEscalate([], mark(0.3, ["farewell"], false, 0), now)).toBe(false);
    expect(shouldEscalate(history, mark(0.3, ["farewell"], false, 0), now)).toBe(true);
  });

  it("a calm message after a hard one never escalates", () => {
    expect(shouldEscalate([mark(0.9, ["hopeless"]), mark(2, [], true)], mark(0.05, [], false, 0), now)).toBe(
      false,
    );
  });

  it("old marks past the window do not count", () => {
    const stale = [mark(0.9, ["hopeless"], false, 7 * 3600_000)];
    expect(shouldEscalate(stale, mark(0.3, ["farewell"], false, 0), now)).toBe(false);
  });

  it("a message already in crisis is not «escalated» (it brings support on its own)", () => {
    expect(shouldEscalate([mark(0.9, ["hopeless"])], mark(1.5, [], true, 0), now)).toBe(false);
  });
});

describe("the linear model", () => {
  const rows = [
    { features: Uint32Array.from([1, 5]), label: 1 },
    { features: Uint32Array.from([2, 5]), label: 0 },
    { features: Uint32Array.from([1, 7]), label: 1 },
    { features: Uint32Array.from([2, 7]), label: 0 },
  ];
  const opts = { epochs: 30, learningRate: 0.5, l2: 0, seed: 42 };

  it("learns a separable toy problem", () => {
    const m = train("toy", ["no", "yes"], rows, opts);
    expect(predict(m, Uint32Array.from([1, 9])).positive).toBeGreaterThan(0.8);
    expect(predict(m, Uint32Array.from([2, 9])).positive).toBeLessThan(0.2);
  });

  it("is reproducible: the same rows and seed give the same weights", () => {
    const a = packModel(train("toy", ["no", "yes"], rows, opts), {});
    const b = packModel(train("toy", ["no", "yes"], rows, opts), {});
    expect(a).toEqual(b);
  });

  it("survives packing: predictions after unpacking match within quantisation", () => {
    const m = train("toy", ["no", "yes"], rows, opts);
    const back = unpackModel(packModel(m, {}));
    const f = Uint32Array.from([1, 5]);
    expect(predict(back, f).positive).toBeCloseTo(predict(m, f).positive, 3);
  });
});

describe("conversation context over a long calm talk", () => {
  it("many ordinary messages with small scores never add up to a crisis", () => {
    const now = 5_000_000;
    const calm = Array.from({ length: 8 }, (_, i) => ({ r: 0.45, c: [], x: false, t: now - (8 - i) * 1000 }));
    expect(shouldEscalate(calm, { r: 0.45, c: [], x: false, t: now }, now)).toBe(false);
  });
});

describe("laughter cancels a joke, never a denial of one", () => {
  it("«это не шутка» keeps the wish; «махать» is not laughter; «ха-ха» is", () => {
    expect(detectCrisis("это не шутка, я правда хочу умереть").crisis).toBe(true);
    expect(extract("махать рукой хочу умереть").reading.laughs).toBe(false);
    expect(extract("увидимся на том свете, ха-ха").reading.laughs).toBe(true);
  });

  it.each([
    ["a farewell that sounds final", "простите меня, больше не напишу. берегите себя"],
    ["overdose from a container, no pill word", "выпил весь блистер сразу, а потом ещё один"],
    ["a plan: how and when", "я уже решил, как это будет и когда"],
    ["laying hands on oneself", "думаю наложить на себя руки"],
    ["not wanting tomorrow to come", "молюсь, чтобы завтра не наступило"],
  ])("new frames: %s", (_why, text) => {
    expect(detectCrisis(text).crisis).toBe(true);
  });

  it.each([
    ["a plan with its own object", "я решила, как и когда подам на развод"],
    ["sorry for being late", "прости меня, я больше не буду опаздывать"],
  ])("and leave alone: %s", (_why, text) => {
    expect(extract(text).crisisFrames.filter((f) => f.override && !f.cancelledBy)).toEqual([]);
  });
});
