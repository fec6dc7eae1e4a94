/**
 * Safety classification speed: `npm run bench -- safety`.
 *
 * - start-up: reading the morphology dictionaries and both models (once per process);
 * - per message on the corpus's dev split, cold (every word seen for the first time) and warm (the
 *   same messages again, as a running bot sees familiar words);
 * - adversarial 4 096-character inputs (a repeated word, masks, spelt-out letters, transliteration,
 *   hyphens, dots, emoji, digits…), five runs each: the worst single call is what the issue bounds.
 *
 * Baseline in the same run: the bare normaliser (`tokenize`) the old rules ran on, so a ratio says how
 * much the lemmas, frames and models cost on top of it.
 */

import { loadCorpus } from "../scripts/lib/safety-corpus.ts";
import { classifyMessage, warmUpSafety } from "../src/domain/safety/index.ts";
import { tokenize } from "../src/domain/safety/normalize.ts";
import { machine, stats, writeResults } from "./lib/common.ts";

const N = 4096;
const ADVERSARIAL: Record<string, string> = {
  "repeated word": "дура ".repeat(N / 5),
  "one letter": "а".repeat(N),
  "spelt out": "д у р а ".repeat(N / 8),
  "masked words": "т*п@я ".repeat(N / 6),
  "distinct masked words": Array.from(
    { length: 600 },
    (_, i) => `с*${"абвгдежзиклмнопрстуфхцчшщэюя"[i % 28]}ид${i}`,
  )
    .join(" ")
    .slice(0, N),
  "distinct words": Array.from({ length: 700 }, (_, i) => `слово${i}абв`)
    .join(" ")
    .slice(0, N),
  "support talk": "мне очень тяжело после развода, не знаю что делать дальше. ".repeat(70).slice(0, N),
  transliteration: "hochu umeret ".repeat(Math.floor(N / 13)),
  "dotted letters": "д.у.р.а.".repeat(N / 8),
  hyphens: "ду-ра-".repeat(N / 6),
  emoji: "💊".repeat(N / 2),
  digits: "1234567890".repeat(N / 10),
};

export async function main(_argv: string[]): Promise<void> {
  const t0 = performance.now();
  warmUpSafety();
  const startupMs = performance.now() - t0;
  const dev = loadCorpus()
    .filter((r) => r.split === "dev")
    .map((r) => r.text);
  const time = (f: () => void) => {
    const s = performance.now();
    f();
    return performance.now() - s;
  };
  const cold = dev.map((t) => time(() => classifyMessage(t)));
  const warm = dev.map((t) => time(() => classifyMessage(t)));
  const base = dev.map((t) => time(() => tokenize(t)));
  const adversarial = Object.entries(ADVERSARIAL).map(([name, text]) => {
    const runs = Array.from({ length: 5 }, () => time(() => classifyMessage(text)));
    return { name, chars: text.length, first: runs[0]!, worst: Math.max(...runs), median: stats(runs).p50 };
  });
  const c = stats(cold);
  const w = stats(warm);
  const b = stats(base);
  const f = (x: number) => x.toFixed(3);
  console.log(`machine: ${JSON.stringify(machine())}`);
  console.log(`start-up (dictionaries + models): ${startupMs.toFixed(0)} ms`);
  console.log(`per message, ${dev.length} dev messages (ms)   p50     p99     max`);
  console.log(`  classify, cold                      ${f(c.p50)}  ${f(c.p99)}  ${f(c.max)}`);
  console.log(`  classify, warm                      ${f(w.p50)}  ${f(w.p99)}  ${f(w.max)}`);
  console.log(`  baseline: normaliser alone          ${f(b.p50)}  ${f(b.p99)}  ${f(b.max)}`);
  console.log(`  warm p50 / normaliser p50: ${(w.p50 / b.p50).toFixed(1)}×`);
  console.log("adversarial 4 096-character inputs (ms): first / median / worst of 5");
  for (const a of adversarial)
    console.log(
      `  ${a.name.padEnd(24)} ${a.first.toFixed(1).padStart(7)} ${a.median.toFixed(1).padStart(7)} ${a.worst.toFixed(1).padStart(7)}`,
    );
  console.log(
    `results: ${writeResults("safety", { startupMs, cold: c, warm: w, baseline: b, adversarial })}`,
  );
}
