import { and, eq, inArray, isNull, ne } from "drizzle-orm";
import type { Clock } from "../clock.ts";
import type { Db } from "../db/client.ts";
import { aiHints, users } from "../db/schema.ts";
import {
  parseStoredMessage,
  prepareForStorage,
  renderContext,
  resemblesHint,
  type StoredMessage,
} from "../domain/coach/context.ts";
import { detectEmotion } from "../domain/coach/emotion.ts";
import { checkHint } from "../domain/coach/filters.ts";
import {
  ASPECT_HINTS,
  CRISIS_GUIDANCE,
  EMOTION_EMPATHY,
  HINT_LIBRARY,
  LIBRARY_VERSION,
} from "../domain/coach/library.ts";
import { DEFAULT_MIN_GAP, shouldOffer } from "../domain/coach/offer.ts";
import { hash32, isCoachActiveForSession, type RolloutConfig } from "../domain/coach/rollout.ts";
import { categoriesOf } from "../domain/coach/situation.ts";
import { pickTemplate } from "../domain/coach/templates.ts";
import { pickFamily } from "../domain/coach/topics.ts";
import {
  ASPECTS,
  type Aspect,
  type Emotion,
  HINT_TYPES,
  type HintSource,
  type HintText,
  type HintType,
  TOPIC_FAMILIES,
  type TopicFamily,
} from "../domain/coach/types.ts";
import { classifyMessage } from "../domain/safety/index.ts";
import type { KeyValue } from "../infra/ports.ts";
import { type CoachMetrics, type LimitReason, noopCoachMetrics } from "./coach/metrics.ts";
import { classifyProviderError } from "./coach/openai-provider.ts";
import { CURRENT_PROMPT_VERSION } from "./coach/prompts.ts";
import type { HintProvider, HintProviderOutput } from "./coach/provider.ts";

export type { CoachMetrics } from "./coach/metrics.ts";
export type { HintProvider } from "./coach/provider.ts";

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

/** Every template text, for leaving out the ones a person was already shown in a conversation. */
const ALL_TEMPLATE_TEXTS: readonly string[] = [
  ...new Set([
    ...Object.values(HINT_LIBRARY).flatMap((family) => Object.values(family).flat()),
    ...Object.values(EMOTION_EMPATHY).flat(),
    ...Object.values(ASPECT_HINTS).flatMap((aspect) => Object.values(aspect).flat()),
  ]),
];

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
/** Shown hint texts are kept this long to notice when the person sends one. */
const SHOWN_TTL_MS = 15 * 60 * 1000;

function parseShown(raw: string): { id: number; u: number; t: string } | null {
  try {
    const v = JSON.parse(raw) as { id?: unknown; u?: unknown; t?: unknown };
    return typeof v.id === "number" && typeof v.u === "number" && typeof v.t === "string"
      ? { id: v.id, u: v.u, t: v.t }
      : null;
  } catch {
    return null;
  }
}

class DeadlineExceeded extends Error {
  override name = "TimeoutError";
}

/**
 * The AI coach: private, optional hints for the person answering (never sent on their behalf).
 *
 * Privacy: only anonymised text is kept, in the key-value store with a TTL (never PostgreSQL, never
 * logs); `ai_hints` rows hold the kind, source and prompt version of a shown hint, never its text.
 */
