/**
 * Who gets the coach: a deterministic share of chat sessions (the spec's cost limiter: «AI‑coach
 * выключен по умолчанию, включается на 5–10% чатов»). The same session always lands in the same
 * bucket, so a conversation never flips between «with hints» and «without» mid-way. The person's own
 * switch (`users.coach_enabled`, /coach) is checked by the service on top of this.
 */

export interface RolloutConfig {
  /** The global flag (`ai_hints`). */
  enabled: boolean;
  /** Share of sessions, 0–100 (fractions allowed, e.g. 2.5). Default 10. */
  rolloutPercent?: number;
  /** Changing the salt reshuffles which sessions are in, without changing the share. */
  salt?: string;
}

export const DEFAULT_ROLLOUT_PERCENT = 10;

/** 32-bit FNV-1a followed by murmur3's finaliser, so sequential ids spread evenly. */
export function hash32(input: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < input.length; i++) {
    h ^= input.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The session's bucket in [0, 10 000): percent × 100 buckets are in. */
export function rolloutBucket(sessionId: number | string, salt = ""): number {
  return hash32(`coach:${salt}:${sessionId}`) % 10_000;
}

export function isCoachActiveForSession(sessionId: number | string, config: RolloutConfig): boolean {
  if (!config.enabled) return false;
  const raw = config.rolloutPercent ?? DEFAULT_ROLLOUT_PERCENT;
  const percent = Number.isFinite(raw) ? Math.min(100, Math.max(0, raw)) : 0;
  return rolloutBucket(sessionId, config.salt) < Math.round(percent * 100);
}
