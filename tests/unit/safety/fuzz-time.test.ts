import { describe, expect, it } from "vitest";
import { anonymize, findAnonymizableSpans } from "../../../src/domain/anonymize.ts";
import { checkHint } from "../../../src/domain/coach/filters.ts";
import { hasPersonalData } from "../../../src/domain/pii.ts";
import {
  classifyMessage,
  classifyToxicity,
  detectCrisis,
  normalize,
  tokenize,
} from "../../../src/domain/safety/index.ts";
import { seededRandom } from "../../../src/domain/safety/model.ts";

/**
 * A guard against catastrophic (quadratic or worse) behaviour on long adversarial input, not a speed
 * claim — those live in bench/ (`npm run bench -- safety`). A linear function takes milliseconds on
 * 16 000 characters; a pattern that backtracks (a look-behind over the text) takes seconds.
 */
const BOUND_MS = 1500;
const N = 16_000;

const ALPHABET =
  "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЭЮЯabcdefghijklmnopqrstuvwxyz0123456789";
const NOISE = " .,;:!?-—*@#_/()«»\"'\n\t+💊🔪😂\u200b\u00ad";

function fuzz(seed: number): string {
  const random = seededRandom(seed);
  let out = "";
  while (out.length < N) {
    const r = random();
    const pool = r < 0.7 ? ALPHABET : NOISE;
    out += pool[Math.floor(random() * pool.length)];
  }
  return out;
}

const INPUTS: Array<[string, string]> = [
  ["one letter", "а".repeat(N)],
  ["a repeated word", "дура ".repeat(N / 5)],
  ["masked words", "т*п@я ".repeat(N / 6)],
  ["spelt out", "д у р а ".repeat(N / 8)],
  ["dotted letters", "д.у.р.а.".repeat(N / 8)],
  ["digits and spaces", "1 ".repeat(N / 2)],
  ["phone-like", "+7 ".repeat(N / 3)],
  ["address lead-ins", "на Садовой ".repeat(N / 11)],
  ["Latin", "hochu umeret ".repeat(N / 13)],
  ["fuzz 1", fuzz(1)],
  ["fuzz 2", fuzz(2)],
  ["fuzz 3", fuzz(3)],
];

const FUNCTIONS: Array<[string, (text: string) => unknown]> = [
  ["classifyMessage", classifyMessage],
  ["detectCrisis", detectCrisis],
  ["classifyToxicity", classifyToxicity],
  ["normalize", (t) => normalize(t)],
  ["tokenize", (t) => tokenize(t)],
  ["anonymize", (t) => anonymize(t)],
  ["findAnonymizableSpans", (t) => findAnonymizableSpans(t)],
  ["hasPersonalData", hasPersonalData],
  ["checkHint", checkHint],
];

describe("every classifier and anonymiser stays linear on long adversarial input", () => {
  for (const [name, fn] of FUNCTIONS) {
    it(`${name}`, () => {
      fn("прогрев");
      for (const [label, text] of INPUTS) {
        // CPU time of this process, not wall time: other processes on a loaded machine do not count.
        const t0 = process.cpuUsage();
        fn(text);
        const used = process.cpuUsage(t0);
        const ms = (used.user + used.system) / 1000;
        expect(ms, `${name} on ${label} (${text.length} chars)`).toBeLessThan(BOUND_MS);
      }
    });
  }
});