export function createCoachService(deps: CoachServiceDeps) {
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

  /** Calls the provider within the deadline; null on any failure (the caller falls back to templates). */
  async function generate(context: string, topicSlugs: string[]): Promise<HintProviderOutput | null> {
    const provider = deps.provider;
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
      await spendTokens(out.tokens);
      return out;
    } catch (err) {
      metrics.providerLatencyMs(performance.now() - started);
      metrics.providerError(classifyProviderError(err));
      return null;
    } finally {
      clearTimeout(timer);
    }
  }

  async function forgetSession(sessionId: number): Promise<void> {
    await kv.delete(key.context(sessionId), key.crisis(sessionId), key.shown(sessionId));
  }

  /** Collapses whitespace and drops quotes wrapping the whole hint (not quotes inside it). */
  const cleanModelText = (text: string) => {
    const flat = text.replace(/\s+/gu, " ").trim();
    const wrapped = /^(["«“„'])([^"«»“”„']*)(["»”'])$/u.exec(flat);
    return (wrapped ? wrapped[2]! : flat).trim();
  };

  return {
    /** Whether hints may be offered in this session at all (global flag + rollout share). */
    isActiveForSession(sessionId: number): boolean {
      return isSessionActive(sessionId);
    },

    /** The person's own switch (/coach). Returns false when there is no such person. */
    async setCoachEnabled(userId: number, on: boolean): Promise<boolean> {
      const rows = await db
        .update(users)
        .set({ coachEnabled: on, updatedAt: clock.now() })
        .where(eq(users.id, userId))
        .returning({ id: users.id });
      return rows.length > 0;
    },

    async isCoachEnabled(userId: number): Promise<boolean> {
      return (await enabledAmong([userId])).has(userId);
    },

    /** A model is configured: words may leave the server (with consent); otherwise only templates run. */
    usesModel: deps.provider !== undefined,

    /** The person's answer to «may your words reach the model?»; changeable in /coach and /profile. */
    async setShareConsent(userId: number, on: boolean): Promise<boolean> {
      const rows = await db
        .update(users)
        .set({ coachShareConsent: on, coachShareAsked: true, updatedAt: clock.now() })
        .where(eq(users.id, userId))
        .returning({ id: users.id });
      return rows.length > 0;
    },

    sharesWords,

    /**
     * True exactly once per person: the moment to ask for consent (a model is configured and the
     * coach is active in their conversation). Marks them asked, so the question is never repeated.
     */
    async claimShareQuestion(userId: number, sessionId: number): Promise<boolean> {
      if (deps.provider === undefined || !isSessionActive(sessionId)) return false;
      const rows = await db
        .update(users)
        .set({ coachShareAsked: true })
        .where(and(eq(users.id, userId), eq(users.coachShareAsked, false), isNull(users.deletedAt)))
        .returning({ id: users.id });
      return rows.length > 0;
    },

    /**
     * Call for every relayed message, after it was delivered. `text` is the message text, or null for
     * media (counted towards the offer gap, nothing stored). The text is anonymised before it is
     * stored (nicknames → «[Я]»/«[СОБЕСЕДНИК]», names, phones, e-mails, links, addresses →
     * placeholders) and only in sessions where the coach is on for at least one participant.
     */
    async recordMessage(
      sessionId: number,
      fromUserId: number,
      text: string | null,
      opts: {
        senderNickname?: string | null;
        recipientNickname?: string | null;
        recipientUserId: number;
        /** The relay's own safety verdict, when it already ran one. */
        crisisFlagged?: boolean;
      },
    ): Promise<RecordedMessage> {
      const result: RecordedMessage = {
        stored: false,
        crisis: false,
        offerToRecipient: false,
        usedHintId: null,
      };
      if (!isSessionActive(sessionId)) return result;
      const messageCrisis = opts.crisisFlagged === true || (text !== null && classifyMessage(text).crisis);
      if (messageCrisis) await kv.set(key.crisis(sessionId), "1", limits.contextTtlMs);
      const sessionCrisis = messageCrisis || (await kv.get(key.crisis(sessionId))) !== null;
      result.crisis = sessionCrisis;

      const enabled = await enabledAmong([fromUserId, opts.recipientUserId]);
      if (enabled.size === 0) return result;

      if (text !== null) {
        // The words themselves are kept only for a model and only with the author's consent; otherwise
        // the message is kept as what it is about (categories, a feeling), for choosing templates.
        const shareText = deps.provider !== undefined && (await sharesWords(fromUserId));
        const prepared = shareText
          ? prepareForStorage(text, {
              senderNickname: opts.senderNickname,
              recipientNickname: opts.recipientNickname,
            })
          : text.trim() === ""
            ? null
            : "";
        if (prepared !== null) {
          const { family, aspects } = categoriesOf(text);
          const emotion = detectEmotion([text.toLowerCase().replace(/ё/g, "е")]);
          const entry: StoredMessage = { a: fromUserId };
          if (shareText) entry.t = prepared;
          // Categories only: the family, then the aspects («job_loss», «telling_family»…).
          const categories = [...(family ? [family] : []), ...aspects];
          if (categories.length > 0) entry.k = categories;
          if (emotion) entry.e = emotion;
          if (messageCrisis) entry.c = 1;
          await kv.pushCapped(
            key.context(sessionId),
            JSON.stringify(entry),
            limits.contextMessages,
            limits.contextTtlMs,
          );
          await kv.pushCapped(key.userSessions(fromUserId), String(sessionId), 4, limits.contextTtlMs);
          await kv.pushCapped(
            key.userSessions(opts.recipientUserId),
            String(sessionId),
            4,
            limits.contextTtlMs,
          );
          result.stored = shareText;
        }
        // Did the sender just write a hint they were shown? Then it was copied and used.
        if (enabled.has(fromUserId)) {
          for (const raw of (await kv.list(key.shown(sessionId))).reverse()) {
            const shown = parseShown(raw);
            if (shown && shown.u === fromUserId && resemblesHint(text, shown.t)) {
              await markFlag(shown.id, fromUserId, "copied");
              result.usedHintId = shown.id;
              break;
            }
          }
        }
      }

      const recipient = opts.recipientUserId;
      if (!enabled.has(recipient)) return result;
      const seen = await kv.increment(key.seen(sessionId, recipient), limits.contextTtlMs);
      const last = await kv.get(key.lastOffer(sessionId, recipient));
      // The counter expires on its own; a last offer from before that restart counts as none.
      const since = last === null ? null : seen - Number(last);
      const offer = shouldOffer({
        messagesSinceLastOffer: since === null || since < 0 || !Number.isFinite(since) ? null : since,
        minGap: limits.minOfferGap,
        crisisFlagged: sessionCrisis,
      });
      if (offer && !(await isHourlyCapped(recipient))) {
        await kv.set(key.lastOffer(sessionId, recipient), String(seen), limits.contextTtlMs);
        metrics.offered();
        result.offerToRecipient = true;
      }
      return result;
    },

    /**
     * Hints for `userId` in `sessionId` (the caller checked the session is theirs and active): one
     * empathic phrasing, one open question, one boundary reminder. With a crisis signal in the
     * context (or `crisisFlagged`) nothing is generated: fixed crisis guidance instead, and the bot
     * appends the SOS list. Every shown hint gets an `ai_hints` row (kind, source, version — no text).
     */
    async getHints(
      sessionId: number,
      userId: number,
      opts: { topicSlugs: string[]; crisisFlagged?: boolean },
    ): Promise<HintResult> {
      metrics.requested();
      if (!isSessionActive(sessionId) || !(await enabledAmong([userId])).has(userId)) {
        metrics.limited("disabled");
        return { kind: "limited", reason: "disabled" };
      }
      const messages = await loadContext(sessionId);
      const context = renderContext(messages, userId);
      // Each stored message was classified once when it was recorded (on its original text).
      const crisis =
        opts.crisisFlagged === true || context.hasCrisis || (await kv.get(key.crisis(sessionId))) !== null;
      if (crisis) {
        const [row] = await db
          .insert(aiHints)
          .values({
            chatSessionId: sessionId,
            userId,
            hintType: "crisis",
            source: "template",
            promptVersion: LIBRARY_VERSION,
          })
          .returning({ id: aiHints.id });
        metrics.crisisGuidance();
        return { kind: "crisis_guidance", text: CRISIS_GUIDANCE, hintId: row!.id };
      }

      const now = clock.now();
      const used = await kv.increment(key.hourly(userId, now), HOUR_MS);
      if (used > limits.hourlyPerUser) {
        metrics.limited("hourly_cap");
        return { kind: "limited", reason: "hourly_cap" };
      }
      // Only words their authors agreed to share reach the model; with none, templates answer.
      const useModel = deps.provider !== undefined && context.text.length > 0;
      if (useModel && (await tokensUsedToday()) >= limits.dailyTokenBudget) {
        metrics.limited("daily_budget");
        return { kind: "limited", reason: "daily_budget" };
      }

      const rotation = await kv.increment(key.rotation(sessionId, userId), limits.contextTtlMs);
      // What the other person's latest messages are about decides; the chat's topics are the fallback.
      const isFamily = (k: string): k is TopicFamily => (TOPIC_FAMILIES as readonly string[]).includes(k);
      const isAspect = (k: string): k is Aspect => (ASPECTS as readonly string[]).includes(k);
      const newestFirst = [...context.peerCategories].reverse();
      const latestFamily = newestFirst.flat().find(isFamily);
      // Aspects of the latest message that has any: «как сказать жене» is about now, not an hour ago.
      const aspects = (newestFirst.find((k) => k.length > 0) ?? []).filter(isAspect);
      const latestEmotion = context.peerEmotions[context.peerEmotions.length - 1] as Emotion | undefined;
      const pick = {
        aspects,
        family: latestFamily ?? pickFamily(opts.topicSlugs, context.allMessages.join("\n")),
        emotion: latestEmotion ?? detectEmotion(context.peerMessages),
        seed: (hash32(`${sessionId}:${userId}`) % 97) + rotation,
      };

      const generated = useModel ? await generate(context.text, opts.topicSlugs) : null;
      const chosen: Array<HintText & { source: HintSource }> = [];
      // No hint twice in one conversation: texts shown to this person here before are skipped.
      const seenHere = new Set(await kv.list(key.usedTexts(sessionId, userId)));
      const seen = (text: string) => seenHere.has(String(hash32(text)));
      // Template texts already shown here are excluded up front (the library is a few hundred lines).
      const used_ = new Set<string>(ALL_TEMPLATE_TEXTS.filter(seen));
      for (const type of HINT_TYPES) {
        let hint: (HintText & { source: HintSource }) | null = null;
        for (const candidate of generated?.texts.filter((t) => t.type === type) ?? []) {
          const text = cleanModelText(candidate.text);
          const check = checkHint(text, type);
          if (!check.ok) {
            metrics.filtered(check.reason);
            continue;
          }
          if (used_.has(text) || seen(text)) continue;
          hint = { type, text, source: "model" };
          break;
        }
        hint ??= { ...pickTemplate(type, pick, used_), source: "template" };
        used_.add(hint.text);
        chosen.push(hint);
      }
      for (const h of chosen)
        await kv.pushCapped(
          key.usedTexts(sessionId, userId),
          String(hash32(h.text)),
          90,
          limits.contextTtlMs,
        );

      const [seenBefore] = await db
        .select({ id: aiHints.id })
        .from(aiHints)
        .where(and(eq(aiHints.userId, userId), ne(aiHints.hintType, "crisis")))
        .limit(1);
      const rows = await db
        .insert(aiHints)
        .values(
          chosen.map((h) => ({
            chatSessionId: sessionId,
            userId,
            hintType: h.type,
            source: h.source,
            promptVersion: h.source === "model" ? promptVersion : LIBRARY_VERSION,
          })),
        )
        .returning({ id: aiHints.id });
      const hints: ShownHint[] = chosen.map((h, i) => ({
        id: rows[i]!.id,
        type: h.type,
        text: h.text,
        source: h.source,
      }));

      for (const h of hints) {
        if (h.type === "boundary") continue;
        await kv.pushCapped(
          key.shown(sessionId),
          JSON.stringify({ id: h.id, u: userId, t: h.text }),
          8,
          SHOWN_TTL_MS,
        );
      }
      const modelCount = hints.filter((h) => h.source === "model").length;
      if (modelCount > 0) metrics.shown("model", modelCount);
      if (hints.length - modelCount > 0) metrics.shown("template", hints.length - modelCount);
      return {
        kind: "hints",
        hints,
        disclosure: seenBefore === undefined,
        source: modelCount > 0 ? "model" : "template",
      };
    },

    /** The owner pressed «Вставить подсказку». False when the hint is not theirs. */
    markCopied(hintId: number, userId: number): Promise<boolean> {
      return markFlag(hintId, userId, "copied");
    },

    /** The owner sent a message based on the hint. False when the hint is not theirs. */
    markSent(hintId: number, userId: number): Promise<boolean> {
      return markFlag(hintId, userId, "sent");
    },

    /** Drops everything kept about the conversation (at /end, on /delete, on a ban). */
    forgetSession,

    /** Drops the contexts of every session this person recently wrote or read in (on /delete). */
    async forgetUser(userId: number): Promise<void> {
      const sessions = new Set((await kv.list(key.userSessions(userId))).map(Number));
      for (const s of sessions) if (Number.isSafeInteger(s)) await forgetSession(s);
      await kv.delete(key.userSessions(userId));
    },
  };
}

export type CoachService = ReturnType<typeof createCoachService>;
