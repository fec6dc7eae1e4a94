import { Composer, GrammyError, InlineKeyboard } from "grammy";
import type { Message } from "grammy/types";
import { formatUtc } from "../../domain/format-time.ts";
import type { KeyValue } from "../../infra/ports.ts";
import type { Logger } from "../../logger.ts";
import type { ActiveChat, ChatService } from "../../services/chats.ts";
import type { CoachService } from "../../services/coach/index.ts";
import type { ModerationService } from "../../services/moderation/index.ts";
import type { ProfileService } from "../../services/profile.ts";
import { coachHint, coachSend, coachShare, coachToggle } from "../callbacks.ts";
import type { BotContext } from "../context.ts";
import { takeRelayBudget } from "../relay-budget.ts";

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
    // Once per person, when a model is in play: may their own words help the other person?
    if (await coach.claimShareQuestion(chat.userId, chat.sessionId)) {
      await ctx.reply(ctx.t("coach-share-question"), { reply_markup: shareKeyboard(ctx) });
    }
    if (!recorded.offerToRecipient) return undefined;
    return new InlineKeyboard().text(ctx.t("btn-coach-hint"), coachHint.pack({ session: chat.sessionId }));
  }

  const shareKeyboard = (ctx: BotContext) =>
    new InlineKeyboard()
      .text(ctx.t("btn-coach-share-yes"), coachShare.pack({ answer: "yes" }))
      .text(ctx.t("btn-coach-share-no"), coachShare.pack({ answer: "no" }));

  /** What /coach says: hints on or off, and (with a model) whether the person's own words may be used. */
  async function statusText(ctx: BotContext, userId: number): Promise<string> {
    const mode = coach.usesModel ? "model" : "library";
    const on = await coach.isCoachEnabled(userId);
    const lines = [ctx.t(on ? `coach-status-on-${mode}` : `coach-status-off-${mode}`)];
    if (coach.usesModel)
      lines.push(
        ctx.t((await coach.sharesWords(userId)) ? "coach-share-status-on" : "coach-share-status-off"),
      );
    return lines.join("\n\n");
  }

  async function statusKeyboard(ctx: BotContext, userId: number): Promise<InlineKeyboard> {
    const on = await coach.isCoachEnabled(userId);
    const kb = new InlineKeyboard().text(
      ctx.t(on ? "btn-coach-off" : "btn-coach-on"),
      coachToggle.pack({ state: on ? "off" : "on" }),
    );
    if (coach.usesModel) {
      const shares = await coach.sharesWords(userId);
      kb.row().text(
        ctx.t(shares ? "btn-coach-share-stop" : "btn-coach-share-allow"),
        coachShare.pack({ answer: shares ? "no" : "yes" }),
      );
    }
    return kb;
  }

  registered.callbackQuery(coachHint.filter, async (ctx) => {
    const { session } = coachHint.unpack(ctx.callbackQuery.data)!;
    const chat = await chats.activeChat(ctx.user!.id);
    if (!chat || chat.sessionId !== session) {
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
    if (result.disclosure)
      await ctx.reply(ctx.t(coach.usesModel ? "coach-disclosure-model" : "coach-disclosure-library"));
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
          .text(ctx.t("btn-coach-send"), coachSend.pack({ hint: hint.id })),
      });
    }
  });

  // «Отправить»: the hint goes to the peer as this person's own message — only on this tap.
  registered.callbackQuery(coachSend.filter, async (ctx) => {
    const { hint: hintId } = coachSend.unpack(ctx.callbackQuery.data)!;
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
    const limit = await takeRelayBudget(ctx, kv);
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
    await ctx.reply(await statusText(ctx, ctx.user!.id), {
      reply_markup: await statusKeyboard(ctx, ctx.user!.id),
    });
  });
  registered.callbackQuery(coachToggle.filter, async (ctx) => {
    const { state } = coachToggle.unpack(ctx.callbackQuery.data)!;
    await coach.setCoachEnabled(ctx.user!.id, state === "on");
    await ctx.editMessageReplyMarkup();
    await ctx.reply(await statusText(ctx, ctx.user!.id), {
      reply_markup: await statusKeyboard(ctx, ctx.user!.id),
    });
    await ctx.answerCallbackQuery();
  });
  // Consent for the person's own words: from the one-time question, /coach or the profile card.
  registered.callbackQuery(coachShare.filter, async (ctx) => {
    const userId = ctx.user!.id;
    const { answer } = coachShare.unpack(ctx.callbackQuery.data)!;
    const on = answer === "toggle" ? !(await coach.sharesWords(userId)) : answer === "yes";
    await coach.setShareConsent(userId, on);
    await ctx.editMessageReplyMarkup();
    await ctx.answerCallbackQuery();
    await ctx.reply(ctx.t(on ? "coach-share-status-on" : "coach-share-status-off"));
  });

  return { feature, decorateCopy };
}
