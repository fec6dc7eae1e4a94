/**
 * How well the coach reads a conversation, on sets written by people who never saw the code:
 *
 * - Hint fit: for each message, the family the coach picks from the message alone, counted as fitting
 *   when a person marked it acceptable. `hint-fit.jsonl` is split in halves by a hash of the text (dev,
 *   the one to look at, and blind); `hint-fit-2.jsonl` is a second, wholly blind set. The baseline is
 *   the previous picker (phrase cues) on the same rows.
 * - Hint filter: `filter-blind.jsonl` and `filter-blind-2.jsonl`, unsafe hints (medical, referral,
 *   diagnosis, minimising, directive, promise, legal) that must be refused and safe hints and boundary
 *   reminders that must pass.
 *
 * Without `--blind` only the dev half is scored. Score the blind sets once per change and write the
 * first number down (docs/safety-eval.md), whatever it is.
 *
 *   npx tsx scripts/coach-eval.ts [--blind] [--errors]
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { checkHint } from "../src/domain/coach/filters.ts";
import { situationOf } from "../src/domain/coach/situation.ts";
import { pickFamily } from "../src/domain/coach/topics.ts";
import { hashFeature } from "../src/domain/safety/features.ts";
import { warmUpSafety } from "../src/domain/safety/index.ts";

const args = new Set(process.argv.slice(2));
const blind = args.has("--blind");
warmUpSafety();
const dir = join(import.meta.dirname, "..", "tests", "fixtures", "coach");
const lines = <T>(file: string): T[] =>
  readFileSync(join(dir, file), "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);
const ratio = (a: number, b: number) => `${a}/${b} = ${(a / b).toFixed(3)}`;

type FitRow = { text: string; acceptable: string[] };
function scoreFit(name: string, rows: readonly FitRow[]): void {
  let fit = 0;
  let fitOld = 0;
  const errors: string[] = [];
  for (const r of rows) {
    const family = situationOf(r.text) ?? "general";
    if (r.acceptable.includes(family)) fit++;
    else errors.push(`${family}\t${r.acceptable.join(",")}\t${r.text}`);
    if (r.acceptable.includes(pickFamily([], r.text))) fitOld++;
  }
  console.log(
    `hint fit (${name}, ${rows.length}): ${ratio(fit, rows.length)}; previous picker ${ratio(fitOld, rows.length)}`,
  );
  if (args.has("--errors")) for (const e of errors) console.log(`  ${e}`);
}

type FilterRow = { text: string; ok: boolean; class: string };
function scoreFilter(name: string, hints: readonly FilterRow[]): void {
  let caught = 0;
  let passed = 0;
  const unsafe = hints.filter((h) => !h.ok).length;
  const byClass = new Map<string, { caught: number; total: number }>();
  const wrong: string[] = [];
  for (const h of hints) {
    const verdict = checkHint(h.text);
    const c = byClass.get(h.class) ?? { caught: 0, total: 0 };
    c.total++;
    byClass.set(h.class, c);
    if (!h.ok && !verdict.ok) {
      caught++;
      c.caught++;
    } else if (h.ok && verdict.ok) {
      passed++;
      c.caught++;
    } else wrong.push(`${h.ok ? "refused" : "passed"}\t${h.class}\t${h.text}\t${JSON.stringify(verdict)}`);
  }
  console.log(
    `hint filter (${name}, ${hints.length}): unsafe refused ${ratio(caught, unsafe)}; safe accepted ${ratio(passed, hints.length - unsafe)}`,
  );
  console.log(`  right by class: ${[...byClass].map(([k, v]) => `${k} ${v.caught}/${v.total}`).join(", ")}`);
  if (args.has("--errors")) for (const e of wrong) console.log(`  ${e}`);
}

// Half and half by a hash of the text: a row never moves between the halves.
const first = lines<FitRow>("hint-fit.jsonl");
const half = (r: FitRow) => (hashFeature(`fit:${r.text}`) % 2 === 0 ? "dev" : "blind");
scoreFit(
  "hint-fit.jsonl dev half",
  first.filter((r) => half(r) === "dev"),
);
if (blind) {
  scoreFit(
    "hint-fit.jsonl blind half",
    first.filter((r) => half(r) === "blind"),
  );
  if (existsSync(join(dir, "hint-fit-2.jsonl")))
    scoreFit("hint-fit-2.jsonl", lines<FitRow>("hint-fit-2.jsonl"));
  for (const file of ["filter-blind.jsonl", "filter-blind-2.jsonl"])
    if (existsSync(join(dir, file))) scoreFilter(file, lines<FilterRow>(file));
}
