import { Composer, GrammyError, InlineKeyboard } from "grammy";
import type { Message, ReplyParameters } from "grammy/types";
import { hasPersonalData } from "../../domain/pii.ts";
import type { KeyValue } from "../../infra/ports.ts";
import type { Logger } from "../../logger.ts";
import type { ActiveChat, ChatService, EndedChat } from "../../services/chats.ts";
import { personKeys } from "../../services/person-keys.ts";
import { endChatAnswer, piiAnswer, RATING_STARS, rating, sosButton, tipMenu } from "../callbacks.ts";
import { type BotContext, deferTo } from "../context.ts";
import type { Notifier } from "../notifier.ts";
import { pendingChat } from "../pending.ts";
import { takeRelayBudget } from "../relay-budget.ts";
import { isImageFile, NOT_COPYABLE, RELAYABLE, screenableText } from "./message-kinds.ts";
import { createTimerHandlers } from "./timer.ts";

export { timeLeft } from "./timer.ts";

const ALBUM_WAIT_MS = 700;
const HELD_TTL_MS = 60 * 60 * 1000;
/** A held message's marker: only whether it showed signs of crisis, never its content. */
const HELD_PLAIN = "1";
const HELD_CRISIS = "c";
const RATING_EMOJI = ["😞", "😕", "😐", "🙂", "🤗"];

export interface ChatFeatureDeps {
  chats: ChatService;
  notifier: Notifier;
  kv: KeyValue;
  logger: Logger;
  /** The safety screen for every text that arrives in a chat (message, caption, edit). */
  screen?: (ctx: BotContext, chat: ActiveChat, text: string | undefined) => Promise<ScreenResult>;
  /** After a crisis message reached the peer: a short note to them on how to respond. */
  crisisNoteToPeer?: (chat: ActiveChat) => Promise<void>;
  /** Buttons for the peer's copy (the AI coach's «💡 Подсказка»), decided before copying. */
  decorateCopy?: (ctx: BotContext, chat: ActiveChat, msg: Message) => Promise<InlineKeyboard | undefined>;
  /** The time now (temp-chat countdowns). */
  now: () => Date;
  /** A chat ended: drop what is kept about it elsewhere (the AI coach's context, crisis context). */
  onEnded?: (sessionId: number) => Promise<void>;
  /** Whether this person showed signs of crisis in this conversation: their end has no rating or tips. */
  hadCrisis?: (sessionId: number, userId: number) => Promise<boolean>;
  /** The end for a person in crisis: help, and the offer of a check-in tomorrow. */
  endForPersonInCrisis?: (userId: number) => Promise<void>;
}

/** What the safety screen decided about one text; the sender has been told when it is not delivered. */
export interface ScreenResult {
  deliver: boolean;
  /** Signs of crisis: delivered whatever else is true, and the peer gets a note once it arrives. */
  crisis: boolean;
}

const PASS: ScreenResult = { deliver: true, crisis: false };

function ratingKeyboard(sessionId: number): InlineKeyboard {
  const kb = new InlineKeyboard();
  for (const [i, stars] of RATING_STARS.entries())
    kb.text(`${RATING_EMOJI[i]} ${stars}`, rating.pack({ session: sessionId, stars }));
  return kb;
}

function isPeerGone(err: unknown): boolean {
  return err instanceof GrammyError && err.error_code === 403;
}

/** The writer's own message is gone before it could be copied (deleted at once, or the bot was that late). */
function isSourceGone(err: unknown): boolean {
  return (
    err instanceof GrammyError && err.error_code === 400 && /message to copy not found/i.test(err.description)
  );
}

interface PendingAlbum {
  chatId: number;
  ids: number[];
  /** A caption showed signs of crisis: the peer gets the note after the album. */
  crisis: boolean;
  timer: NodeJS.Timeout;
  send: () => Promise<void>;
}

