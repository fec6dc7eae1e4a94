/**
 * Metrics for the labelled safety sets: precision, recall, F1 and false-positive rate for the
 * classifiers, removal and keep rates for the anonymiser. Pure; the script and the CI test read the
 * fixture files and pass the rows in.
 */

import { anonymize } from "../anonymize.ts";
import { type RiskMark, shouldEscalate } from "./context.ts";

export interface BinaryMetrics {
  n: number;
  positives: number;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  precision: number;
  recall: number;
  f1: number;
  /** False positives over all negatives. */
  fpr: number;
  /** Texts the classifier got wrong, for the report. */
  errors: Array<{ text: string; expected: boolean; kind: "fp" | "fn" }>;
  /** Recall per `label` field of positive rows, when rows carry one. */
  recallByLabel: Record<string, { found: number; total: number }>;
}

export interface LabelledRow {
  text: string;
  expected: boolean;
  label?: string;
}

const ratio = (a: number, b: number) => (b === 0 ? 1 : a / b);

export function scoreBinary(rows: readonly LabelledRow[], predict: (text: string) => boolean): BinaryMetrics {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  const errors: BinaryMetrics["errors"] = [];
  const recallByLabel: BinaryMetrics["recallByLabel"] = {};
  for (const row of rows) {
    const got = predict(row.text);
    if (row.expected && row.label) {
      const slot = recallByLabel[row.label] ?? { found: 0, total: 0 };
      slot.total++;
      if (got) slot.found++;
      recallByLabel[row.label] = slot;
    }
    if (got && row.expected) tp++;
    else if (got) {
      fp++;
      errors.push({ text: row.text, expected: false, kind: "fp" });
    } else if (row.expected) {
      fn++;
      errors.push({ text: row.text, expected: true, kind: "fn" });
    } else tn++;
  }
  const precision = ratio(tp, tp + fp);
  const recall = ratio(tp, tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return {
    n: rows.length,
    positives: tp + fn,
    tp,
    fp,
    fn,
    tn,
    precision,
    recall,
    f1,
    fpr: fp + tn === 0 ? 0 : fp / (fp + tn),
    errors,
    recallByLabel,
  };
}

export interface AnonymizeRow {
  text: string;
  pii: string[];
  keep: string[];
  selfNames?: string[];
  peerNames?: string[];
}

export interface AnonymizeMetrics {
  rows: number;
  piiTotal: number;
  piiRemoved: number;
  removalRate: number;
  keepTotal: number;
  kept: number;
  keepRate: number;
  errors: Array<{ text: string; output: string; leaked: string[]; lost: string[] }>;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const containsWord = (haystack: string, word: string) =>
  new RegExp(String.raw`(?<![\p{L}\p{N}])${escapeRe(word)}(?![\p{L}\p{N}])`, "u").test(haystack);

/** A PII span counts as removed when it no longer appears in the output; a keep-word when it still does. */
export function scoreAnonymizer(rows: readonly AnonymizeRow[]): AnonymizeMetrics {
  let piiTotal = 0;
  let piiRemoved = 0;
  let keepTotal = 0;
  let kept = 0;
  const errors: AnonymizeMetrics["errors"] = [];
  for (const row of rows) {
    const output = anonymize(row.text, {
      ...(row.selfNames ? { selfNames: row.selfNames } : {}),
      ...(row.peerNames ? { peerNames: row.peerNames } : {}),
    });
    const leaked = row.pii.filter((p) => output.includes(p));
    const lost = row.keep.filter((k) => !containsWord(output, k));
    piiTotal += row.pii.length;
    piiRemoved += row.pii.length - leaked.length;
    keepTotal += row.keep.length;
    kept += row.keep.length - lost.length;
    if (leaked.length > 0 || lost.length > 0) errors.push({ text: row.text, output, leaked, lost });
  }
  return {
    rows: rows.length,
    piiTotal,
    piiRemoved,
    removalRate: ratio(piiRemoved, piiTotal),
    keepTotal,
    kept,
    keepRate: ratio(kept, keepTotal),
    errors,
  };
}

/** Parses a JSONL fixture: one object per non-empty line. */
export function parseJsonl<T>(source: string): T[] {
  return source
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as T);
}

/** One message as the conversation context reads it (see `context.ts`). */
export interface MessageReading {
  /** Crisis score relative to the model's threshold. */
  r: number;
  cues: string[];
  /** A crisis by this message alone. */
  crisis: boolean;
}

/**
 * Replays one person's messages in one conversation through the context rule, as the bot does (one
 * minute apart): the index of the first message that brings support by itself, and with context.
 */
export function replayConversation(readings: readonly MessageReading[]): {
  alone: number | null;
  withContext: number | null;
} {
  const history: RiskMark[] = [];
  let alone: number | null = null;
  let withContext: number | null = null;
  readings.forEach((m, i) => {
    const t = i * 60_000;
    const mark: RiskMark = { r: m.r, c: m.cues, x: m.crisis, t };
    const escalate = shouldEscalate(history, mark, t);
    if (m.crisis && alone === null) alone = i;
    if ((m.crisis || escalate) && withContext === null) withContext = i;
    history.push({ ...mark, x: m.crisis || escalate });
  });
  return { alone, withContext };
}
