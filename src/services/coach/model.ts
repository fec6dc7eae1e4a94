import { classifyProviderError } from "./openai-provider.ts";
import type { HintProviderOutput } from "./provider.ts";
import type { CoachStore } from "./store.ts";

class DeadlineExceeded extends Error {
  override name = "TimeoutError";
}

/** Calls the provider within the deadline; null on any failure (the caller falls back to templates). */
export async function generateWithin(
  store: CoachStore,
  context: string,
  topicSlugs: string[],
): Promise<HintProviderOutput | null> {
  const { provider, metrics, limits, promptVersion } = store;
  if (!provider) return null;
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new DeadlineExceeded("provider deadline"));
    }, limits.providerDeadlineMs);
  });
  const started = performance.now();
  try {
    const out = await Promise.race([
      provider.generate({ context, topicSlugs, promptVersion }, controller.signal),
      deadline,
    ]);
    metrics.providerLatencyMs(performance.now() - started);
    await store.spendTokens(out.tokens);
    return out;
  } catch (err) {
    metrics.providerLatencyMs(performance.now() - started);
    metrics.providerError(classifyProviderError(err));
    return null;
  } finally {
    clearTimeout(timer);
  }
}

/** Collapses whitespace and drops quotes wrapping the whole hint (not quotes inside it). */
export function cleanModelText(text: string): string {
  const flat = text.replace(/\s+/gu, " ").trim();
  const wrapped = /^(["«“„'])([^"«»“”„']*)(["»”'])$/u.exec(flat);
  return (wrapped ? wrapped[2]! : flat).trim();
}
