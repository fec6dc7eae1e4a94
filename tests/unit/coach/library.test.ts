import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkHint } from "../../../src/domain/coach/filters.ts";
import {
  ASPECT_HINTS,
  CRISIS_GUIDANCE,
  EMOTION_EMPATHY,
  HINT_LIBRARY,
  libraryHintTexts,
} from "../../../src/domain/coach/library.ts";
import { pickTemplate, pickTemplateHints } from "../../../src/domain/coach/templates.ts";
import { ASPECTS, EMOTIONS, HINT_TYPES, TOPIC_FAMILIES } from "../../../src/domain/coach/types.ts";

const everyEntry = [
  ...TOPIC_FAMILIES.flatMap((f) =>
    HINT_TYPES.flatMap((t) => HINT_LIBRARY[f][t].map((text) => ({ where: `${f}/${t}`, text }))),
  ),
  ...EMOTIONS.flatMap((e) => EMOTION_EMPATHY[e].map((text) => ({ where: `emotion/${e}`, text }))),
  ...ASPECTS.flatMap((a) =>
    HINT_TYPES.flatMap((t) => ASPECT_HINTS[a][t].map((text) => ({ where: `aspect/${a}/${t}`, text }))),
  ),
];

describe("curated hint library", () => {
  it("has at least 8 distinct hints of every kind for every topic family", () => {
    for (const family of TOPIC_FAMILIES) {
      for (const type of HINT_TYPES) {
        const list = HINT_LIBRARY[family][type];
        expect(list.length, `${family}/${type}`).toBeGreaterThanOrEqual(8);
        expect(new Set(list).size, `${family}/${type} duplicates`).toBe(list.length);
      }
    }
    for (const e of EMOTIONS) expect(EMOTION_EMPATHY[e].length).toBeGreaterThanOrEqual(4);
    for (const a of ASPECTS)
      for (const type of HINT_TYPES)
        expect(ASPECT_HINTS[a][type].length, `${a}/${type}`).toBeGreaterThanOrEqual(4);
  });

  it("every entry passes the same safety filter as generated hints (a replacement is always safe)", () => {
    const refused = everyEntry
      .map((e) => ({ ...e, check: checkHint(e.text) }))
      .filter((e) => !e.check.ok)
      .map((e) => `${e.where}: ${e.text} (${JSON.stringify(e.check)})`);
    expect(refused).toEqual([]);
  });

  it("every entry is a training row of the safety corpus (scripts/safety-hint-rows.ts adds new ones)", () => {
    const rows = readFileSync(
      new URL("../../../corpus/safety/regression/coach-hints.jsonl", import.meta.url),
      "utf8",
    )
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => JSON.parse(l) as { text: string; crisis: boolean; toxic: boolean });
    const safe = new Set(rows.filter((r) => !r.crisis && !r.toxic).map((r) => r.text));
    expect(everyEntry.map((e) => e.text).filter((t) => !safe.has(t))).toEqual([]);
    expect(new Set(libraryHintTexts())).toEqual(new Set(everyEntry.map((e) => e.text)));
  });

  it("questions are questions and boundaries speak to the supporter", () => {
    for (const f of TOPIC_FAMILIES) {
      for (const q of HINT_LIBRARY[f].question) expect(q, q).toMatch(/\?$/);
      for (const b of HINT_LIBRARY[f].boundary) expect(b, b).not.toMatch(/\?$/);
    }
    for (const a of ASPECTS) {
      for (const q of ASPECT_HINTS[a].question) expect(q, q).toMatch(/\?$/);
      for (const b of ASPECT_HINTS[a].boundary) expect(b, b).not.toMatch(/\?$/);
    }
  });

  it("crisis guidance asks directly, points to hotlines and 112, and never promises", () => {
    expect(CRISIS_GUIDANCE).toMatch(/навредить себе/);
    expect(CRISIS_GUIDANCE).toMatch(/112/);
    expect(CRISIS_GUIDANCE).toMatch(/линию помощи/);
    expect(CRISIS_GUIDANCE).not.toMatch(/вс[её] будет хорошо|обещаю/i);
  });
});

describe("template engine", () => {
  it("returns one hint of each kind, in order, all different, from the family", () => {
    const hints = pickTemplateHints({ family: "pet_loss", emotion: null, seed: 3 });
    expect(hints.map((h) => h.type)).toEqual(["empathy", "question", "boundary"]);
    expect(HINT_LIBRARY.pet_loss.empathy).toContain(hints[0]!.text);
    expect(HINT_LIBRARY.pet_loss.question).toContain(hints[1]!.text);
    expect(HINT_LIBRARY.pet_loss.boundary).toContain(hints[2]!.text);
  });

  it("names the detected feeling in the empathy hint", () => {
    for (const emotion of EMOTIONS) {
      const [empathy] = pickTemplateHints({ family: "general", emotion, seed: 11 });
      expect(EMOTION_EMPATHY[emotion]).toContain(empathy!.text);
    }
  });

  it("rotates with the seed and is deterministic for the same seed", () => {
    const texts = new Set<string>();
    for (let seed = 0; seed < 9; seed++)
      texts.add(pickTemplateHints({ family: "grief", emotion: null, seed })[1]!.text);
    expect(texts.size).toBe(9);
    expect(pickTemplateHints({ family: "grief", emotion: null, seed: 5 })).toEqual(
      pickTemplateHints({ family: "grief", emotion: null, seed: 5 }),
    );
  });

  it("skips excluded texts and falls back to other pools", () => {
    const all = new Set(HINT_LIBRARY.move.question);
    const hint = pickTemplate("question", { family: "move", emotion: null, seed: 0 }, all);
    expect(all.has(hint.text)).toBe(false);
    expect(HINT_LIBRARY.general.question).toContain(hint.text);
  });
});
