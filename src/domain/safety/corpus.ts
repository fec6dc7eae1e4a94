/**
 * The labelled safety corpus (`corpus/safety/`): row shape, how corpus kinds map to the detectors'
 * labels, and the fixed train / dev / blind split. The split is a hash of the normalised text, so a row
 * never moves between parts when rows are added, and the same text can never sit in two parts.
 */

import { hashFeature } from "./features.ts";

export interface CorpusRow {
  text: string;
  crisis: boolean;
  toxic: boolean;
  kind: string;
  /** File the row came from (set by the loader). */
  source?: string;
}

export type Split = "train" | "dev" | "blind";

export const CRISIS_CLASSES = [
  "none",
  "suicidal_intent",
  "self_harm",
  "overdose",
  "violence_now",
  "hopelessness",
] as const;
export const TOXIC_CLASSES = ["none", "insult", "threat", "sexual_demand", "hate", "harassment"] as const;

/** Corpus kinds are finer than the labels the bot acts on; these fold them. */
const CRISIS_LABEL_OF: Record<string, (typeof CRISIS_CLASSES)[number]> = {
  suicidal_intent: "suicidal_intent",
  passive_ideation: "suicidal_intent",
  plan: "suicidal_intent",
  method_means: "suicidal_intent",
  farewell: "suicidal_intent",
  burden: "suicidal_intent",
  reunion: "suicidal_intent",
  self_harm: "self_harm",
  overdose: "overdose",
  violence_now: "violence_now",
  hopelessness: "hopelessness",
};
const TOXIC_LABEL_OF: Record<string, (typeof TOXIC_CLASSES)[number]> = {
  insult: "insult",
  threat: "threat",
  sexual: "sexual_demand",
  sexual_demand: "sexual_demand",
  hate: "hate",
  harassment: "harassment",
};

export function crisisClassOf(row: CorpusRow): number {
  if (!row.crisis) return 0;
  return CRISIS_CLASSES.indexOf(CRISIS_LABEL_OF[row.kind] ?? "suicidal_intent");
}

export function toxicClassOf(row: CorpusRow): number {
  if (!row.toxic) return 0;
  return TOXIC_CLASSES.indexOf(TOXIC_LABEL_OF[row.kind] ?? "insult");
}

const splitKey = (text: string) => text.toLowerCase().replace(/ё/g, "е").replace(/\s+/g, " ").trim();

/** 70 % train, 15 % dev (thresholds, model choice), 15 % blind (scored once per change, never tuned on). */
export function splitOf(text: string): Split {
  const bucket = hashFeature(`split:${splitKey(text)}`) % 100;
  if (bucket < 70) return "train";
  if (bucket < 85) return "dev";
  return "blind";
}

/** Parses a corpus file; throws with the line number on a malformed row. */
export function parseCorpus(source: string, name: string): CorpusRow[] {
  const rows: CorpusRow[] = [];
  source.split("\n").forEach((line, i) => {
    if (!line.trim()) return;
    const r = JSON.parse(line) as Partial<CorpusRow>;
    if (typeof r.text !== "string" || typeof r.crisis !== "boolean" || typeof r.toxic !== "boolean")
      throw new Error(`${name}:${i + 1}: needs text, crisis and toxic`);
    rows.push({ text: r.text, crisis: r.crisis, toxic: r.toxic, kind: r.kind ?? "", source: name });
  });
  return rows;
}
