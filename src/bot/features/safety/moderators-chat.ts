import { Composer } from "grammy";
import { modAction, modEvidence, modText } from "../../callbacks.ts";
import type { BotContext } from "../../context.ts";

import type { SafetyFeatureDeps } from "./deps.ts";
import { evidenceShower } from "./reports.ts";

/** Moderators act from their own chat: show evidence, read a text, decide. */
export function createModeratorsChat(deps: SafetyFeatureDeps) {
  const { moderation, notifier, mods } = deps;
  const showEvidence = evidenceShower(mods);

  /**
   * Copies a report's evidence the moderators have not seen yet into their chat (from the reporter's
   * chat, where it stays). Used by the chat's button and by the console.
   */
  async function showReportEvidence(
    reportId: number,
  ): Promise<{ outcome: "none" | "already" | "shown"; count: number }> {
    const { reporterTgId, items } = await moderation.evidenceSources(reportId);
    const hidden = items.filter((e) => !e.shown);
    if (reporterTgId === null || items.length === 0 || mods.chatId === null)
      return { outcome: "none", count: 0 };
    if (hidden.length === 0) return { outcome: "already", count: 0 };
    const count = await showEvidence(
      reportId,
      reporterTgId,
      hidden.map((e) => ({
        sourceMessageId: e.sourceMessageId,
        origin: e.origin,
        store: (copyId: number) => moderation.markEvidenceShown(e.id, copyId),
      })),
    );
    return { outcome: "shown", count };
  }

  const modChat = new Composer<BotContext>();
  // Copies come down after 47 h (Telegram's 48 h limit on deleting); a moderator can bring them back
  // while the report keeps its evidence (until 30 days after it closes).
  modChat.callbackQuery(modEvidence.filter, async (ctx) => {
    if (mods.chatId === null || ctx.chat?.id !== mods.chatId) {
      await ctx.answerCallbackQuery({ text: "—" });
      return;
    }
    const shown = await showReportEvidence(modEvidence.unpack(ctx.callbackQuery.data)!.report);
    if (shown.outcome === "none") {
      await ctx.answerCallbackQuery({ text: mods.t("mod-evidence-none"), show_alert: true });
      return;
    }
    if (shown.outcome === "already") {
      await ctx.answerCallbackQuery({ text: mods.t("mod-evidence-already") });
      return;
    }
    await ctx.answerCallbackQuery({ text: mods.t("mod-evidence-shown", { count: shown.count }) });
  });
  // A person's own words reach a moderator as a pop-up on request, never as a post that outlives them.
  modChat.callbackQuery(modText.filter, async (ctx) => {
    if (mods.chatId === null || ctx.chat?.id !== mods.chatId) {
      await ctx.answerCallbackQuery({ text: "—" });
      return;
    }
    const { kind, target } = modText.unpack(ctx.callbackQuery.data)!;
    const text = await moderation.writtenText(kind === "r" ? "report" : "appeal", target);
    const shown = text ? (text.length > 190 ? `${text.slice(0, 190)}…` : text) : mods.t("mod-text-none");
    await ctx.answerCallbackQuery({ text: shown, show_alert: true });
  });
  modChat.callbackQuery(modAction.filter, async (ctx) => {
    if (mods.chatId === null || ctx.chat?.id !== mods.chatId) {
      await ctx.answerCallbackQuery({ text: "—" });
      return;
    }
    const { action, kind, target: id } = modAction.unpack(ctx.callbackQuery.data)!;
    const actor = deps.pseudonymize(ctx.from.id);
    if (kind === "a") {
      const res = await moderation.decideAppeal(id, { actor, grant: action === "grant" });
      if (!res.ok)
        return void (await ctx.answerCallbackQuery({ text: mods.t("mod-error", { reason: res.reason }) }));
      await notifier.appealDecided(res);
    } else {
      let targetUserId = id;
      let reportId: number | null = null;
      if (kind === "r") {
        const report = await moderation.getReport(id);
        if (!report)
          return void (await ctx.answerCallbackQuery({
            text: mods.t("mod-error", { reason: "not_found" }),
          }));
        targetUserId = report.toUser;
        reportId = report.id;
      }
      const res = await moderation.act({ actor, targetUserId, action: action ?? "", reportId });
      if (!res.ok)
        return void (await ctx.answerCallbackQuery({ text: mods.t("mod-error", { reason: res.reason }) }));
      await notifier.moderated(res);
    }
    await ctx.editMessageReplyMarkup();
    await ctx.answerCallbackQuery({ text: mods.t("mod-done", { action: action ?? "" }) });
  });

  return { modChat, showReportEvidence };
}
