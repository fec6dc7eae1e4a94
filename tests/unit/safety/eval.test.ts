import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  type AnonymizeRow,
  parseJsonl,
  scoreAnonymizer,
  scoreBinary,
  scoreCrisis,
  scoreToxicity,
} from "../../../src/domain/safety/evaluate.ts";

const dir = join(import.meta.dirname, "..", "..", "fixtures", "safety");
const read = <T>(file: string) => parseJsonl<T>(readFileSync(join(dir, file), "utf8"));
const crisis = read<{ text: string; crisis: boolean; label?: string }>("crisis.jsonl");
const toxicity = read<{ text: string; toxic: boolean }>("toxicity.jsonl");
const anonymizeRows = read<AnonymizeRow>("anonymize.jsonl");

describe("safety dev sets are big and varied enough to mean something", () => {
  it("crisis: ≥150 rows, ≥60 positives over every label, ≥90 negatives", () => {
    expect(crisis.length).toBeGreaterThanOrEqual(150);
    expect(crisis.filter((r) => r.crisis).length).toBeGreaterThanOrEqual(60);
    expect(crisis.filter((r) => !r.crisis).length).toBeGreaterThanOrEqual(90);
    const labels = new Set(crisis.filter((r) => r.crisis).map((r) => r.label));
    for (const l of ["suicidal_intent", "self_harm", "overdose", "violence_now", "hopelessness"])
      expect(labels).toContain(l);
  });
  it("toxicity: ≥150 rows with both classes; anonymiser: ≥60 rows", () => {
    expect(toxicity.length).toBeGreaterThanOrEqual(150);
    expect(toxicity.filter((r) => r.toxic).length).toBeGreaterThanOrEqual(50);
    expect(toxicity.filter((r) => !r.toxic).length).toBeGreaterThanOrEqual(50);
    expect(anonymizeRows.length).toBeGreaterThanOrEqual(60);
  });
  it("holdout sets hold at least 40 rows each; v3 has ≥40 positives per task and 30 PII lines", () => {
    for (const f of [
      "crisis-holdout.jsonl",
      "toxicity-holdout.jsonl",
      "crisis-holdout-2.jsonl",
      "toxicity-holdout-2.jsonl",
      "crisis-holdout-3.jsonl",
      "toxicity-holdout-3.jsonl",
      "crisis-holdout-4.jsonl",
      "toxicity-holdout-4.jsonl",
    ])
      expect(read<unknown>(f).length).toBeGreaterThanOrEqual(40);
    expect(
      read<{ crisis: boolean }>("crisis-holdout-3.jsonl").filter((r) => r.crisis).length,
    ).toBeGreaterThanOrEqual(40);
    expect(
      read<{ toxic: boolean }>("toxicity-holdout-3.jsonl").filter((r) => r.toxic).length,
    ).toBeGreaterThanOrEqual(40);
    expect(read<unknown>("anonymize-holdout.jsonl").length).toBeGreaterThanOrEqual(30);
  });
  it("no sentence appears twice in a set or in both a dev and a holdout set", () => {
    const all = [
      ...crisis.map((r) => r.text),
      ...read<{ text: string }>("crisis-holdout.jsonl").map((r) => r.text),
      ...read<{ text: string }>("crisis-holdout-2.jsonl").map((r) => r.text),
      ...read<{ text: string }>("crisis-holdout-3.jsonl").map((r) => r.text),
      ...read<{ text: string }>("crisis-holdout-4.jsonl").map((r) => r.text),
    ];
    expect(new Set(all).size).toBe(all.length);
    const toxic = [
      ...toxicity.map((r) => r.text),
      ...[
        "toxicity-holdout.jsonl",
        "toxicity-holdout-2.jsonl",
        "toxicity-holdout-3.jsonl",
        "toxicity-holdout-4.jsonl",
      ]
        .flatMap((f) => read<{ text: string }>(f))
        .map((r) => r.text),
    ];
    expect(new Set(toxic).size).toBe(toxic.length);
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

describe("targets on the dev sets (a regression fails CI)", () => {
  it("crisis: recall ≥ 0.95 with false positives ≤ 5% of ordinary messages", () => {
    const m = scoreCrisis(crisis.map((r) => ({ text: r.text, expected: r.crisis })));
    expect(m.recall, JSON.stringify(m.errors)).toBeGreaterThanOrEqual(0.95);
    expect(m.fpr, JSON.stringify(m.errors)).toBeLessThanOrEqual(0.05);
  });
  it("toxicity: F1 ≥ 0.9", () => {
    const m = scoreToxicity(toxicity.map((r) => ({ text: r.text, expected: r.toxic })));
    expect(m.f1, JSON.stringify(m.errors)).toBeGreaterThanOrEqual(0.9);
  });
  it("anonymiser: removes ≥ 95% of PII and keeps ≥ 90% of other words", () => {
    const m = scoreAnonymizer(anonymizeRows);
    expect(m.removalRate, JSON.stringify(m.errors)).toBeGreaterThanOrEqual(0.95);
    expect(m.keepRate, JSON.stringify(m.errors)).toBeGreaterThanOrEqual(0.9);
  });
});
