/**
 * Trains the crisis and toxicity models from `corpus/safety/` and writes them to
 * `src/domain/safety/models/`. Reproducible: a fixed split, a fixed grid, a seeded shuffle.
 *
 *   npm run safety:train            # train, choose on dev, write the weights
 *   npm run safety:train -- --check # train and compare with the committed weights, write nothing
 *   npm run safety:train -- --only=toxicity   # write (or check) one model, keep the other as committed
 *
 * The committed toxicity model is round 6's (stop 30): trained by this script on today's corpus, as
 * written (`--only=toxicity`). The crisis model is round 4's (stop 26), kept while the corpus grew:
 * retrained on today's corpus it lies on the same curve (docs/safety-eval.md, rounds 5 and 6).
 * Regression rows (pinned behaviours, the coach's hint library) weigh REGRESSION_WEIGHT times.
 *
 * The blind split and the fresh sets are never read here.
 */

import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CRISIS_CLASSES, crisisClassOf, TOXIC_CLASSES, toxicClassOf } from "../src/domain/safety/corpus.ts";
import { decideCrisis } from "../src/domain/safety/crisis.ts";
import { CRISIS_MODEL_FILE, TOXICITY_MODEL_FILE } from "../src/domain/safety/index.ts";
import { type LinearModel, packModel, predict, type TrainingRow, train } from "../src/domain/safety/model.ts";
import { loadMorphology } from "../src/domain/safety/morph.ts";
import { extract } from "../src/domain/safety/pipeline.ts";
import { decideToxicity, hasAbusiveWord, isBareReply } from "../src/domain/safety/toxicity.ts";
import { loadCorpus } from "./lib/safety-corpus.ts";

const check = process.argv.includes("--check");
const only = process.argv.find((a) => a.startsWith("--only="))?.slice("--only=".length);
if (only !== undefined && only !== "crisis" && only !== "toxicity") {
  console.error("--only must be crisis or toxicity");
  process.exit(2);
}
loadMorphology();
const corpus = loadCorpus().filter((r) => r.split !== "blind");
const rows = corpus.map((r) => {
  const x = extract(r.text);
  const crisisOverride = x.crisisFrames.some((f) => f.override && !f.cancelledBy);
  const toxicOverride = x.toxicFrames.some((f) => f.override && f.severity >= 2);
  const toxicEvidence = hasAbusiveWord(x.reading);
  return {
    row: r,
    features: x.features,
    crisisOverride,
    toxicOverride,
    // The detectors' own decisions, so dev numbers here are exactly what the bot would do.
    decideCrisis: (model: LinearModel) =>
      decideCrisis(x.crisisFrames, predict(model, x.features), model).crisis,
    decideToxic: (model: LinearModel) =>
      decideToxicity(
        x.toxicFrames,
        predict(model, x.features),
        model,
        toxicEvidence,
        x.reading.words.length,
        isBareReply(x.reading),
      ).toxic,
  };
});
const trainRows = rows.filter((r) => r.row.split === "train");
const REGRESSION_WEIGHT = 3;
const devRows = rows.filter((r) => r.row.split === "dev");

interface Choice {
  model: LinearModel;
  threshold: number;
  score: number;
  dev: { recall: number; fpr: number; ordinaryFpr: number; precision: number; f1: number };
  params: Record<string, number>;
}

/** Kinds of ordinary support talk (the crisis target's false alarms are counted on these). */
export const ORDINARY_KINDS = new Set(["support", "grief"]);

/** Positive when the model passes the threshold or a precise frame fires. */
function devMetrics(
  model: LinearModel,
  threshold: number,
  expected: (r: (typeof rows)[number]) => boolean,
  decide: (r: (typeof rows)[number], model: LinearModel) => boolean,
) {
  const at = { ...model, threshold };
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  let ordinaryFp = 0;
  let ordinary = 0;
  for (const r of devRows) {
    const got = decide(r, at);
    const want = expected(r);
    if (!want && ORDINARY_KINDS.has(r.row.kind)) {
      ordinary++;
      if (got) ordinaryFp++;
    }
    if (got && want) tp++;
    else if (got) fp++;
    else if (want) fn++;
    else tn++;
  }
  const recall = tp / Math.max(1, tp + fn);
  const precision = tp / Math.max(1, tp + fp);
  return {
    recall,
    precision,
    fpr: fp / Math.max(1, fp + tn),
    ordinaryFpr: ordinaryFp / Math.max(1, ordinary),
    f1: (2 * precision * recall) / Math.max(1e-9, precision + recall),
  };
}

