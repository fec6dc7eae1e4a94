import { z } from "zod";
import { HINT_TYPES, type HintText } from "../../domain/coach/types.ts";

export interface HintProviderInput {
  /** The anonymised conversation, «[Я]» being the person who asked. Nothing else leaves the process. */
  context: string;
  topicSlugs: string[];
  promptVersion: string;
}

export interface HintProviderOutput {
  texts: HintText[];
  /** Tokens billed for the call (prompt + completion), for the daily budget. */
  tokens: number;
}

/** A source of generated hints: OpenAI, a local llama.cpp / vLLM / Ollama server, a RU-hosted model. */
export interface HintProvider {
  generate(input: HintProviderInput, signal: AbortSignal): Promise<HintProviderOutput>;
}

/** The model answered, but not with the JSON we asked for. */
export class ProviderOutputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProviderOutputError";
  }
}

const HintsAnswer = z.object({
  hints: z.array(z.object({ type: z.string(), text: z.string() }).loose()).max(12),
});

/**
 * Hints out of a model's answer: tolerates code fences and prose around the JSON object, drops
 * entries of unknown kinds. Throws ProviderOutputError when there is no usable JSON.
 */
export function parseHintsJson(content: string): HintText[] {
  const start = content.indexOf("{");
  const end = content.lastIndexOf("}");
  if (start < 0 || end <= start) throw new ProviderOutputError("no JSON object in the answer");
  let json: unknown;
  try {
    json = JSON.parse(content.slice(start, end + 1));
  } catch {
    throw new ProviderOutputError("answer is not valid JSON");
  }
  const parsed = HintsAnswer.safeParse(json);
  if (!parsed.success) throw new ProviderOutputError("answer does not match the hints schema");
  const texts: HintText[] = [];
  for (const h of parsed.data.hints) {
    const type = h.type.trim().toLowerCase();
    if ((HINT_TYPES as readonly string[]).includes(type))
      texts.push({ type: type as HintText["type"], text: h.text });
  }
  if (texts.length === 0) throw new ProviderOutputError("answer has no hints of a known kind");
  return texts;
}

/** Rough token count when a server does not report usage (≈ 4 characters per token, Cyrillic included). */
export function estimateTokens(...texts: string[]): number {
  return Math.ceil(texts.reduce((n, t) => n + t.length, 0) / 4);
}
