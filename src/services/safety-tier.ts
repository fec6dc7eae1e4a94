/**
 * The optional model tier: a second opinion from an OpenAI-compatible model on messages the local
 * layers score as uncertain. Off unless the operator sets SAFETY_MODEL_URL. It receives anonymised
 * text only, has a strict timeout, and never delays delivery: the relay asks it after the message
 * went through, and a «crisis» answer brings support late rather than holding anything back.
 */

import OpenAI from "openai";
import { anonymize } from "../domain/anonymize.ts";

export type SecondOpinion = "crisis" | "no" | "timeout" | "error";

export interface SafetyTierProvider {
  /** True when the model reads the (anonymised) message as a sign the writer may be in danger. */
  judge(text: string, signal: AbortSignal): Promise<boolean>;
}

export interface SafetyTierOptions {
  provider: SafetyTierProvider | null;
  timeoutMs: number;
  /** Scores from this share of the threshold up to the threshold are «uncertain». */
  lowerBound?: number;
  onOutcome?: (outcome: SecondOpinion) => void;
}

const PROMPT = [
  "Ты проверяешь одно сообщение из анонимного чата взаимной поддержки на русском языке.",
  'Ответь JSON {"crisis": true} если автор сообщения, похоже, сейчас в опасности:',
  "мысли о самоубийстве или нежелание жить, план или средства, самоповреждение, передозировка,",
  'насилие над ним прямо сейчас. Иначе {"crisis": false}. Гипербола, чужая история, фильм,',
  "прошлое с выздоровлением — это false. Имена и контакты заменены метками в квадратных скобках.",
].join(" ");

export function createOpenAiSafetyProvider(opts: {
  baseUrl: string;
  apiKey?: string;
  model: string;
  timeoutMs: number;
}): SafetyTierProvider {
  const client = new OpenAI({
    baseURL: opts.baseUrl,
    apiKey: opts.apiKey || "not-needed",
    timeout: opts.timeoutMs,
    maxRetries: 0,
  });
  return {
    async judge(text, signal) {
      const completion = await client.chat.completions.create(
        {
          model: opts.model,
          temperature: 0,
          max_tokens: 20,
          response_format: { type: "json_object" },
          messages: [
            { role: "system", content: PROMPT },
            { role: "user", content: text },
          ],
        },
        { signal, timeout: opts.timeoutMs },
      );
      const content = completion.choices[0]?.message?.content ?? "";
      const parsed = JSON.parse(content) as { crisis?: unknown };
      if (typeof parsed.crisis !== "boolean") throw new Error("safety model: no boolean `crisis`");
      return parsed.crisis;
    },
  };
}

export function createSafetyTier(opts: SafetyTierOptions) {
  const lower = opts.lowerBound ?? 0.4;
  return {
    enabled: opts.provider !== null,
    /** A message the local layers neither flagged nor cleared with confidence. */
    isUncertain(relativeScore: number, crisis: boolean): boolean {
      return opts.provider !== null && !crisis && relativeScore >= lower && relativeScore < 1;
    },
    /** Asks the model about the anonymised text; never throws, always answers within the timeout. */
    async ask(text: string): Promise<SecondOpinion> {
      const provider = opts.provider;
      if (!provider) return "error";
      const controller = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<SecondOpinion>((resolve) => {
        timer = setTimeout(() => {
          controller.abort();
          resolve("timeout");
        }, opts.timeoutMs);
      });
      const asked = provider
        .judge(anonymize(text), controller.signal)
        .then((crisis): SecondOpinion => (crisis ? "crisis" : "no"))
        .catch((): SecondOpinion => (controller.signal.aborted ? "timeout" : "error"));
      const outcome = await Promise.race([asked, timeout]);
      clearTimeout(timer);
      opts.onOutcome?.(outcome);
      return outcome;
    },
  };
}

export type SafetyTier = ReturnType<typeof createSafetyTier>;