function choose(
  name: string,
  classes: readonly string[],
  labelOf: (r: (typeof rows)[number]) => number,
  decide: (r: (typeof rows)[number], model: LinearModel) => boolean,
  objective: (m: ReturnType<typeof devMetrics>) => number,
): Choice {
  // Regression rows (behaviours pinned by tests, the coach's hint library) are what must never flip:
  // each is seen REGRESSION_WEIGHT times an epoch.
  const data: TrainingRow[] = trainRows.flatMap((r) =>
    Array.from({ length: r.row.source?.startsWith("regression/") ? REGRESSION_WEIGHT : 1 }, () => ({
      features: r.features,
      label: labelOf(r),
    })),
  );
  const expected = (r: (typeof rows)[number]) => labelOf(r) !== 0;
  let best: Choice | null = null;
  for (const epochs of [10, 20])
    for (const learningRate of [0.05, 0.2])
      for (const l2 of [0, 1e-4]) {
        const model = train(name, classes, data, { epochs, learningRate, l2, seed: 20261204 });
        for (let t = 0.05; t <= 0.951; t += 0.01) {
          const m = devMetrics(model, t, expected, decide);
          const score = objective(m);
          if (!best || score > best.score + 1e-9)
            best = {
              model,
              threshold: Number(t.toFixed(3)),
              score,
              dev: m,
              params: { epochs, learningRate, l2 },
            };
        }
      }
  if (!best) throw new Error("no model");
  best.model.threshold = best.threshold;
  return best;
}

/** Toxicity: the stricter threshold for short messages without an abusive word, on the chosen model. */
function chooseShortThreshold(c: Choice): void {
  const expected = (r: (typeof rows)[number]) => toxicClassOf(r.row) !== 0;
  let bestT = 1.01;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (let t = c.threshold; t <= 1.011; t += 0.01) {
    c.model.shortThreshold = Number(Math.min(t, 1.01).toFixed(3));
    const m = devMetrics(c.model, c.threshold, expected, (r, model) => r.decideToxic(model));
    const score = m.fpr <= 0.01 && m.ordinaryFpr <= 0.01 ? m.f1 : -m.fpr;
    if (score > bestScore + 1e-9) {
      bestScore = score;
      bestT = c.model.shortThreshold;
      c.dev = m;
    }
  }
  c.model.shortThreshold = bestT;
}

// Crisis: the most recall the dev split allows with at most 4 % false alarms on ordinary support talk
// (the target is 5 %; the margin is for the blind split) and at most 12 % on all negatives, hard ones included.
const crisis = choose(
  "crisis",
  CRISIS_CLASSES,
  (r) => crisisClassOf(r.row),
  (r, model) => r.decideCrisis(model),
  (m) => (m.ordinaryFpr <= 0.04 && m.fpr <= 0.12 ? m.recall - m.fpr * 0.1 : -m.ordinaryFpr - m.fpr),
);
// Toxicity withholds a message, so a false alarm silences someone: the best F1 with at most 1 % of
// non-toxic messages (and of ordinary support talk) withheld.
const toxicity = choose(
  "toxicity",
  TOXIC_CLASSES,
  (r) => toxicClassOf(r.row),
  (r, model) => r.decideToxic(model),
  (m) => (m.fpr <= 0.01 && m.ordinaryFpr <= 0.01 ? m.f1 : -m.fpr),
);

chooseShortThreshold(toxicity);

/** The corpus files it learnt from: the drift test scores each model on the dev rows of its own files. */
const corpusFiles = [...new Set(corpus.map((r) => r.source ?? ""))].sort();
const facts = (c: Choice) => ({
  rows: { train: trainRows.length, dev: devRows.length },
  files: corpusFiles,
  params: c.params,
  dev: Object.fromEntries(Object.entries(c.dev).map(([k, v]) => [k, Number(v.toFixed(4))])),
});
for (const [label, c] of [
  ["crisis", crisis],
  ["toxicity", toxicity],
] as const)
  console.log(
    `${label}: threshold ${c.threshold}${c.model.shortThreshold !== undefined ? ` (short, no abusive word: ${c.model.shortThreshold})` : ""}, params ${JSON.stringify(c.params)}, dev recall ${c.dev.recall.toFixed(3)} precision ${c.dev.precision.toFixed(3)} F1 ${c.dev.f1.toFixed(3)} FPR ${c.dev.fpr.toFixed(3)} (ordinary talk ${c.dev.ordinaryFpr.toFixed(3)})`,
  );

const files: Array<[URL, Choice]> = (
  [
    ["crisis", CRISIS_MODEL_FILE, crisis],
    ["toxicity", TOXICITY_MODEL_FILE, toxicity],
  ] as const
)
  .filter(([label]) => only === undefined || only === label)
  .map(([, url, c]) => [url, c]);
let differs = false;
for (const [url, c] of files) {
  const json = `${JSON.stringify(packModel(c.model, facts(c)))}\n`;
  if (check) {
    let old = "";
    try {
      old = readFileSync(url, "utf8");
    } catch {}
    if (old !== json) {
      differs = true;
      console.log(`${fileURLToPath(url)} differs from a fresh training run`);
    }
  } else {
    writeFileSync(url, json);
    console.log(`wrote ${fileURLToPath(url)} (${(json.length / 1024).toFixed(0)} KiB)`);
  }
}
if (check && differs) process.exit(1);
