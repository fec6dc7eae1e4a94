/**
 * A multinomial logistic regression over hashed binary features: small, fast (one sparse dot product
 * per class), and trained reproducibly in TypeScript by `npm run safety:train` (`scripts/safety-train.ts`)
 * from the project's corpus. The weights are a committed file read once at start-up.
 *
 * File format (JSON): classes, buckets, the decision threshold chosen on the dev split, and the non-zero
 * rows of the weight matrix as base64 (bucket ids as uint32, weights as int16 with one scale).
 */

import { readFileSync } from "node:fs";
import { FEATURE_BUCKETS } from "./features.ts";

export interface ModelFile {
  name: string;
  classes: string[];
  buckets: number;
  /** p(not the first class) at or above this is positive; chosen on the dev split. */
  threshold: number;
  /** Toxicity only: the threshold for a short message with no abusive word (stricter), from dev too. */
  shortThreshold?: number;
  scale: number;
  rows: string;
  weights: string;
  /** Free-form facts about how it was trained (corpus size, epochs, dev numbers). */
  trainedOn: Record<string, unknown>;
}

export interface LinearModel {
  name: string;
  classes: readonly string[];
  threshold: number;
  shortThreshold?: number;
  /** Dense weights, bucket-major: weights[bucket * classes + k]. */
  weights: Float32Array;
  bias: Float32Array;
}

export interface Prediction {
  /** Probability per class, in `classes` order. */
  probs: Float32Array;
  /** 1 − p(first class): the chance the message is any positive class. */
  positive: number;
  /** The likeliest positive class. */
  top: string;
}

export function predict(model: LinearModel, features: Uint32Array): Prediction {
  const k = model.classes.length;
  const sums = new Float32Array(k);
  const w = model.weights;
  for (let i = 0; i < features.length; i++) {
    const base = features[i]! * k;
    for (let c = 0; c < k; c++) sums[c]! += w[base + c]!;
  }
  // Features are binary and the row is scaled to unit length, so a long message weighs like a short one.
  const x = featureValue(features);
  const scores = new Float32Array(k);
  for (let c = 0; c < k; c++) scores[c] = model.bias[c]! + sums[c]! * x;
  const probs = softmax(scores);
  let top = 1;
  for (let c = 2; c < k; c++) if (probs[c]! > probs[top]!) top = c;
  return { probs, positive: 1 - probs[0]!, top: model.classes[top] ?? "" };
}

/** The value of each (binary) feature after scaling the row to unit L2 norm. */
export const featureValue = (features: Uint32Array) =>
  features.length === 0 ? 0 : 1 / Math.sqrt(features.length);

export function softmax(scores: Float32Array): Float32Array {
  let max = Number.NEGATIVE_INFINITY;
  for (const s of scores) if (s > max) max = s;
  let sum = 0;
  const out = new Float32Array(scores.length);
  for (let i = 0; i < scores.length; i++) {
    out[i] = Math.exp(scores[i]! - max);
    sum += out[i]!;
  }
  for (let i = 0; i < out.length; i++) out[i]! /= sum;
  return out;
}

/** Packs dense weights into the committed format: only non-zero rows, int16 with one scale. */
export function packModel(model: LinearModel, trainedOn: Record<string, unknown>): ModelFile {
  const k = model.classes.length;
  let maxAbs = 0;
  for (const v of model.weights) maxAbs = Math.max(maxAbs, Math.abs(v));
  for (const v of model.bias) maxAbs = Math.max(maxAbs, Math.abs(v));
  const scale = maxAbs / 32767 || 1;
  const rows: number[] = [];
  const values: number[] = [];
  // Row FEATURE_BUCKETS holds the bias.
  const rowOf = (bucket: number) =>
    bucket === FEATURE_BUCKETS ? model.bias : model.weights.subarray(bucket * k, bucket * k + k);
  for (let b = 0; b <= FEATURE_BUCKETS; b++) {
    const row = rowOf(b);
    const q = Array.from(row, (v) => Math.round(v / scale));
    if (q.every((v) => v === 0)) continue;
    rows.push(b);
    values.push(...q);
  }
  return {
    name: model.name,
    classes: [...model.classes],
    buckets: FEATURE_BUCKETS,
    threshold: model.threshold,
    ...(model.shortThreshold !== undefined ? { shortThreshold: model.shortThreshold } : {}),
    scale,
    rows: Buffer.from(Uint32Array.from(rows).buffer).toString("base64"),
    weights: Buffer.from(Int16Array.from(values).buffer).toString("base64"),
    trainedOn,
  };
}

