/**
 * Keeps the coach's hint library in the safety corpus: every curated hint is a training row
 * (`corpus/safety/regression/coach-hints.jsonl`, not crisis, not toxic), so the models learn that a
 * supporter's hint is never abuse. Appends the entries the file lacks; rows already there stay.
 *
 *   npx tsx scripts/safety-hint-rows.ts
 *
 * `tests/unit/coach/library.test.ts` fails when an entry is missing.
 */
import { appendFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { libraryHintTexts } from "../src/domain/coach/library.ts";
import { CORPUS_DIR } from "./lib/safety-corpus.ts";

const file = join(CORPUS_DIR, "regression", "coach-hints.jsonl");
const present = new Set(
  readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => (JSON.parse(l) as { text: string }).text),
);
const missing = libraryHintTexts().filter((t) => !present.has(t));
if (missing.length > 0)
  appendFileSync(
    file,
    `${missing.map((text) => JSON.stringify({ text, crisis: false, toxic: false, kind: "support" })).join("\n")}\n`,
  );
console.log(`${missing.length} library hints added to ${file}`);