/** The conversation: anonymous relay with copyMessage, edits, replies, /end and ratings. */
export function createChatFeature(deps: ChatFeatureDeps) {
  const { chats, notifier, kv, logger } = deps;
  const feature = new Composer<BotContext>();
  const registered = feature.filter((ctx) => ctx.user !== null);
  const albums = new Map<string, PendingAlbum>();

  /**
   * Goodbye, rating and the tips call-to-action (one message) to both people, both at once: the one who did not
   * press /end must not wait behind the other's messages in the per-chat pacing.
   */
  async function announceEnd(ended: EndedChat, byUserId: number | null) {
    await deps.onEnded?.(ended.sessionId);
    const told = await Promise.allSettled(
      ended.participants.map(async (p) => {
        const key =
          ended.reason === "expired"
            ? "chat-ended-expired"
            : p.userId === byUserId
              ? "chat-ended-by-you"
              : ended.reason === "peer_gone"
                ? "relay-peer-gone"
                : "chat-ended-by-peer";
        if ((await deps.hadCrisis?.(ended.sessionId, p.userId)) && deps.endForPersonInCrisis) {
          // No rating and no tip prompt for someone who was in crisis: help and a check-in instead.
          return deps.endForPersonInCrisis(p.userId);
        }
        // One message, not three: one notification, and the per-chat pacing never holds it back.
        await notifier.send(
          p.userId,
          `${notifier.t(key)}\n\n${notifier.t("rate-prompt")}\n${notifier.t("tips-cta")}`,
          ratingKeyboard(ended.sessionId)
            .row()
            .text(notifier.t("btn-tip-open"), tipMenu.pack({ session: ended.sessionId })),
        );
      }),
    );
    const failed = told.find((r) => r.status === "rejected");
    if (failed) throw failed.reason;
  }

  async function endBecausePeerGone(ctx: BotContext, chat: ActiveChat) {
    const ended = await chats.endChat(chat.userId, "peer_gone");
    if (!ended) return;
    await deps.onEnded?.(ended.sessionId);
    logger.info({ actor: ctx.actor }, "chat ended: peer unreachable");
    if ((await deps.hadCrisis?.(ended.sessionId, chat.userId)) && deps.endForPersonInCrisis)
      return deps.endForPersonInCrisis(chat.userId);
    await ctx.reply(`${ctx.t("relay-peer-gone")}\n\n${ctx.t("rate-prompt")}`, {
      reply_markup: ratingKeyboard(ended.sessionId),
    });
  }

  async function replyTarget(chat: ActiveChat, msg: Message): Promise<ReplyParameters | undefined> {
    const replied = msg.reply_to_message?.message_id;
    if (replied === undefined) return undefined;
    const counterpart = await chats.counterpart(chat, replied);
    return counterpart === null ? undefined : { message_id: counterpart, allow_sending_without_reply: true };
  }

  /** Copies one message to the peer: no «forwarded from», no trace of the sender's identity. */
  async function deliver(ctx: BotContext, chat: ActiveChat, msg: Message): Promise<void> {
    if (chat.peerTgId === null) return endBecausePeerGone(ctx, chat);
    // Taken over from a replica that died: it may have copied this message already.
    if (ctx.redelivered && (await chats.counterpart(chat, msg.message_id)) !== null) return;
    const reply = await replyTarget(chat, msg);
    const markup = await deps.decorateCopy?.(ctx, chat, msg);
    try {
      const copy = await ctx.api.copyMessage(chat.peerTgId, msg.chat.id, msg.message_id, {
        ...(reply ? { reply_parameters: reply } : {}),
        ...(markup ? { reply_markup: markup } : {}),
      });
      ctx.committed = true;
      await chats.linkMessages(chat, msg.message_id, copy.message_id, deferTo(ctx));
      await chats.countMessage(chat);
    } catch (err) {
      if (isPeerGone(err)) return endBecausePeerGone(ctx, chat);
      if (isSourceGone(err)) {
        // Nothing reached the peer, and trying again cannot help: the writer is told, not apologised to.
        logger.warn({ actor: ctx.actor }, "relay: the message was gone before it could be copied");
        await ctx.reply(ctx.t("relay-failed"));
        return;
      }
      throw err;
    }
  }

  /**
   * Album parts arrive as separate updates; they are collected briefly and copied together. A later
   * message from the same person flushes the album first, so the peer sees things in the order sent.
   * (Parts are collected in this process's memory: behind several webhook replicas an album may
   * arrive in two pieces; each piece is still delivered.)
   */
  const albumKey = (msg: Message) => `${msg.chat.id}:${msg.media_group_id}`;

  function collectAlbum(ctx: BotContext, chat: ActiveChat, msg: Message, crisis: boolean) {
    const key = albumKey(msg);
    const existing = albums.get(key);
    if (existing) {
      existing.ids.push(msg.message_id);
      existing.crisis ||= crisis;
      return;
    }
    const entry: PendingAlbum = {
      chatId: msg.chat.id,
      ids: [msg.message_id],
      crisis,
      timer: setTimeout(() => void flushAlbum(key), ALBUM_WAIT_MS),
      send: async () => {
        const ids = [...entry.ids].sort((a, b) => a - b);
        try {
          if (chat.peerTgId === null) return endBecausePeerGone(ctx, chat);
          const copies = await ctx.api.copyMessages(chat.peerTgId, msg.chat.id, ids);
          for (const [i, copy] of copies.entries()) {
            const original = ids[i];
            if (original !== undefined) await chats.linkMessages(chat, original, copy.message_id);
            await chats.countMessage(chat);
          }
          if (entry.crisis) await deps.crisisNoteToPeer?.(chat);
        } catch (err) {
          if (isPeerGone(err)) return endBecausePeerGone(ctx, chat);
          logger.error({ err, actor: ctx.actor }, "album relay failed");
          await ctx.reply(ctx.t("relay-failed")).catch(() => {});
        }
      },
    };
    albums.set(key, entry);
  }

  /** Sends a collected album now (once): from its timer, or before a later message of the same person. */
  function flushAlbum(key: string): Promise<void> {
    const entry = albums.get(key);
    if (!entry) return Promise.resolve();
    albums.delete(key);
    clearTimeout(entry.timer);
    return entry.send();
  }

  async function flushAlbumsOf(chatId: number, except?: string) {
    for (const [key, entry] of [...albums]) {
      if (entry.chatId === chatId && key !== except) await flushAlbum(key);
    }
  }

  registered.command("end", async (ctx) => {
    const chat = await chats.activeChat(ctx.user!.id);
    if (!chat) return ctx.reply(ctx.t("end-no-chat"));
    await ctx.reply(ctx.t("end-confirm"), {
      reply_markup: new InlineKeyboard()
        .text(ctx.t("btn-end-yes"), endChatAnswer.pack({ answer: "yes" }))
        .text(ctx.t("btn-end-no"), endChatAnswer.pack({ answer: "no" })),
    });
  });

  registered.callbackQuery(endChatAnswer.pack({ answer: "no" }), async (ctx) => {
    await Promise.all([
      ctx.editMessageReplyMarkup(),
      ctx.answerCallbackQuery(),
      ctx.reply(ctx.t("end-kept")),
    ]);
  });

  registered.callbackQuery(endChatAnswer.pack({ answer: "yes" }), async (ctx) => {
    const ended = await chats.endChat(ctx.user!.id, "ended");
    // The goodbyes go out with the button's answer, not after it.
    await Promise.all([
      ctx.editMessageReplyMarkup(),
      ctx.answerCallbackQuery(ended ? undefined : { text: ctx.t("end-already") }),
      ended ? announceEnd(ended, ctx.user!.id) : null,
    ]);
  });

  // Temp-chat: /timer, the peer's consent, «продлить?» (timer.ts).
  const timer = createTimerHandlers({ chats, notifier, now: deps.now });
  registered.use(timer.feature);
  const askExtension = timer.askExtension;

  registered.callbackQuery(rating.filter, async (ctx) => {
    const { session, stars } = rating.unpack(ctx.callbackQuery.data)!;
    const res = await chats.rate(ctx.user!.id, session, stars);
    if (!res.ok) {
      await ctx.answerCallbackQuery({ text: ctx.t("rate-error") });
      return;
    }
    // The stars go; the rest of the message's buttons (the tip) stay.
    const rows = ctx.callbackQuery.message?.reply_markup?.inline_keyboard ?? [];
    const kept = rows.filter(
      (row) => !row.some((b) => "callback_data" in b && rating.filter.test(b.callback_data ?? "")),
    );
    await Promise.all([
      ctx.editMessageReplyMarkup(kept.length ? { reply_markup: { inline_keyboard: kept } } : {}),
      ctx.answerCallbackQuery({ text: ctx.t("rate-thanks") }),
    ]);
  });

  // The first message that looks like a contact waits for the sender's confirmation.
  registered.callbackQuery(piiAnswer.filter, async (ctx) => {
    const { answer, message: messageId } = piiAnswer.unpack(ctx.callbackQuery.data)!;
    const chat = await chats.activeChat(ctx.user!.id);
    const heldKey = chat ? `held:${chat.sessionId}:${chat.userId}:${messageId}` : "";
    const held = chat ? await kv.get(heldKey) : null;
    await ctx.editMessageReplyMarkup();
    if (!chat || held === null) {
      await ctx.answerCallbackQuery({ text: ctx.t("stale-button") });
      return;
    }
    await kv.delete(heldKey);
    if (answer === "drop") {
      await ctx.reply(ctx.t("relay-pii-dropped"));
    } else {
      const original = { message_id: messageId, chat: { id: ctx.chat!.id } } as Message;
      await deliver(ctx, chat, original);
      if (held === HELD_CRISIS) await deps.crisisNoteToPeer?.(chat);
      await ctx.reply(ctx.t("relay-pii-sent"));
    }
    await ctx.answerCallbackQuery();
  });

  registered.callbackQuery(/^c:/, (ctx) => ctx.answerCallbackQuery({ text: ctx.t("stale-button") }));

  /**
   * The relay limit (15/min, relay-budget.ts), checked before anything else costs time: a message
   * over it is not screened or delivered. The sender is told once per window, not once per message;
   * the reply carries «🆘 Помощь», so a person in crisis who writes fast still has help one tap away.
   */
  async function withinLimit(ctx: BotContext, chat: ActiveChat): Promise<boolean> {
    const limit = await takeRelayBudget(ctx, kv);
    if (limit.allowed) return true;
    const windowMs = Math.max(1000, limit.retryAfterMs);
    if (await kv.setIfAbsent(personKeys.relayLimited(chat.userId), "1", windowMs)) {
      await ctx.reply(
        ctx.t("relay-rate-limited", { seconds: Math.max(1, Math.ceil(limit.retryAfterMs / 1000)) }),
        {
          reply_markup: new InlineKeyboard().text(ctx.t("btn-sos"), sosButton.pack({})),
        },
      );
    }
    return false;
  }

  /** The first text of a session that looks like a contact: true when the sender was asked first. */
  async function nudgeFirst(chat: ActiveChat, text: string | undefined): Promise<boolean> {
    if (!text || !hasPersonalData(text)) return false;
    return kv.setIfAbsent(personKeys.nudged(chat.sessionId, chat.userId), "1", 7 * 24 * 3600_000);
  }

  /** Keeps a message back until «Отправить всё равно» (only whether it showed crisis is stored, never content). */
  async function holdForConfirmation(
    ctx: BotContext,
    chat: ActiveChat,
    messageId: number,
    crisis: boolean,
    reasonKey: string,
  ) {
    await kv.set(
      `held:${chat.sessionId}:${chat.userId}:${messageId}`,
      crisis ? HELD_CRISIS : HELD_PLAIN,
      HELD_TTL_MS,
    );
    return ctx.reply(ctx.t(reasonKey), {
      reply_parameters: { message_id: messageId },
      reply_markup: new InlineKeyboard()
        .text(ctx.t("btn-pii-send"), piiAnswer.pack({ answer: "send", message: messageId }))
        .text(ctx.t("btn-pii-drop"), piiAnswer.pack({ answer: "drop", message: messageId })),
    });
  }

  registered.on("message", async (ctx, next) => {
    const msg = ctx.message;
    if (msg.text?.startsWith("/")) return next();
    const chat = await pendingChat(ctx, chats, ctx.user!.id);
    if (!chat) return next();
    if (msg.contact) return ctx.reply(ctx.t("relay-refused-contact"));
    if (msg.location || msg.venue) return ctx.reply(ctx.t("relay-refused-location"));
    // A story carries the chat that posted it: relaying it could show who the sender is.
    if (msg.story) return ctx.reply(ctx.t("relay-refused-story"));
    if (!RELAYABLE.some((kind) => msg[kind] !== undefined)) {
      // Pins, timers and other service messages are not the person's words: nothing to relay.
      if (NOT_COPYABLE.some((kind) => msg[kind] !== undefined)) return ctx.reply(ctx.t("relay-not-copyable"));
      return;
    }
    await flushAlbumsOf(msg.chat.id, msg.media_group_id ? albumKey(msg) : undefined);

    const text = screenableText(msg);
    if (!(await withinLimit(ctx, chat))) return;
    const verdict = (await deps.screen?.(ctx, chat, text)) ?? PASS;
    if (!verdict.deliver) {
      // Withheld (a mute, abuse), yet the writer showed signs of crisis: the peer still hears of it.
      if (verdict.crisis) await deps.crisisNoteToPeer?.(chat);
      return;
    }
    // A photo sent as a file keeps its EXIF (place and time of the shot); Telegram strips it only from
    // photos. copyMessage cannot change the file, so the sender is asked first, every time.
    if (isImageFile(msg))
      return holdForConfirmation(ctx, chat, msg.message_id, verdict.crisis, "relay-exif-nudge");
    if (await nudgeFirst(chat, text))
      return holdForConfirmation(ctx, chat, msg.message_id, verdict.crisis, "relay-pii-nudge");

    if (msg.media_group_id) return collectAlbum(ctx, chat, msg, verdict.crisis);
    await deliver(ctx, chat, msg);
    if (verdict.crisis) await deps.crisisNoteToPeer?.(chat);
  });

  /**
   * An edit updates the peer's copy, after the same screen as a new message: an edit cannot smuggle
   * in what a message could not carry, nor get around a mute or the limit.
   */
  registered.on("edited_message", async (ctx) => {
    const msg = ctx.editedMessage;
    const chat = await chats.activeChat(ctx.user!.id);
    if (!chat || chat.peerTgId === null) return;
    const text = screenableText(msg);
    const heldKey = `held:${chat.sessionId}:${chat.userId}:${msg.message_id}`;
    if ((await kv.get(heldKey)) !== null) {
      // A message waiting for «Отправить всё равно» was edited: «Отправить» would copy it as it is now,
      // so it is screened now; what may not be delivered is no longer held.
      if (text === undefined) return;
      const verdict = (await deps.screen?.(ctx, chat, text)) ?? PASS;
      if (!verdict.deliver) {
        await kv.delete(heldKey);
        if (verdict.crisis) await deps.crisisNoteToPeer?.(chat);
        return;
      }
      if (verdict.crisis) await kv.set(heldKey, HELD_CRISIS, HELD_TTL_MS);
      return;
    }
    const copyId = await chats.counterpart(chat, msg.message_id);
    if (copyId === null) return;
    if (text === undefined) return;
    if (!(await withinLimit(ctx, chat))) return;
    const verdict = (await deps.screen?.(ctx, chat, text)) ?? PASS;
    if (!verdict.deliver) {
      if (verdict.crisis) await deps.crisisNoteToPeer?.(chat);
      return;
    }
    // An edit cannot wait for a confirmation (its text is not kept): the contact goes as a new message.
    if (await nudgeFirst(chat, text)) return ctx.reply(ctx.t("relay-pii-edit-held"));
    try {
      if (msg.text !== undefined) {
        await ctx.api.editMessageText(chat.peerTgId, copyId, msg.text, {
          ...(msg.entities ? { entities: msg.entities } : {}),
        });
      } else if (msg.caption !== undefined) {
        await ctx.api.editMessageCaption(chat.peerTgId, copyId, {
          caption: msg.caption,
          ...(msg.caption_entities ? { caption_entities: msg.caption_entities } : {}),
        });
      }
    } catch (err) {
      if (isPeerGone(err)) return endBecausePeerGone(ctx, chat);
      logger.warn({ err, actor: ctx.actor }, "edit relay failed");
      return ctx.reply(ctx.t("relay-edit-failed"));
    }
    if (verdict.crisis) await deps.crisisNoteToPeer?.(chat);
  });

  return {
    feature,
    /** Used by /block, /report, /delete and timers to end a chat and tell both people. */
    announceEnd,
    askExtension,
  };
}