export function unpackModel(file: ModelFile): LinearModel {
  if (file.buckets !== FEATURE_BUCKETS)
    throw new Error(
      `model ${file.name} was trained for ${file.buckets} buckets, features give ${FEATURE_BUCKETS}`,
    );
  const k = file.classes.length;
  const rowsBuf = Buffer.from(file.rows, "base64");
  const valuesBuf = Buffer.from(file.weights, "base64");
  const rows = new Uint32Array(
    rowsBuf.buffer.slice(rowsBuf.byteOffset, rowsBuf.byteOffset + rowsBuf.byteLength),
  );
  const values = new Int16Array(
    valuesBuf.buffer.slice(valuesBuf.byteOffset, valuesBuf.byteOffset + valuesBuf.byteLength),
  );
  const weights = new Float32Array(FEATURE_BUCKETS * k);
  const bias = new Float32Array(k);
  rows.forEach((bucket, r) => {
    for (let c = 0; c < k; c++) {
      const v = values[r * k + c]! * file.scale;
      if (bucket === FEATURE_BUCKETS) bias[c] = v;
      else weights[bucket * k + c] = v;
    }
  });
  return {
    name: file.name,
    classes: file.classes,
    threshold: file.threshold,
    ...(file.shortThreshold !== undefined ? { shortThreshold: file.shortThreshold } : {}),
    weights,
    bias,
  };
}

export function loadModelFile(url: URL): LinearModel {
  return unpackModel(JSON.parse(readFileSync(url, "utf8")) as ModelFile);
}

export interface TrainingRow {
  features: Uint32Array;
  /** Index into `classes`. */
  label: number;
}

export interface TrainOptions {
  epochs: number;
  learningRate: number;
  l2: number;
  /** Seed of the shuffle, so the same corpus gives the same weights. */
  seed: number;
  /** Weight of each class in the loss (positives can count more than the many negatives). */
  classWeights?: readonly number[];
}

/** Mulberry32: a tiny seeded PRNG for a reproducible shuffle. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Softmax regression by AdaGrad with L2, applied lazily to the rows a sample touches. */
export function train(
  name: string,
  classes: readonly string[],
  rows: readonly TrainingRow[],
  opts: TrainOptions,
): LinearModel {
  const k = classes.length;
  const weights = new Float32Array(FEATURE_BUCKETS * k);
  const bias = new Float32Array(k);
  const g2 = new Float32Array(FEATURE_BUCKETS * k);
  const g2Bias = new Float32Array(k);
  const random = seededRandom(opts.seed);
  const order = rows.map((_, i) => i);
  const model: LinearModel = { name, classes, threshold: 0.5, weights, bias };
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const idx of order) {
      const row = rows[idx]!;
      const { probs } = predict(model, row.features);
      const cw = opts.classWeights?.[row.label] ?? 1;
      const x = featureValue(row.features);
      for (let c = 0; c < k; c++) {
        const grad = (probs[c]! - (c === row.label ? 1 : 0)) * cw;
        g2Bias[c]! += grad * grad;
        bias[c]! -= (opts.learningRate * grad) / Math.sqrt(g2Bias[c]! + 1e-8);
        for (let f = 0; f < row.features.length; f++) {
          const at = row.features[f]! * k + c;
          const g = grad * x + opts.l2 * weights[at]!;
          g2[at]! += g * g;
          weights[at]! -= (opts.learningRate * g) / Math.sqrt(g2[at]! + 1e-8);
        }
      }
    }
  }
  return model;
}
