import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import type { ProviderErrorKind } from "./metrics.ts";
import { buildPromptMessages, loadPromptSet } from "./prompts.ts";
import { estimateTokens, type HintProvider, ProviderOutputError, parseHintsJson } from "./provider.ts";

export interface OpenAiProviderOptions {
  /** OpenAI-compatible base URL with the version path, e.g. https://api.openai.com/v1, http://127.0.0.1:8080/v1. */
  baseUrl: string;
  /** Local servers usually ignore it; the SDK needs some value. */
  apiKey?: string;
  model: string;
  /** Per attempt and for the whole call (retries included). Default 2500 ms. */
  timeoutMs?: number;
  /** Default 1: one retry on a fast failure (5xx, connection refused) while time remains. */
  maxRetries?: number;
  /** Ask for `response_format: json_object` (OpenAI, vLLM, llama.cpp, Ollama). Default true. */
  jsonMode?: boolean;
  /** Default 400. */
  maxTokens?: number;
  temperature?: number;
}

/** Hints from any server speaking the OpenAI chat-completions protocol, via the official SDK. */
export function createOpenAiProvider(opts: OpenAiProviderOptions): HintProvider {
  const timeoutMs = opts.timeoutMs ?? 2500;
  const client = new OpenAI({
    baseURL: opts.baseUrl,
    apiKey: opts.apiKey || "not-needed",
    timeout: timeoutMs,
    maxRetries: opts.maxRetries ?? 1,
  });
  return {
    async generate(input, signal) {
      const prompt = loadPromptSet(input.promptVersion);
      const messages = buildPromptMessages(prompt, input);
      // The SDK's timeout is per attempt; this bounds the whole call, retries included.
      const bounded = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
      const completion = await client.chat.completions.create(
        {
          model: opts.model,
          messages,
          temperature: opts.temperature ?? 0.7,
          max_tokens: opts.maxTokens ?? 400,
          ...(opts.jsonMode === false ? {} : { response_format: { type: "json_object" as const } }),
        },
        { signal: bounded, timeout: timeoutMs },
      );
      const content = completion.choices[0]?.message?.content ?? "";
      if (!content) throw new ProviderOutputError("empty answer");
      const texts = parseHintsJson(content);
      const tokens =
        completion.usage?.total_tokens ?? estimateTokens(...messages.map((m) => m.content), content);
      return { texts, tokens };
    },
  };
}

/** The metric label for a provider failure. */
export function classifyProviderError(err: unknown): ProviderErrorKind {
  if (err instanceof ProviderOutputError) return "invalid_output";
  if (err instanceof APIConnectionTimeoutError || err instanceof APIUserAbortError) return "timeout";
  if (err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError")) return "timeout";
  if (err instanceof APIConnectionError) return "network";
  if (err instanceof APIError) return "http";
  return "other";
}
