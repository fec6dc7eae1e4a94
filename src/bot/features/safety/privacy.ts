import { InlineKeyboard, InputFile } from "grammy";
import { deleteAnswer } from "../../callbacks.ts";

import type { Registered, SafetyFeatureDeps } from "./deps.ts";

/** /delete and /export: a person's own data, erased or sent as a file. */
export function registerPrivacy(deps: SafetyFeatureDeps, registered: Registered) {
  const { privacy, chats, notifier } = deps;

  registered.command("delete", async (ctx) => {
    await ctx.reply(ctx.t("delete-confirm"), {
      reply_markup: new InlineKeyboard()
        .text(ctx.t("btn-delete-yes"), deleteAnswer.pack({ answer: "yes" }))
        .text(ctx.t("btn-delete-no"), deleteAnswer.pack({ answer: "no" })),
    });
  });
  registered.callbackQuery(deleteAnswer.pack({ answer: "no" }), async (ctx) => {
    await ctx.editMessageReplyMarkup();
    await ctx.reply(ctx.t("delete-kept"));
    await ctx.answerCallbackQuery();
  });
  registered.callbackQuery(deleteAnswer.pack({ answer: "yes" }), async (ctx) => {
    const me = ctx.user!;
    const active = await chats.activeChat(me.id);
    const res = await privacy.erase(me.id);
    await ctx.editMessageReplyMarkup();
    await ctx.answerCallbackQuery();
    if (!res.ok) return;
    await deps.onErase?.(me.id, active?.sessionId ?? null);
    await deps.takeDownEvidence?.(res.evidenceCopies);
    if (res.endedChat) await notifier.chatEndedQuietly(res.endedChat, me.id);
    await notifier.proposalsWithdrawn(res.withdrawnProposals);
    ctx.user = null;
    await ctx.reply(ctx.t("delete-done"));
  });

  registered.command("export", async (ctx) => {
    const data = await privacy.export(ctx.user!.id);
    const file = new InputFile(Buffer.from(JSON.stringify(data, null, 2), "utf8"), "ty-ne-odin-my-data.json");
    await ctx.replyWithDocument(file, { caption: ctx.t("export-caption") });
  });
}
