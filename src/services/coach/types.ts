import type { Clock } from "../../clock.ts";
import type { Db } from "../../db/client.ts";
import { DEFAULT_MIN_GAP } from "../../domain/coach/offer.ts";
import type { RolloutConfig } from "../../domain/coach/rollout.ts";
import type { HintSource, HintType } from "../../domain/coach/types.ts";
import type { KeyValue } from "../../infra/ports.ts";
import type { CoachMetrics, LimitReason } from "./metrics.ts";
import type { HintProvider } from "./provider.ts";

/** The coach's settings, limits and result shapes. */
export interface CoachLimits {
  /** Hint requests per person per clock hour (UTC). */
  hourlyPerUser: number;
  /** Model tokens per UTC day, all people together. Only applies when a provider is configured. */
  dailyTokenBudget: number;
  /** Messages kept per session. Default 8. */
  contextMessages?: number;
  /** Lifetime of the context after its last message. Default 2 h. */
  contextTtlMs?: number;
  /** Peer messages between two offers. Default 3. */
  minOfferGap?: number;
  /** Longest wait for the provider before falling back to templates. Default 2 800 ms (the call stays < 3 s). */
  providerDeadlineMs?: number;
}

export interface CoachServiceDeps {
  db: Db;
  clock: Clock;
  kv: KeyValue;
  /** Absent = the embedded default: hints from the curated template library only. */
  provider?: HintProvider;
  limits: CoachLimits;
  /** Global flag and share of sessions. Default: off (the spec: «AI‑coach выключен по умолчанию»). */
  rollout?: RolloutConfig;
  metrics?: CoachMetrics;
  promptVersion?: string;
}

export interface ShownHint {
  /** `ai_hints.id`: pass it to markCopied / markSent. */
  id: number;
  type: HintType;
  text: string;
  source: HintSource;
}

export type HintResult =
  | {
      kind: "hints";
      hints: ShownHint[];
      /** True the first time this person ever sees hints: say they come from an AI and only they see them. */
      disclosure: boolean;
      /** "model" when at least one shown hint is generated. */
      source: HintSource;
    }
  | { kind: "crisis_guidance"; text: string; hintId: number }
  | { kind: "limited"; reason: LimitReason };

export interface RecordedMessage {
  /** The anonymised text went into the context. */
  stored: boolean;
  /** This message or the session carries a crisis signal (no offers, crisis guidance on request). */
  crisis: boolean;
  /** Offer «💡 Подсказка» to the recipient now. */
  offerToRecipient: boolean;
  /**
   * The sender wrote (an edit of) a hint they were shown: it is now marked copied. The copy button
   * never reaches the bot (Telegram copies on the device), so this is how a copy is known; «sent»
   * stays for hints sent with the bot's «Отправить» button.
   */
  usedHintId: number | null;
}

export const DEFAULT_COACH_LIMITS: Required<CoachLimits> = {
  hourlyPerUser: 20,
  dailyTokenBudget: 200_000,
  contextMessages: 8,
  contextTtlMs: 2 * 60 * 60 * 1000,
  minOfferGap: DEFAULT_MIN_GAP,
  providerDeadlineMs: 2_800,
};
