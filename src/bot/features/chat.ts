import { Composer, GrammyError, InlineKeyboard } from "grammy";
import type { Message, ReplyParameters } from "grammy/types";
import { hasPersonalData } from "../../domain/pii.ts";
import type { KeyValue, RateLimiter } from "../../infra/ports.ts";
import type { Logger } from "../../logger.ts";
import {
  type ActiveChat,
  type ChatService,
  type EndedChat,
  type ExtensionAsk,
  TIMER_HOURS,
} from "../../services/chats.ts";
import type { BotContext } from "../context.ts";
import type { Notifier } from "../notifier.ts";

const ALBUM_WAIT_MS = 700;
const HELD_TTL_MS = 60 * 60 * 1000;
const RATING_EMOJI = ["😞", "😕", "😐", "🙂", "🤗"];

export interface ChatFeatureDeps {
  chats: ChatService;
  notifier: Notifier;
  kv: KeyValue;
  relayLimiter: RateLimiter;
  logger: Logger;
  /** Safety screens: before (false = do not deliver; the sender was told why) and after delivery. */
  screenBefore?: (ctx: BotContext, chat: ActiveChat, text: string | undefined) => Promise<boolean>;
  screenAfter?: (ctx: BotContext, chat: ActiveChat, text: string | undefined) => Promise<void>;
  /** Buttons for the peer's copy (the AI coach's «💡 Подсказка»), decided before copying. */
  decorateCopy?: (ctx: BotContext, chat: ActiveChat, msg: Message) => Promise<InlineKeyboard | undefined>;
  /** The time now (temp-chat countdowns). */
  now: () => Date;
  /** A chat ended: drop what is kept about it elsewhere (the AI coach's context). */
  onEnded?: (sessionId: number) => Promise<void>;
}

function ratingKeyboard(sessionId: number): InlineKeyboard {
  const kb = new InlineKeyboard();
  for (const [i, emoji] of RATING_EMOJI.entries())
    kb.text(`${emoji} ${i + 1}`, `c:rate:${sessionId}:${i + 1}`);
  return kb;
}

/** «5 ч 30 мин» / «40 мин» until `until` (never negative). */
export function timeLeft(
  t: (key: string, vars?: Record<string, string | number>) => string,
  until: Date,
  now: Date,
) {
  const minutes = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 60_000));
  const hours = Math.floor(minutes / 60);
  return hours > 0 ? t("duration-hm", { hours, minutes: minutes % 60 }) : t("duration-m", { minutes });
}

function isPeerGone(err: unknown): boolean {
  return err instanceof GrammyError && err.error_code === 403;
}

