import { describe, expect, it } from "vitest";
import { TOPIC_FAMILIES } from "../../../src/domain/coach/types.ts";
import {
  buildPromptMessages,
  CURRENT_PROMPT_VERSION,
  loadPromptSet,
} from "../../../src/services/coach/prompts.ts";
import { ProviderOutputError, parseHintsJson } from "../../../src/services/coach/provider.ts";

describe("model answers", () => {
  it("reads the hints object, with or without code fences and prose", () => {
    const json = '{"hints":[{"type":"empathy","text":"Я рядом."},{"type":"Question","text":"Как ты?"}]}';
    for (const content of [json, "```json\n" + json + "\n```", `Вот ответ: ${json} Надеюсь, помог.`]) {
      expect(parseHintsJson(content)).toEqual([
        { type: "empathy", text: "Я рядом." },
        { type: "question", text: "Как ты?" },
      ]);
    }
  });

  it("drops unknown kinds and refuses answers without usable hints", () => {
    expect(
      parseHintsJson('{"hints":[{"type":"diagnosis","text":"x"},{"type":"boundary","text":"y"}]}'),
    ).toEqual([{ type: "boundary", text: "y" }]);
    for (const bad of [
      "",
      "nope",
      "{broken",
      '{"hints":"x"}',
      '{"hints":[{"type":"diagnosis","text":"x"}]}',
      '{"other":1}',
    ])
      expect(() => parseHintsJson(bad)).toThrow(ProviderOutputError);
  });
});

describe("prompt templates", () => {
  it("loads the current version with a guidance text for every family", () => {
    const set = loadPromptSet();
    expect(set.version).toBe(CURRENT_PROMPT_VERSION);
    expect(CURRENT_PROMPT_VERSION).toMatch(/^ru-\d{4}-\d{2}-v\d+$/);
    for (const f of TOPIC_FAMILIES) expect(set.topics[f].length).toBeGreaterThan(40);
    expect(set.system).toMatch(/диагноз/);
    expect(set.system).toMatch(/JSON/);
  });

  it("refuses version strings that could leave the prompts folder", () => {
    expect(() => loadPromptSet("../../etc")).toThrow(/Bad prompt version/);
    expect(() => loadPromptSet("ru-2099-01-v9")).toThrow();
  });

  it("puts the topic guidance in the system message and only the given context in the user message", () => {
    const [system, user] = buildPromptMessages(loadPromptSet(), {
      context: "[СОБЕСЕДНИК]: у меня умер кот",
      topicSlugs: ["pet-loss"],
    });
    expect(system!.content).toContain(loadPromptSet().topics.pet_loss);
    expect(system!.content).not.toContain("{{");
    expect(user!.content).toContain("[СОБЕСЕДНИК]: у меня умер кот");
    expect(user!.content).not.toContain("{{");
  });
});
