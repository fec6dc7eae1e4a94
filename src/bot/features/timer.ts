import { Composer, InlineKeyboard } from "grammy";
import { type ChatService, type ExtensionAsk, TIMER_HOURS } from "../../services/chats.ts";
import { extendAnswer, timerAnswer, timerOffer } from "../callbacks.ts";
import type { BotContext } from "../context.ts";
import type { Notifier } from "../notifier.ts";

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

/**
 * The temp-chat: /timer → hours → the peer agrees → the timer runs; 2 h before the end both are asked
 * «продлить?», and a day more only when both say yes.
 */
export function createTimerHandlers(deps: { chats: ChatService; notifier: Notifier; now: () => Date }) {
  const { chats, notifier } = deps;
  const feature = new Composer<BotContext>();
  const registered = feature.filter((ctx) => ctx.user !== null);

  registered.command("timer", async (ctx) => {
    const chat = await chats.activeChat(ctx.user!.id);
    if (!chat) return ctx.reply(ctx.t("timer-no-chat"));
    if (chat.expiresAt) {
      return ctx.reply(
        ctx.t("timer-running", { left: timeLeft(ctx.t.bind(ctx), chat.expiresAt, deps.now()) }),
      );
    }
    const kb = new InlineKeyboard();
    for (const hours of TIMER_HOURS) kb.text(ctx.t("btn-timer-hours", { hours }), timerOffer.pack({ hours }));
    await ctx.reply(ctx.t("timer-choose"), { reply_markup: kb });
  });

  registered.callbackQuery(timerOffer.filter, async (ctx) => {
    const res = await chats.offerTimer(ctx.user!.id, timerOffer.unpack(ctx.callbackQuery.data)!.hours);
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
        .text(notifier.t("btn-timer-yes"), timerAnswer.pack({ answer: "yes", session: res.chat.sessionId }))
        .text(notifier.t("btn-timer-no"), timerAnswer.pack({ answer: "no", session: res.chat.sessionId })),
    );
    await ctx.reply(ctx.t("timer-offered"));
    await ctx.answerCallbackQuery();
  });

  registered.callbackQuery(timerAnswer.filter, async (ctx) => {
    const { answer, session } = timerAnswer.unpack(ctx.callbackQuery.data)!;
    const res = await chats.answerTimer(ctx.user!.id, session, answer === "yes");
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

  registered.callbackQuery(extendAnswer.filter, async (ctx) => {
    const { answer, session: sessionId } = extendAnswer.unpack(ctx.callbackQuery.data)!;
    const vote = await chats.voteExtension(ctx.user!.id, sessionId, answer === "yes");
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
      .text(notifier.t("btn-extend-yes"), extendAnswer.pack({ answer: "yes", session: ask.sessionId }))
      .text(notifier.t("btn-extend-no"), extendAnswer.pack({ answer: "no", session: ask.sessionId }));
    for (const p of ask.participants) await notifier.send(p.userId, notifier.t("extend-ask", { left }), kb);
  }

  return { feature, askExtension };
}
