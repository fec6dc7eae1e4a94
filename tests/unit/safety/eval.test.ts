import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadCorpus, loadFresh } from "../../../scripts/lib/safety-corpus.ts";
import { crisisClassOf, splitOf, toxicClassOf } from "../../../src/domain/safety/corpus.ts";
import {
  type AnonymizeRow,
  parseJsonl,
  scoreAnonymizer,
  scoreBinary,
} from "../../../src/domain/safety/evaluate.ts";
import { assess, CRISIS_MODEL_FILE, TOXICITY_MODEL_FILE } from "../../../src/domain/safety/index.ts";

const corpus = loadCorpus();
const anonDir = join(import.meta.dirname, "..", "..", "fixtures", "safety");

describe("the safety corpus", () => {
  it("holds at least 4 000 labelled lines, crisis kinds and hard negatives both well represented", () => {
    expect(corpus.length).toBeGreaterThanOrEqual(4000);
    const kinds = (pred: (r: (typeof corpus)[number]) => boolean) =>
      new Set(corpus.filter(pred).map((r) => r.kind));
    for (const k of [
      "suicidal_intent",
      "passive_ideation",
      "plan",
      "method_means",
      "farewell",
      "burden",
      "reunion",
      "self_harm",
      "overdose",
      "violence_now",
      "hopelessness",
    ])
      expect(kinds((r) => r.crisis)).toContain(k);
    for (const k of [
      "hyperbole",
      "recovered",
      "other_person",
      "grief",
      "medication",
      "support",
      "ending_other",
    ])
      expect(kinds((r) => !r.crisis && !r.toxic)).toContain(k);
    expect(corpus.filter((r) => r.crisis).length).toBeGreaterThanOrEqual(1500);
    expect(corpus.filter((r) => !r.crisis && !r.toxic).length).toBeGreaterThanOrEqual(1500);
  });

  it("has a fixed split by text: about 70/15/15, and no text in two parts", () => {
    const parts = { train: 0, dev: 0, blind: 0 };
    for (const r of corpus) parts[r.split]++;
    const hashed = corpus.filter((r) => splitOf(r.text) === r.split).length;
    expect(parts.dev / hashed).toBeGreaterThan(0.1);
    expect(parts.blind / hashed).toBeGreaterThan(0.1);
    const seen = new Map<string, string>();
    for (const r of corpus) {
      const key = r.text.trim().toLowerCase();
      expect(seen.get(key) ?? r.split).toBe(r.split);
      seen.set(key, r.split);
    }
    // The same text always lands in the same part, whatever file it comes from.
    expect(splitOf("Хочу   умереть")).toBe(splitOf("хочу умереть"));
  });

  it("keeps the fresh sets out of the corpus", () => {
    const inCorpus = new Set(corpus.map((r) => r.text.trim().toLowerCase()));
    for (const set of loadFresh())
      for (const r of set.rows) expect(inCorpus.has(r.text.trim().toLowerCase())).toBe(false);
  });

  it("maps kinds to the labels the bot acts on", () => {
    expect(crisisClassOf({ text: "", crisis: true, toxic: false, kind: "reunion" })).toBe(1);
    expect(crisisClassOf({ text: "", crisis: false, toxic: false, kind: "reunion" })).toBe(0);
    expect(toxicClassOf({ text: "", crisis: false, toxic: true, kind: "sexual" })).toBe(3);
  });
});

describe("the committed models", () => {
  const recorded = (url: URL) =>
    JSON.parse(readFileSync(url, "utf8")) as {
      trainedOn: { dev: Record<string, number>; rows: { dev: number }; files: string[] };
      threshold: number;
    };

  it("are under 5 MB together", () => {
    const size = readFileSync(CRISIS_MODEL_FILE).length + readFileSync(TOXICITY_MODEL_FILE).length;
    expect(size).toBeLessThan(5 * 1024 * 1024);
  });

  it("reproduce the dev numbers recorded when they were trained (the pipeline did not drift)", () => {
    // Each model on the dev rows of the files it was trained with (a model kept while the corpus grew
    // is checked on its own dev split, not on rows added after it).
    const devOf = (url: URL) => {
      const { files, rows } = recorded(url).trainedOn;
      const dev = corpus.filter((r) => r.split === "dev" && files.includes(r.source ?? ""));
      expect(dev.length).toBe(rows.dev);
      return dev;
    };
    const crisis = scoreBinary(
      devOf(CRISIS_MODEL_FILE).map((r) => ({ text: r.text, expected: r.crisis })),
      (t) => assess(t).crisis.crisis,
    );
    const toxic = scoreBinary(
      devOf(TOXICITY_MODEL_FILE).map((r) => ({ text: r.text, expected: r.toxic })),
      (t) => assess(t).toxicity.toxic,
    );
    const c = recorded(CRISIS_MODEL_FILE).trainedOn.dev;
    const x = recorded(TOXICITY_MODEL_FILE).trainedOn.dev;
    expect(crisis.recall).toBeCloseTo(c.recall ?? -1, 2);
    expect(crisis.fpr).toBeCloseTo(c.fpr ?? -1, 2);
    expect(toxic.recall).toBeCloseTo(x.recall ?? -1, 2);
    expect(toxic.fpr).toBeCloseTo(x.fpr ?? -1, 2);
  });
});

describe("the metric arithmetic", () => {
  it("counts TP/FP/FN and derives precision, recall, F1 and FPR", () => {
    const rows = [
      { text: "a", expected: true },
      { text: "b", expected: true },
      { text: "c", expected: false },
      { text: "d", expected: false },
    ];
    const m = scoreBinary(rows, (t) => t === "a" || t === "c");
    expect([m.tp, m.fp, m.fn, m.tn]).toEqual([1, 1, 1, 1]);
    expect(m.precision).toBe(0.5);
    expect(m.recall).toBe(0.5);
    expect(m.f1).toBe(0.5);
    expect(m.fpr).toBe(0.5);
  });
});

describe("anonymiser targets (a regression fails CI)", () => {
  it("removes ≥ 95% of PII and keeps ≥ 90% of other words on its dev set", () => {
    const m = scoreAnonymizer(
      parseJsonl<AnonymizeRow>(readFileSync(join(anonDir, "anonymize.jsonl"), "utf8")),
    );
    expect(m.removalRate, JSON.stringify(m.errors)).toBeGreaterThanOrEqual(0.95);
    expect(m.keepRate, JSON.stringify(m.errors)).toBeGreaterThanOrEqual(0.9);
  });
});
