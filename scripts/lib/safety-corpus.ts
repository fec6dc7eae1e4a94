/** Reads the safety corpus from `corpus/safety/` for the train and eval scripts. */

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type CorpusRow, parseCorpus, type Split, splitOf } from "../../src/domain/safety/corpus.ts";

export const CORPUS_DIR = join(import.meta.dirname, "..", "..", "corpus", "safety");

function readDir(dir: string): CorpusRow[] {
  const full = join(CORPUS_DIR, dir);
  return readdirSync(full)
    .filter((f) => f.endsWith(".jsonl"))
    .sort()
    .flatMap((f) => parseCorpus(readFileSync(join(full, f), "utf8"), `${dir}/${f}`));
}

/**
 * The main corpus, de-duplicated by text, each row with its fixed split. `regression/` holds the
 * hand-written cases of the unit tests (behaviours earlier sessions pinned down): always training
 * rows, never scored as dev or blind.
 */
export function loadCorpus(): Array<CorpusRow & { split: Split }> {
  const seen = new Set<string>();
  const out: Array<CorpusRow & { split: Split }> = [];
  const add = (rows: CorpusRow[], split: (text: string) => Split) => {
    for (const row of rows) {
      const key = row.text.trim().toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ ...row, split: split(row.text) });
    }
  };
  add(readDir("regression"), () => "train");
  add([...readDir("raw"), ...readDir("legacy")], splitOf);
  return out;
}

/** Sets written later by other authors, never trained or tuned on: scored once per change. */
export function loadFresh(): Array<{ name: string; rows: CorpusRow[] }> {
  const full = join(CORPUS_DIR, "fresh");
  return readdirSync(full)
    .filter((f) => f.endsWith(".jsonl"))
    .sort()
    .map((f) => ({
      name: `fresh/${f}`,
      rows: parseCorpus(readFileSync(join(full, f), "utf8"), `fresh/${f}`),
    }));
}
