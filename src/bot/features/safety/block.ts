import { InlineKeyboard } from "grammy";
import { blockAnswer } from "../../callbacks.ts";

import type { Registered, SafetyFeatureDeps } from "./deps.ts";

/** /block: the conversation ends at once and the two are not matched again for 30 days. */
export function registerBlock(deps: SafetyFeatureDeps, registered: Registered) {
  const { moderation, chats, notifier } = deps;

  registered.command("block", async (ctx) => {
    if (!(await chats.activeChat(ctx.user!.id))) return ctx.reply(ctx.t("block-no-peer"));
    await ctx.reply(ctx.t("block-confirm"), {
      reply_markup: new InlineKeyboard()
        .text(ctx.t("btn-block-yes"), blockAnswer.pack({ answer: "yes" }))
        .text(ctx.t("btn-block-no"), blockAnswer.pack({ answer: "no" })),
    });
  });
  registered.callbackQuery(blockAnswer.pack({ answer: "no" }), async (ctx) => {
    await ctx.editMessageReplyMarkup();
    await ctx.answerCallbackQuery({ text: ctx.t("end-kept") });
  });
  registered.callbackQuery(blockAnswer.pack({ answer: "yes" }), async (ctx) => {
    const res = await moderation.block(ctx.user!.id);
    await ctx.editMessageReplyMarkup();
    await ctx.answerCallbackQuery();
    if (!res.ok) return ctx.reply(ctx.t("block-no-peer"));
    await ctx.reply(ctx.t("block-done"));
    if (res.endedChat) await notifier.chatEndedQuietly(res, ctx.user!.id);
  });
}
