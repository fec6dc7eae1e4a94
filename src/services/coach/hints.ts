import { and, eq, ne } from "drizzle-orm";
import { aiHints } from "../../db/schema.ts";
import { renderContext } from "../../domain/coach/context.ts";
import { detectEmotion } from "../../domain/coach/emotion.ts";
import { checkHint } from "../../domain/coach/filters.ts";
import {
  ASPECT_HINTS,
  CRISIS_GUIDANCE,
  EMOTION_EMPATHY,
  HINT_LIBRARY,
  LIBRARY_VERSION,
} from "../../domain/coach/library.ts";
import { hash32 } from "../../domain/coach/rollout.ts";
import { pickTemplate } from "../../domain/coach/templates.ts";
import { pickFamily } from "../../domain/coach/topics.ts";
import {
  ASPECTS,
  type Aspect,
  type Emotion,
  HINT_TYPES,
  type HintSource,
  type HintText,
  TOPIC_FAMILIES,
  type TopicFamily,
} from "../../domain/coach/types.ts";
import { cleanModelText, generateWithin } from "./model.ts";
import type { HintProviderOutput } from "./provider.ts";
import { type CoachStore, HOUR_MS } from "./store.ts";
import type { HintResult, ShownHint } from "./types.ts";

/** Every template text, for leaving out the ones a person was already shown in a conversation. */
const ALL_TEMPLATE_TEXTS: readonly string[] = [
  ...new Set([
    ...Object.values(HINT_LIBRARY).flatMap((family) => Object.values(family).flat()),
    ...Object.values(EMOTION_EMPATHY).flat(),
    ...Object.values(ASPECT_HINTS).flatMap((aspect) => Object.values(aspect).flat()),
  ]),
];
/** Shown hint texts are kept this long to notice when the person sends one. */
const SHOWN_TTL_MS = 15 * 60 * 1000;

type Context = ReturnType<typeof renderContext>;
type Chosen = HintText & { source: HintSource };
type TemplatePick = Parameters<typeof pickTemplate>[1];

async function crisisGuidance(store: CoachStore, sessionId: number, userId: number): Promise<HintResult> {
  const [row] = await store.db
    .insert(aiHints)
    .values({
      chatSessionId: sessionId,
      userId,
      hintType: "crisis",
      source: "template",
      promptVersion: LIBRARY_VERSION,
    })
    .returning({ id: aiHints.id });
  store.metrics.crisisGuidance();
  return { kind: "crisis_guidance", text: CRISIS_GUIDANCE, hintId: row!.id };
}

/** What the other person's latest messages are about decides the templates; the chat's topics are the fallback. */
function templatePick(context: Context, topicSlugs: string[], seed: number): TemplatePick {
  const isFamily = (k: string): k is TopicFamily => (TOPIC_FAMILIES as readonly string[]).includes(k);
  const isAspect = (k: string): k is Aspect => (ASPECTS as readonly string[]).includes(k);
  const newestFirst = [...context.peerCategories].reverse();
  const latestFamily = newestFirst.flat().find(isFamily);
  // Aspects of the latest message that has any: «как сказать жене» is about now, not an hour ago.
  const aspects = (newestFirst.find((k) => k.length > 0) ?? []).filter(isAspect);
  const latestEmotion = context.peerEmotions[context.peerEmotions.length - 1] as Emotion | undefined;
  return {
    aspects,
    family: latestFamily ?? pickFamily(topicSlugs, context.allMessages.join("\n")),
    emotion: latestEmotion ?? detectEmotion(context.peerMessages),
    seed,
  };
}

/** One hint of each type: a model text that passes the filter, else a template; none shown here before. */
async function chooseHints(
  store: CoachStore,
  sessionId: number,
  userId: number,
  generated: HintProviderOutput | null,
  pick: TemplatePick,
): Promise<Chosen[]> {
  const chosen: Chosen[] = [];
  // No hint twice in one conversation: texts shown to this person here before are skipped.
  const seenHere = new Set(await store.kv.list(store.key.usedTexts(sessionId, userId)));
  const seen = (text: string) => seenHere.has(String(hash32(text)));
  // Template texts already shown here are excluded up front (the library is a few hundred lines).
  const used = new Set<string>(ALL_TEMPLATE_TEXTS.filter(seen));
  for (const type of HINT_TYPES) {
    let hint: Chosen | null = null;
    for (const candidate of generated?.texts.filter((t) => t.type === type) ?? []) {
      const text = cleanModelText(candidate.text);
      const check = checkHint(text, type);
      if (!check.ok) {
        store.metrics.filtered(check.reason);
        continue;
      }
      if (used.has(text) || seen(text)) continue;
      hint = { type, text, source: "model" };
      break;
    }
    hint ??= { ...pickTemplate(type, pick, used), source: "template" };
    used.add(hint.text);
    chosen.push(hint);
  }
  for (const h of chosen)
    await store.kv.pushCapped(
      store.key.usedTexts(sessionId, userId),
      String(hash32(h.text)),
      90,
      store.limits.contextTtlMs,
    );
  return chosen;
}

/** An `ai_hints` row per shown hint (kind, source, version — no text); the texts briefly in the store. */
async function recordShown(store: CoachStore, sessionId: number, userId: number, chosen: Chosen[]) {
  const { db } = store;
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
        promptVersion: h.source === "model" ? store.promptVersion : LIBRARY_VERSION,
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
    const shown = JSON.stringify({ id: h.id, u: userId, t: h.text });
    await store.kv.pushCapped(store.key.shown(sessionId), shown, 8, SHOWN_TTL_MS);
  }
  return { hints, disclosure: seenBefore === undefined };
}

export function createHints(store: CoachStore) {
  const { kv, key, limits, metrics } = store;
  return {
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
      if (!store.isSessionActive(sessionId) || !(await store.enabledAmong([userId])).has(userId)) {
        metrics.limited("disabled");
        return { kind: "limited", reason: "disabled" };
      }
      const context = renderContext(await store.loadContext(sessionId), userId);
      // Each stored message was classified once when it was recorded (on its original text).
      const crisis =
        opts.crisisFlagged === true || context.hasCrisis || (await kv.get(key.crisis(sessionId))) !== null;
      if (crisis) return crisisGuidance(store, sessionId, userId);

      const used = await kv.increment(key.hourly(userId, store.clock.now()), HOUR_MS);
      if (used > limits.hourlyPerUser) {
        metrics.limited("hourly_cap");
        return { kind: "limited", reason: "hourly_cap" };
      }
      // Only words their authors agreed to share reach the model; with none, templates answer.
      const useModel = store.provider !== undefined && context.text.length > 0;
      if (useModel && (await store.tokensUsedToday()) >= limits.dailyTokenBudget) {
        metrics.limited("daily_budget");
        return { kind: "limited", reason: "daily_budget" };
      }

      const rotation = await kv.increment(key.rotation(sessionId, userId), limits.contextTtlMs);
      const pick = templatePick(context, opts.topicSlugs, (hash32(`${sessionId}:${userId}`) % 97) + rotation);
      const generated = useModel ? await generateWithin(store, context.text, opts.topicSlugs) : null;
      const chosen = await chooseHints(store, sessionId, userId, generated, pick);
      const { hints, disclosure } = await recordShown(store, sessionId, userId, chosen);
      const modelCount = hints.filter((h) => h.source === "model").length;
      if (modelCount > 0) metrics.shown("model", modelCount);
      if (hints.length - modelCount > 0) metrics.shown("template", hints.length - modelCount);
      return { kind: "hints", hints, disclosure, source: modelCount > 0 ? "model" : "template" };
    },
  };
}
