import { Composer, GrammyError, InlineKeyboard } from "grammy";
import type { Message } from "grammy/types";
import type { KeyValue, RateLimiter } from "../../infra/ports.ts";
import type { Logger } from "../../logger.ts";
import type { ActiveChat, ChatService } from "../../services/chats.ts";
import type { CoachService } from "../../services/coach.ts";
import type { ModerationService } from "../../services/moderation.ts";
import type { ProfileService } from "../../services/profile.ts";
import type { BotContext } from "../context.ts";
import { formatUtc } from "../notifier.ts";

const HINT_TEXT_TTL_MS = 30 * 60 * 1000;
const CRISIS_LOOKBACK_MS = 2 * 60 * 60 * 1000;

export interface CoachFeatureDeps {
  coach: CoachService;
  chats: ChatService;
  profiles: ProfileService;
  moderation: ModerationService;
  kv: KeyValue;
  logger: Logger;
  /** The relay's 15/min limit, shared: a hint sent with the button counts like any message. */
  relayLimiter: RateLimiter;
  now: () => Date;
  sosText(country: string): Promise<string>;
  countryOf(userId: number): Promise<string>;
}

/**
 * The AI coach's adapter: records each relayed text (anonymised, in the key-value store), offers
 * «💡 Подсказка» on the recipient's copy now and then, shows hints only to the person who asked, and
 * sends one as their own message only when they tap «Отправить». Exists only when AI_COACH_ENABLED.
 */
export function createCoachFeature(deps: CoachFeatureDeps) {
  const { coach, chats, profiles, moderation, kv, logger } = deps;
  const feature = new Composer<BotContext>();
  const registered = feature.filter((ctx) => ctx.user !== null);

  /** Called by the relay before copying: remembers the text and maybe adds the hint button to the copy. */
  async function decorateCopy(
    ctx: BotContext,
    chat: ActiveChat,
    msg: Message,
  ): Promise<InlineKeyboard | undefined> {
    const [me, peer] = await Promise.all([profiles.findById(chat.userId), profiles.findById(chat.peerId)]);
    const recorded = await coach.recordMessage(chat.sessionId, chat.userId, msg.text ?? null, {
      senderNickname: me?.nickname ?? null,
      recipientNickname: peer?.nickname ?? null,
      recipientUserId: chat.peerId,
    });
    if (!recorded.offerToRecipient) return undefined;
    return new InlineKeyboard().text(ctx.t("btn-coach-hint"), `ai:h:${chat.sessionId}`);
  }

  registered.callbackQuery(/^ai:h:(\d{1,15})$/, async (ctx) => {
    const chat = await chats.activeChat(ctx.user!.id);
    if (!chat || chat.sessionId !== Number(ctx.match[1])) {
      await ctx.answerCallbackQuery({ text: ctx.t("stale-button") });
      return;
    }
    const result = await coach.getHints(chat.sessionId, chat.userId, {
      topicSlugs: await profiles.sharedTopicSlugs(chat.userId, chat.peerId),
      crisisFlagged: await moderation.hasRecentCrisisFlag(chat.sessionId, CRISIS_LOOKBACK_MS),
    });
    if (result.kind === "limited") {
      await ctx.answerCallbackQuery({ text: ctx.t(`coach-limited-${result.reason}`), show_alert: true });
      return;
    }
    await ctx.answerCallbackQuery();
    if (result.kind === "crisis_guidance") {
      await ctx.reply(`${result.text}\n\n${await deps.sosText(await deps.countryOf(chat.userId))}`);
      return;
    }
    if (result.disclosure) await ctx.reply(ctx.t("coach-disclosure"));
    for (const hint of result.hints) {
      const text = ctx.t(`coach-hint-${hint.type}`, { text: hint.text });
      if (hint.type === "boundary") {
        await ctx.reply(text);
        continue;
      }
      // The text waits briefly for «Отправить»; it may echo the conversation, so it never reaches the DB.
      await kv.set(`coach:hint-text:${chat.userId}:${hint.id}`, hint.text, HINT_TEXT_TTL_MS);
      await ctx.reply(text, {
        reply_markup: new InlineKeyboard()
          .copyText(ctx.t("btn-coach-copy"), hint.text)
          .text(ctx.t("btn-coach-send"), `ai:s:${hint.id}`),
      });
    }
  });

  // «Отправить»: the hint goes to the peer as this person's own message — only on this tap.
  registered.callbackQuery(/^ai:s:(\d{1,15})$/, async (ctx) => {
    const hintId = Number(ctx.match[1]);
    const key = `coach:hint-text:${ctx.user!.id}:${hintId}`;
    const text = await kv.get(key);
    const chat = await chats.activeChat(ctx.user!.id);
    if (text === null || !chat || chat.peerTgId === null) {
      await ctx.answerCallbackQuery({ text: ctx.t("stale-button") });
      return;
    }
    // A hint sent with the button is the person's own message: the relay's mute and limit apply.
    const me = await profiles.findById(chat.userId);
    if (me?.mutedUntil && me.mutedUntil > deps.now()) {
      await ctx.answerCallbackQuery({
        text: ctx.t("muted-now", { until: formatUtc(me.mutedUntil) }),
        show_alert: true,
      });
      return;
    }
    const limit = await deps.relayLimiter.consume(String(chat.userId));
    if (!limit.allowed) {
      const seconds = Math.max(1, Math.ceil(limit.retryAfterMs / 1000));
      await ctx.answerCallbackQuery({ text: ctx.t("relay-rate-limited", { seconds }), show_alert: true });
      return;
    }
    try {
      const sent = await ctx.api.sendMessage(chat.peerTgId, text);
      await kv.delete(key);
      await chats.countMessage(chat);
      if (ctx.callbackQuery.message)
        await chats.linkMessages(chat, ctx.callbackQuery.message.message_id, sent.message_id);
      await coach.markSent(hintId, chat.userId);
      await ctx.editMessageReplyMarkup();
      await ctx.answerCallbackQuery({ text: ctx.t("coach-sent") });
    } catch (err) {
      if (err instanceof GrammyError && err.error_code === 403) {
        await ctx.answerCallbackQuery({ text: ctx.t("relay-peer-gone") });
        return;
      }
      logger.warn({ err, actor: ctx.actor }, "hint send failed");
      throw err;
    }
  });

  registered.command("coach", async (ctx) => {
    const on = await coach.isCoachEnabled(ctx.user!.id);
    await ctx.reply(ctx.t(on ? "coach-status-on" : "coach-status-off"), {
      reply_markup: new InlineKeyboard().text(
        ctx.t(on ? "btn-coach-off" : "btn-coach-on"),
        on ? "ai:off" : "ai:on",
      ),
    });
  });
  registered.callbackQuery(/^ai:(on|off)$/, async (ctx) => {
    const on = ctx.match[1] === "on";
    await coach.setCoachEnabled(ctx.user!.id, on);
    await ctx.editMessageReplyMarkup();
    await ctx.reply(ctx.t(on ? "coach-status-on" : "coach-status-off"));
    await ctx.answerCallbackQuery();
  });

  return { feature, decorateCopy };
}
