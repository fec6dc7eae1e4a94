/**
 * Scores the safety layers on the corpus and prints a table per layer: the frames alone (their
 * overrides), the model alone, and the detector (both). Usage:
 *
 *   npx tsx scripts/safety-eval.ts            # the dev split (what thresholds were chosen on)
 *   npx tsx scripts/safety-eval.ts --blind    # the blind split: score once per change, never tune on it
 *   npx tsx scripts/safety-eval.ts --fresh    # the fresh sets (other authors, never trained on)
 *   ... --errors                              # plus every misclassified message
 *   ... --json                                # one JSON object instead of the tables
 *
 * The anonymiser's labelled sets (tests/fixtures/safety/anonymize*.jsonl) are scored too.
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { CorpusRow } from "../src/domain/safety/corpus.ts";
import { type AnonymizeRow, parseJsonl, scoreAnonymizer } from "../src/domain/safety/evaluate.ts";
import { assess, warmUpSafety } from "../src/domain/safety/index.ts";
import { loadCorpus, loadFresh } from "./lib/safety-corpus.ts";

const args = new Set(process.argv.slice(2));
const ORDINARY = new Set(["support", "grief"]);
warmUpSafety();

interface Scored {
  row: CorpusRow;
  frames: boolean;
  model: boolean;
  detector: boolean;
  toxicFrames: boolean;
  toxicModel: boolean;
  toxicDetector: boolean;
  ms: number;
}

function score(rows: readonly CorpusRow[]): Scored[] {
  return rows.map((row) => {
    const t0 = performance.now();
    const a = assess(row.text);
    const ms = performance.now() - t0;
    return {
      row,
      frames: a.crisisFrames.some((f) => f.override && !f.cancelledBy),
      model: a.crisis.score >= a.crisisThreshold,
      detector: a.crisis.crisis,
      toxicFrames: a.toxicFrames.some((f) => f.override && f.severity >= 2),
      toxicModel: a.toxicity.score >= a.toxicThreshold,
      toxicDetector: a.toxicity.toxic,
      ms,
    };
  });
}

const pct = (a: number, b: number) => (b === 0 ? "—" : (a / b).toFixed(3));

function crisisTable(name: string, scored: Scored[]) {
  const pos = scored.filter((s) => s.row.crisis);
  const ordinary = scored.filter((s) => !s.row.crisis && !s.row.toxic && ORDINARY.has(s.row.kind));
  const hard = scored.filter((s) => !s.row.crisis && !s.row.toxic && !ORDINARY.has(s.row.kind));
  const allNeg = scored.filter((s) => !s.row.crisis);
  const out: Record<string, unknown> = {
    set: name,
    positives: pos.length,
    ordinary: ordinary.length,
    hard: hard.length,
  };
  for (const layer of ["frames", "model", "detector"] as const) {
    const tp = pos.filter((s) => s[layer]).length;
    const fp = allNeg.filter((s) => s[layer]).length;
    out[layer] = {
      recall: Number(pct(tp, pos.length)),
      precision: Number(pct(tp, tp + fp)),
      fprOrdinary: Number(pct(ordinary.filter((s) => s[layer]).length, ordinary.length)),
      fprHard: Number(pct(hard.filter((s) => s[layer]).length, hard.length)),
      fprAll: Number(pct(fp, allNeg.length)),
    };
  }
  const byKind: Record<string, string> = {};
  for (const kind of [...new Set(pos.map((s) => s.row.kind))].sort()) {
    const k = pos.filter((s) => s.row.kind === kind);
    byKind[kind] = `${k.filter((s) => s.detector).length}/${k.length}`;
  }
  out.recallByKind = byKind;
  // Long stories with the danger implied are where the model misses most (stop 25).
  const byLength: Record<string, string> = {};
  for (const [label, lo, hi] of LENGTHS) {
    const k = pos.filter((s) => {
      const words = s.row.text.split(/\s+/).filter(Boolean).length;
      return words >= lo && words <= hi;
    });
    byLength[label] = `${k.filter((s) => s.detector).length}/${k.length}`;
  }
  out.recallByWords = byLength;
  return out;
}

const LENGTHS: Array<[string, number, number]> = [
  ["1-5", 1, 5],
  ["6-14", 6, 14],
  ["15-29", 15, 29],
  ["30+", 30, Number.POSITIVE_INFINITY],
];

function toxicTable(name: string, scored: Scored[]) {
  const pos = scored.filter((s) => s.row.toxic);
  const neg = scored.filter((s) => !s.row.toxic);
  const out: Record<string, unknown> = { set: name, positives: pos.length, negatives: neg.length };
  for (const layer of ["toxicFrames", "toxicModel", "toxicDetector"] as const) {
    const tp = pos.filter((s) => s[layer]).length;
    const fp = neg.filter((s) => s[layer]).length;
    const precision = tp / Math.max(1, tp + fp);
    const recall = tp / Math.max(1, pos.length);
    out[layer.replace("toxic", "").toLowerCase()] = {
      precision: Number(precision.toFixed(3)),
      recall: Number(recall.toFixed(3)),
      f1: Number(((2 * precision * recall) / Math.max(1e-9, precision + recall)).toFixed(3)),
      fpr: Number(pct(fp, neg.length)),
    };
  }
  return out;
}

function speed(scored: Scored[]) {
  const ms = scored.map((s) => s.ms).sort((a, b) => a - b);
  const q = (p: number) => ms[Math.min(ms.length - 1, Math.floor(p * ms.length))] ?? 0;
  return {
    n: ms.length,
    p50: Number(q(0.5).toFixed(3)),
    p99: Number(q(0.99).toFixed(3)),
    max: Number(q(1).toFixed(3)),
  };
}

const corpus = loadCorpus();
const sets: Array<{ name: string; rows: CorpusRow[] }> = [];
if (args.has("--fresh")) sets.push(...loadFresh());
else if (args.has("--blind"))
  sets.push({ name: "blind split", rows: corpus.filter((r) => r.split === "blind") });
else sets.push({ name: "dev split", rows: corpus.filter((r) => r.split === "dev") });

const anonDir = join(import.meta.dirname, "..", "tests", "fixtures", "safety");
const anonymiser = [
  "anonymize.jsonl",
  "anonymize-holdout.jsonl",
  "anonymize-holdout-2.jsonl",
  "anonymize-names-blind.jsonl",
].map((file) => {
  const m = scoreAnonymizer(parseJsonl<AnonymizeRow>(readFileSync(join(anonDir, file), "utf8")));
  return {
    file,
    removed: `${m.piiRemoved}/${m.piiTotal}`,
    removalRate: Number(m.removalRate.toFixed(3)),
    keepRate: Number(m.keepRate.toFixed(3)),
    errors: m.errors,
  };
});

const report = sets.map(({ name, rows }) => {
  const scored = score(rows);
  return {
    name,
    crisis: crisisTable(name, scored),
    toxicity: toxicTable(name, scored),
    speedMs: speed(scored),
    scored,
  };
});

if (args.has("--json")) {
  console.log(
    JSON.stringify(
      {
        sets: report.map(({ scored: _s, ...r }) => r),
        anonymiser: anonymiser.map(({ errors: _e, ...a }) => a),
      },
      null,
      2,
    ),
  );
} else {
  for (const r of report) {
    console.log(`\n== ${r.name}`);
    console.log("crisis", JSON.stringify(r.crisis, null, 1));
    console.log("toxicity", JSON.stringify(r.toxicity, null, 1));
    console.log("speed (ms per message, this process, warm)", JSON.stringify(r.speedMs));
  }
  console.log("\n== anonymiser");
  for (const a of anonymiser)
    console.log(`${a.file}: PII removed ${a.removed} = ${a.removalRate}, other words kept ${a.keepRate}`);
  if (args.has("--errors")) {
    for (const r of report) {
      for (const s of r.scored) {
        if (s.detector !== s.row.crisis)
          console.log(`crisis ${s.detector ? "FP" : "FN"}\t${s.row.kind}\t${s.row.text}`);
        if (s.toxicDetector !== s.row.toxic)
          console.log(`toxic ${s.toxicDetector ? "FP" : "FN"}\t${s.row.kind}\t${s.row.text}`);
      }
    }
    for (const a of anonymiser) for (const e of a.errors) console.log(`${a.file}\t${JSON.stringify(e)}`);
  }
}
