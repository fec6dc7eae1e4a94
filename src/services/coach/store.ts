import { and, eq, inArray, isNull } from "drizzle-orm";
import { aiHints, users } from "../../db/schema.ts";
import { parseStoredMessage, type StoredMessage } from "../../domain/coach/context.ts";
import { isCoachActiveForSession, type RolloutConfig } from "../../domain/coach/rollout.ts";
import { noopCoachMetrics } from "./metrics.ts";
import { CURRENT_PROMPT_VERSION } from "./prompts.ts";
import { type CoachServiceDeps, DEFAULT_COACH_LIMITS } from "./types.ts";

export const HOUR_MS = 60 * 60 * 1000;
export const DAY_MS = 24 * HOUR_MS;

export function parseShown(raw: string): { id: number; u: number; t: string } | null {
  try {
    const v = JSON.parse(raw) as { id?: unknown; u?: unknown; t?: unknown };
    return typeof v.id === "number" && typeof v.u === "number" && typeof v.t === "string"
      ? { id: v.id, u: v.u, t: v.t }
      : null;
  } catch {
    return null;
  }
}

/**
 * What the coach keeps and reads, shared by recording, hints and settings: the key-value keys (all
 * with a TTL), the per-person switches in `users`, the counters behind the limits, `ai_hints` flags.
 */
export function createCoachStore(deps: CoachServiceDeps) {
  const { db, clock, kv } = deps;
  const metrics = deps.metrics ?? noopCoachMetrics;
  const limits = { ...DEFAULT_COACH_LIMITS, ...deps.limits };
  const rollout: RolloutConfig = deps.rollout ?? { enabled: false };
  const promptVersion = deps.promptVersion ?? CURRENT_PROMPT_VERSION;

  const key = {
    context: (s: number) => `coach:ctx:${s}`,
    crisis: (s: number) => `coach:crisis:${s}`,
    shown: (s: number) => `coach:shown:${s}`,
    seen: (s: number, u: number) => `coach:seen:${s}:${u}`,
    lastOffer: (s: number, u: number) => `coach:offer:${s}:${u}`,
    rotation: (s: number, u: number) => `coach:seq:${s}:${u}`,
    usedTexts: (s: number, u: number) => `coach:used:${s}:${u}`,
    userSessions: (u: number) => `coach:user:${u}`,
    hourly: (u: number, at: Date) => `coach:hour:${u}:${at.toISOString().slice(0, 13)}`,
    tokens: (at: Date) => `coach:tokens:${at.toISOString().slice(0, 10)}`,
  };

  const isSessionActive = (sessionId: number) => isCoachActiveForSession(sessionId, rollout);

  /** Who among these people has the coach switched on (and still exists). */
  async function enabledAmong(userIds: number[]): Promise<Set<number>> {
    const ids = [...new Set(userIds)];
    if (ids.length === 0) return new Set();
    const rows = await db
      .select({ id: users.id })
      .from(users)
      .where(and(inArray(users.id, ids), eq(users.coachEnabled, true), isNull(users.deletedAt)));
    return new Set(rows.map((r) => r.id));
  }

  /** Whether this person agreed that their own (anonymised) words may reach the model. */
  async function sharesWords(userId: number): Promise<boolean> {
    const [row] = await db
      .select({ consent: users.coachShareConsent })
      .from(users)
      .where(and(eq(users.id, userId), isNull(users.deletedAt)));
    return row?.consent === true;
  }

  async function loadContext(sessionId: number): Promise<StoredMessage[]> {
    const raw = await kv.list(key.context(sessionId));
    return raw.map(parseStoredMessage).filter((m): m is StoredMessage => m !== null);
  }

  async function isHourlyCapped(userId: number): Promise<boolean> {
    const used = Number((await kv.get(key.hourly(userId, clock.now()))) ?? 0);
    return used >= limits.hourlyPerUser;
  }

  async function tokensUsedToday(): Promise<number> {
    return Number((await kv.get(key.tokens(clock.now()))) ?? 0);
  }

  /**
   * Adds to today's token counter. The port only increments by one, so this is read-add-write: two
   * calls finishing at the same moment may lose one addition (bounded by one answer's tokens).
   */
  async function spendTokens(tokens: number): Promise<void> {
    if (!(tokens > 0)) return;
    const k = key.tokens(clock.now());
    const used = Number((await kv.get(k)) ?? 0);
    await kv.set(k, String(used + Math.ceil(tokens)), DAY_MS + HOUR_MS);
  }

  async function markFlag(hintId: number, userId: number, flag: "copied" | "sent"): Promise<boolean> {
    if (!Number.isSafeInteger(hintId) || !Number.isSafeInteger(userId)) return false;
    const column = flag === "copied" ? aiHints.copied : aiHints.sent;
    const changed = await db
      .update(aiHints)
      .set(flag === "copied" ? { copied: true } : { sent: true })
      .where(and(eq(aiHints.id, hintId), eq(aiHints.userId, userId), eq(column, false)))
      .returning({ id: aiHints.id });
    if (changed.length > 0) {
      if (flag === "copied") metrics.copied();
      else metrics.sent();
      return true;
    }
    const [own] = await db
      .select({ id: aiHints.id })
      .from(aiHints)
      .where(and(eq(aiHints.id, hintId), eq(aiHints.userId, userId)));
    return own !== undefined;
  }

  async function forgetSession(sessionId: number): Promise<void> {
    await kv.delete(key.context(sessionId), key.crisis(sessionId), key.shown(sessionId));
  }

  return {
    ...deps,
    metrics,
    limits,
    promptVersion,
    key,
    isSessionActive,
    enabledAmong,
    sharesWords,
    loadContext,
    isHourlyCapped,
    tokensUsedToday,
    spendTokens,
    markFlag,
    forgetSession,
  };
}

export type CoachStore = ReturnType<typeof createCoachStore>;
