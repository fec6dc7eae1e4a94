/**
 * Evaluates the safety classifiers and the anonymiser on the labelled sets in tests/fixtures/safety
 * and prints a table. Usage: npx tsx scripts/safety-eval.ts [--errors]
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  type AnonymizeRow,
  type BinaryMetrics,
  parseJsonl,
  scoreAnonymizer,
  scoreCrisis,
  scoreToxicity,
} from "../src/domain/safety/evaluate.ts";

const dir = join(import.meta.dirname, "..", "tests", "fixtures", "safety");
const showErrors = process.argv.includes("--errors");
const read = <T>(file: string) => parseJsonl<T>(readFileSync(join(dir, file), "utf8"));

const crisisRows = (file: string) =>
  read<{ text: string; crisis: boolean; label?: string }>(file).map((r) => ({
    text: r.text,
    expected: r.crisis,
    ...(r.label ? { label: r.label } : {}),
  }));
const toxicRows = (file: string) =>
  read<{ text: string; toxic: boolean }>(file).map((r) => ({ text: r.text, expected: r.toxic }));

const sets: Array<[string, string, BinaryMetrics]> = [
  ["crisis", "crisis.jsonl (dev)", scoreCrisis(crisisRows("crisis.jsonl"))],
  ["crisis", "crisis-holdout.jsonl", scoreCrisis(crisisRows("crisis-holdout.jsonl"))],
  ["crisis", "crisis-holdout-2.jsonl", scoreCrisis(crisisRows("crisis-holdout-2.jsonl"))],
  ["crisis", "crisis-holdout-3.jsonl", scoreCrisis(crisisRows("crisis-holdout-3.jsonl"))],
  ["crisis", "crisis-holdout-4.jsonl", scoreCrisis(crisisRows("crisis-holdout-4.jsonl"))],
  ["toxicity", "toxicity.jsonl (dev)", scoreToxicity(toxicRows("toxicity.jsonl"))],
  ["toxicity", "toxicity-holdout.jsonl", scoreToxicity(toxicRows("toxicity-holdout.jsonl"))],
  ["toxicity", "toxicity-holdout-2.jsonl", scoreToxicity(toxicRows("toxicity-holdout-2.jsonl"))],
  ["toxicity", "toxicity-holdout-3.jsonl", scoreToxicity(toxicRows("toxicity-holdout-3.jsonl"))],
  ["toxicity", "toxicity-holdout-4.jsonl", scoreToxicity(toxicRows("toxicity-holdout-4.jsonl"))],
];

const f3 = (x: number) => x.toFixed(3);
const pad = (s: string, n: number) => s.padEnd(n);
console.log(
  `${pad("task", 9)}${pad("set", 27)}${pad("n", 5)}${pad("pos", 5)}${pad("TP", 4)}${pad("FP", 4)}${pad("FN", 4)}${pad("precision", 10)}${pad("recall", 8)}${pad("F1", 7)}FPR`,
);
for (const [task, name, m] of sets) {
  console.log(
    `${pad(task, 9)}${pad(name, 27)}${pad(String(m.n), 5)}${pad(String(m.positives), 5)}${pad(String(m.tp), 4)}${pad(String(m.fp), 4)}${pad(String(m.fn), 4)}${pad(f3(m.precision), 10)}${pad(f3(m.recall), 8)}${pad(f3(m.f1), 7)}${f3(m.fpr)}`,
  );
}

console.log("\ncrisis recall by label (found/total)");
for (const [, name, m] of sets.filter(([task]) => task === "crisis")) {
  const parts = Object.entries(m.recallByLabel).map(([label, r]) => `${label} ${r.found}/${r.total}`);
  console.log(`  ${pad(name, 25)} ${parts.join(", ")}`);
}

const anonSets = ["anonymize.jsonl", "anonymize-holdout.jsonl", "anonymize-holdout-2.jsonl"].map(
  (file) => [file, scoreAnonymizer(read<AnonymizeRow>(file))] as const,
);
console.log("");
for (const [file, anon] of anonSets)
  console.log(
    `anonymiser ${pad(file, 24)} rows ${anon.rows}, PII removed ${anon.piiRemoved}/${anon.piiTotal} = ${f3(anon.removalRate)}, other words kept ${anon.kept}/${anon.keepTotal} = ${f3(anon.keepRate)}`,
  );

if (showErrors) {
  for (const [, name, m] of sets) for (const e of m.errors) console.log(`${name}\t${e.kind}\t${e.text}`);
  for (const [file, anon] of anonSets)
    for (const e of anon.errors) console.log(`${file}\t${JSON.stringify(e)}`);
}