/** The conversation: anonymous relay with copyMessage, edits, replies, /end and ratings. */
export function createChatFeature(deps: ChatFeatureDeps) {
  const { chats, notifier, kv, logger } = deps;
  const feature = new Composer<BotContext>();
  const registered = feature.filter((ctx) => ctx.user !== null);
  const albums = new Map<string, { ids: number[]; timer: NodeJS.Timeout }>();

  /** Goodbye, rating and the tips call-to-action to both people. */
  async function announceEnd(ended: EndedChat, byUserId: number | null) {
    await deps.onEnded?.(ended.sessionId);
    for (const p of ended.participants) {
      const key =
        ended.reason === "expired"
          ? "chat-ended-expired"
          : p.userId === byUserId
            ? "chat-ended-by-you"
            : ended.reason === "peer_gone"
              ? "relay-peer-gone"
              : "chat-ended-by-peer";
      await notifier.send(p.userId, notifier.t(key));
      await notifier.send(p.userId, notifier.t("rate-prompt"), ratingKeyboard(ended.sessionId));
      await notifier.send(
        p.userId,
        notifier.t("tips-cta"),
        new InlineKeyboard().text(notifier.t("btn-tip-open"), `t:menu:${ended.sessionId}`),
      );
    }
  }

  async function endBecausePeerGone(ctx: BotContext, chat: ActiveChat) {
    const ended = await chats.endChat(chat.userId, "peer_gone");
    if (!ended) return;
    await deps.onEnded?.(ended.sessionId);
    logger.info({ actor: ctx.actor }, "chat ended: peer unreachable");
    await ctx.reply(ctx.t("relay-peer-gone"));
    await ctx.reply(ctx.t("rate-prompt"), { reply_markup: ratingKeyboard(ended.sessionId) });
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
    const reply = await replyTarget(chat, msg);
    const markup = await deps.decorateCopy?.(ctx, chat, msg);
    try {
      const copy = await ctx.api.copyMessage(chat.peerTgId, msg.chat.id, msg.message_id, {
        ...(reply ? { reply_parameters: reply } : {}),
        ...(markup ? { reply_markup: markup } : {}),
      });
      await chats.linkMessages(chat, msg.message_id, copy.message_id);
      await chats.countMessage(chat);
    } catch (err) {
      if (isPeerGone(err)) return endBecausePeerGone(ctx, chat);
      throw err;
    }
  }

  /** Album parts arrive as separate updates; they are collected briefly and copied together. */
  function collectAlbum(ctx: BotContext, chat: ActiveChat, msg: Message) {
    const key = `${msg.chat.id}:${msg.media_group_id}`;
    const existing = albums.get(key);
    if (existing) {
      existing.ids.push(msg.message_id);
      return;
    }
    const entry = {
      ids: [msg.message_id],
      timer: setTimeout(() => {
        albums.delete(key);
        void (async () => {
          const ids = [...entry.ids].sort((a, b) => a - b);
          try {
            if (chat.peerTgId === null) return;
            const copies = await ctx.api.copyMessages(chat.peerTgId, msg.chat.id, ids);
            for (const [i, copy] of copies.entries()) {
              const original = ids[i];
              if (original !== undefined) await chats.linkMessages(chat, original, copy.message_id);
              await chats.countMessage(chat);
            }
          } catch (err) {
            if (isPeerGone(err)) return endBecausePeerGone(ctx, chat);
            logger.error({ err, actor: ctx.actor }, "album relay failed");
            await ctx.reply(ctx.t("relay-failed")).catch(() => {});
          }
        })();
      }, ALBUM_WAIT_MS),
    };
    albums.set(key, entry);
  }

  registered.command("end", async (ctx) => {
    const chat = await chats.activeChat(ctx.user!.id);
    if (!chat) return ctx.reply(ctx.t("end-no-chat"));
    await ctx.reply(ctx.t("end-confirm"), {
      reply_markup: new InlineKeyboard()
        .text(ctx.t("btn-end-yes"), "c:end:yes")
        .text(ctx.t("btn-end-no"), "c:end:no"),
    });
  });

  registered.callbackQuery("c:end:no", async (ctx) => {
    await ctx.editMessageReplyMarkup();
    await ctx.reply(ctx.t("end-kept"));
    await ctx.answerCallbackQuery();
  });

  registered.callbackQuery("c:end:yes", async (ctx) => {
    const ended = await chats.endChat(ctx.user!.id, "ended");
    await ctx.editMessageReplyMarkup();
    if (!ended) {
      await ctx.answerCallbackQuery({ text: ctx.t("end-already") });
      return;
    }
    await ctx.answerCallbackQuery();
    await announceEnd(ended, ctx.user!.id);
  });

  // Temp-chat: /timer → hours → the peer agrees → the timer runs; «продлить?» 2 h before the end.
  registered.command("timer", async (ctx) => {
    const chat = await chats.activeChat(ctx.user!.id);
    if (!chat) return ctx.reply(ctx.t("timer-no-chat"));
    if (chat.expiresAt) {
      return ctx.reply(
        ctx.t("timer-running", { left: timeLeft(ctx.t.bind(ctx), chat.expiresAt, deps.now()) }),
      );
    }
    const kb = new InlineKeyboard();
    for (const hours of TIMER_HOURS) kb.text(ctx.t("btn-timer-hours", { hours }), `c:tm:offer:${hours}`);
    await ctx.reply(ctx.t("timer-choose"), { reply_markup: kb });
  });

  registered.callbackQuery(/^c:tm:offer:(\d{1,3})$/, async (ctx) => {
    const res = await chats.offerTimer(ctx.user!.id, Number(ctx.match[1]));
    await ctx.editMessageReplyMarkup();
    if (!res.ok) {
      const key =
        res.reason === "already_timed"
          ? "timer-already"
          : res.reason === "no_chat"
            ? "timer-no-chat"
            : "stale-button";
      await ctx.answerCallbackQuery({ text: ctx.t(key) });
      return;
    }
    await notifier.send(
      res.chat.peerId,
      notifier.t("timer-offer-to-peer", { hours: res.hours }),
      new InlineKeyboard()
        .text(notifier.t("btn-timer-yes"), `c:tm:yes:${res.chat.sessionId}`)
        .text(notifier.t("btn-timer-no"), `c:tm:no:${res.chat.sessionId}`),
    );
    await ctx.reply(ctx.t("timer-offered"));
    await ctx.answerCallbackQuery();
  });

  registered.callbackQuery(/^c:tm:(yes|no):(\d{1,15})$/, async (ctx) => {
    const res = await chats.answerTimer(ctx.user!.id, Number(ctx.match[2]), ctx.match[1] === "yes");
    await ctx.editMessageReplyMarkup();
    if (!res.ok) {
      await ctx.answerCallbackQuery({ text: ctx.t("stale-button") });
      return;
    }
    await ctx.answerCallbackQuery();
    if (res.accepted) {
      for (const p of res.participants)
        await notifier.send(p.userId, notifier.t("timer-started", { hours: res.hours }));
    } else {
      await ctx.reply(ctx.t("timer-declined-ok"));
      await notifier.send(res.offeredBy, notifier.t("timer-declined-to-offerer"));
    }
  });

  registered.callbackQuery(/^c:ext:(yes|no):(\d{1,15})$/, async (ctx) => {
    const sessionId = Number(ctx.match[2]);
    const vote = await chats.voteExtension(ctx.user!.id, sessionId, ctx.match[1] === "yes");
    await ctx.editMessageReplyMarkup();
    if (vote.kind === "stale") {
      await ctx.answerCallbackQuery({ text: ctx.t("stale-button") });
      return;
    }
    await ctx.answerCallbackQuery();
    const chat = await chats.activeChat(ctx.user!.id);
    const left = chat?.expiresAt ? timeLeft(ctx.t.bind(ctx), chat.expiresAt, deps.now()) : "";
    if (vote.kind === "waiting") await ctx.reply(ctx.t("extend-waiting"));
    else if (vote.kind === "peer_declined") await ctx.reply(ctx.t("extend-declined-by-peer", { left }));
    else if (vote.kind === "declined") {
      await ctx.reply(ctx.t("extend-declined-by-you"));
      await notifier.send(vote.peerId, notifier.t("extend-declined-by-peer", { left }));
    } else {
      const leftNow = timeLeft(notifier.t, vote.expiresAt, deps.now());
      for (const p of vote.participants)
        await notifier.send(p.userId, notifier.t("extend-done", { left: leftNow }));
    }
  });

  /** The scheduler's «продлить?» to both people of a timed chat near its end. */
  async function askExtension(ask: ExtensionAsk) {
    const left = timeLeft(notifier.t, ask.expiresAt, deps.now());
    const kb = new InlineKeyboard()
      .text(notifier.t("btn-extend-yes"), `c:ext:yes:${ask.sessionId}`)
      .text(notifier.t("btn-extend-no"), `c:ext:no:${ask.sessionId}`);
    for (const p of ask.participants) await notifier.send(p.userId, notifier.t("extend-ask", { left }), kb);
  }

  registered.callbackQuery(/^c:rate:(\d{1,15}):([1-5])$/, async (ctx) => {
    const res = await chats.rate(ctx.user!.id, Number(ctx.match[1]), Number(ctx.match[2]));
    if (!res.ok) {
      await ctx.answerCallbackQuery({ text: ctx.t("rate-error") });
      return;
    }
    await ctx.editMessageReplyMarkup();
    await ctx.answerCallbackQuery({ text: ctx.t("rate-thanks") });
  });

  // The first message that looks like a contact waits for the sender's confirmation.
  registered.callbackQuery(/^c:pii:(send|drop):(\d{1,15})$/, async (ctx) => {
    const chat = await chats.activeChat(ctx.user!.id);
    const messageId = Number(ctx.match[2]);
    const heldKey = chat ? `held:${chat.sessionId}:${chat.userId}:${messageId}` : "";
    const held = chat ? await kv.get(heldKey) : null;
    await ctx.editMessageReplyMarkup();
    if (!chat || held === null) {
      await ctx.answerCallbackQuery({ text: ctx.t("stale-button") });
      return;
    }
    await kv.delete(heldKey);
    if (ctx.match[1] === "drop") {
      await ctx.reply(ctx.t("relay-pii-dropped"));
    } else {
      const original = { message_id: messageId, chat: { id: ctx.chat!.id } } as Message;
      await deliver(ctx, chat, original);
      await ctx.reply(ctx.t("relay-pii-sent"));
    }
    await ctx.answerCallbackQuery();
  });

  registered.callbackQuery(/^c:/, (ctx) => ctx.answerCallbackQuery({ text: ctx.t("stale-button") }));

  registered.on("message", async (ctx, next) => {
    const msg = ctx.message;
    if (msg.text?.startsWith("/")) return next();
    const chat = await chats.activeChat(ctx.user!.id);
    if (!chat) return next();
    if (msg.contact) return ctx.reply(ctx.t("relay-refused-contact"));
    if (msg.location || msg.venue) return ctx.reply(ctx.t("relay-refused-location"));

    const limit = await deps.relayLimiter.consume(String(chat.userId));
    if (!limit.allowed) {
      return ctx.reply(
        ctx.t("relay-rate-limited", { seconds: Math.max(1, Math.ceil(limit.retryAfterMs / 1000)) }),
      );
    }

    const text = msg.text ?? msg.caption;
    if (deps.screenBefore && !(await deps.screenBefore(ctx, chat, text))) return;
    if (text && hasPersonalData(text)) {
      const nudged = await kv.setIfAbsent(`nudged:${chat.sessionId}:${chat.userId}`, "1", 7 * 24 * 3600_000);
      if (nudged) {
        await kv.set(`held:${chat.sessionId}:${chat.userId}:${msg.message_id}`, "1", HELD_TTL_MS);
        return ctx.reply(ctx.t("relay-pii-nudge"), {
          reply_parameters: { message_id: msg.message_id },
          reply_markup: new InlineKeyboard()
            .text(ctx.t("btn-pii-send"), `c:pii:send:${msg.message_id}`)
            .text(ctx.t("btn-pii-drop"), `c:pii:drop:${msg.message_id}`),
        });
      }
    }

    if (msg.media_group_id) return collectAlbum(ctx, chat, msg);
    await deliver(ctx, chat, msg);
    await deps.screenAfter?.(ctx, chat, text);
  });

  registered.on("edited_message", async (ctx) => {
    const msg = ctx.editedMessage;
    const chat = await chats.activeChat(ctx.user!.id);
    if (!chat || chat.peerTgId === null) return;
    const copyId = await chats.counterpart(chat, msg.message_id);
    if (copyId === null) return;
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
      await ctx.reply(ctx.t("relay-edit-failed"));
    }
  });

  return {
    feature,
    /** Used by /block, /report, /delete and timers to end a chat and tell both people. */
    announceEnd,
    askExtension,
  };
}
