import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { pickFamily } from "../../domain/coach/topics.ts";
import { TOPIC_FAMILIES, type TopicFamily } from "../../domain/coach/types.ts";

/**
 * Prompt templates live in `prompts/<version>/` (system.md, user.md, topics/<family>.md) so they are
 * reviewed like code and every hint row records which version produced it. A new wording is a new
 * folder, never an edit of a released one.
 */
export const CURRENT_PROMPT_VERSION = "ru-2026-11-v1";

const PROMPTS_DIR = join(dirname(fileURLToPath(import.meta.url)), "prompts");
const VERSION_SHAPE = /^[a-z]{2}-\d{4}-\d{2}-v\d+$/;

export interface PromptSet {
  version: string;
  system: string;
  user: string;
  topics: Record<TopicFamily, string>;
}

const cache = new Map<string, PromptSet>();

export function loadPromptSet(version: string = CURRENT_PROMPT_VERSION): PromptSet {
  const cached = cache.get(version);
  if (cached) return cached;
  if (!VERSION_SHAPE.test(version)) throw new Error(`Bad prompt version: ${version}`);
  const dir = join(PROMPTS_DIR, version);
  const read = (file: string) => readFileSync(join(dir, file), "utf8").trim();
  const set: PromptSet = {
    version,
    system: read("system.md"),
    user: read("user.md"),
    topics: Object.fromEntries(TOPIC_FAMILIES.map((f) => [f, read(`topics/${f}.md`)])) as Record<
      TopicFamily,
      string
    >,
  };
  cache.set(version, set);
  return set;
}

const fill = (template: string, values: Record<string, string>) =>
  template.replace(/\{\{(\w+)\}\}/g, (_, key: string) => values[key] ?? "");

/** System and user messages for one request. `context` must already be anonymised. */
export function buildPromptMessages(
  set: PromptSet,
  input: { context: string; topicSlugs: readonly string[] },
): Array<{ role: "system" | "user"; content: string }> {
  const family = pickFamily(input.topicSlugs, input.context);
  return [
    { role: "system", content: fill(set.system, { topic_guidance: set.topics[family] }) },
    { role: "user", content: fill(set.user, { context: input.context }) },
  ];
}
