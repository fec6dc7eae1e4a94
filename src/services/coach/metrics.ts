import type { FilterReason, HintSource } from "../../domain/coach/types.ts";

export type ProviderErrorKind = "timeout" | "http" | "network" | "invalid_output" | "other";
export type LimitReason = "hourly_cap" | "daily_budget" | "disabled";

/**
 * What the coach counts; the lead wires it to prom-client. Labels are only the enums below — never a
 * user id, a session id or any text.
 */
export interface CoachMetrics {
  /** «💡 Подсказка» offered after the peer's message. */
  offered(): void;
  /** A person asked for hints (before limits). */
  requested(): void;
  /** Hints shown, by where each came from. */
  shown(source: HintSource, count: number): void;
  copied(): void;
  sent(): void;
  /** A generated hint refused by the safety filter (and replaced by a template). */
  filtered(reason: FilterReason): void;
  /** Time the provider took, success or not. */
  providerLatencyMs(ms: number): void;
  providerError(kind: ProviderErrorKind): void;
  limited(reason: LimitReason): void;
  /** Crisis guidance shown instead of hints. */
  crisisGuidance(): void;
}

export const noopCoachMetrics: CoachMetrics = {
  offered() {},
  requested() {},
  shown() {},
  copied() {},
  sent() {},
  filtered() {},
  providerLatencyMs() {},
  providerError() {},
  limited() {},
  crisisGuidance() {},
};
