import { prepareForStorage, resemblesHint, type StoredMessage } from "../../domain/coach/context.ts";
import { detectEmotion } from "../../domain/coach/emotion.ts";
import { shouldOffer } from "../../domain/coach/offer.ts";
import { categoriesOf } from "../../domain/coach/situation.ts";
import { classifyMessage } from "../../domain/safety/index.ts";
import { type CoachStore, parseShown } from "./store.ts";
import type { RecordedMessage } from "./types.ts";

export interface RecordOptions {
  senderNickname?: string | null;
  recipientNickname?: string | null;
  recipientUserId: number;
  /** The relay's own safety verdict, when it already ran one. */
  crisisFlagged?: boolean;
}

/**
 * Keeps the message in the session's context. The words themselves are kept only for a model and only
 * with the author's consent; otherwise the message is kept as what it is about (categories, a
 * feeling), for choosing templates. Returns whether the words were kept.
 */
async function keepInContext(
  store: CoachStore,
  sessionId: number,
  fromUserId: number,
  text: string,
  opts: RecordOptions,
  messageCrisis: boolean,
): Promise<boolean> {
  const { kv, key, limits } = store;
  const shareText = store.provider !== undefined && (await store.sharesWords(fromUserId));
  const prepared = shareText
    ? prepareForStorage(text, {
        senderNickname: opts.senderNickname,
        recipientNickname: opts.recipientNickname,
      })
    : text.trim() === ""
      ? null
      : "";
  if (prepared === null) return false;
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
  await kv.pushCapped(key.userSessions(opts.recipientUserId), String(sessionId), 4, limits.contextTtlMs);
  return shareText;
}

/** Did the sender just write a hint they were shown? Then it was copied and used: its id. */
async function usedHint(store: CoachStore, sessionId: number, fromUserId: number, text: string) {
  for (const raw of (await store.kv.list(store.key.shown(sessionId))).reverse()) {
    const shown = parseShown(raw);
    if (shown && shown.u === fromUserId && resemblesHint(text, shown.t)) {
      await store.markFlag(shown.id, fromUserId, "copied");
      return shown.id;
    }
  }
  return null;
}

/** Whether «💡 Подсказка» is offered to the recipient now (enough messages since the last offer). */
async function offerIfDue(store: CoachStore, sessionId: number, recipient: number, crisis: boolean) {
  const { kv, key, limits } = store;
  const seen = await kv.increment(key.seen(sessionId, recipient), limits.contextTtlMs);
  const last = await kv.get(key.lastOffer(sessionId, recipient));
  // The counter expires on its own; a last offer from before that restart counts as none.
  const since = last === null ? null : seen - Number(last);
  const offer = shouldOffer({
    messagesSinceLastOffer: since === null || since < 0 || !Number.isFinite(since) ? null : since,
    minGap: limits.minOfferGap,
    crisisFlagged: crisis,
  });
  if (!offer || (await store.isHourlyCapped(recipient))) return false;
  await kv.set(key.lastOffer(sessionId, recipient), String(seen), limits.contextTtlMs);
  store.metrics.offered();
  return true;
}

export function createRecording(store: CoachStore) {
  const { kv, key, limits } = store;
  return {
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
      opts: RecordOptions,
    ): Promise<RecordedMessage> {
      const result: RecordedMessage = {
        stored: false,
        crisis: false,
        offerToRecipient: false,
        usedHintId: null,
      };
      if (!store.isSessionActive(sessionId)) return result;
      const messageCrisis = opts.crisisFlagged === true || (text !== null && classifyMessage(text).crisis);
      if (messageCrisis) await kv.set(key.crisis(sessionId), "1", limits.contextTtlMs);
      const sessionCrisis = messageCrisis || (await kv.get(key.crisis(sessionId))) !== null;
      result.crisis = sessionCrisis;

      const enabled = await store.enabledAmong([fromUserId, opts.recipientUserId]);
      if (enabled.size === 0) return result;

      if (text !== null) {
        result.stored = await keepInContext(store, sessionId, fromUserId, text, opts, messageCrisis);
        if (enabled.has(fromUserId)) result.usedHintId = await usedHint(store, sessionId, fromUserId, text);
      }
      if (!enabled.has(opts.recipientUserId)) return result;
      result.offerToRecipient = await offerIfDue(store, sessionId, opts.recipientUserId, sessionCrisis);
      return result;
    },
  };
}
