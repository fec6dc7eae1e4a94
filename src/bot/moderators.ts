import type { I18n } from "@grammyjs/i18n";
import { type Api, InlineKeyboard } from "grammy";
import type { Logger } from "../logger.ts";
import { modAction, modEvidence, modText } from "./callbacks.ts";
import type { BotContext } from "./context.ts";

/**
 * Alerts to the moderators' chat (MOD_CHAT_ID) with inline actions. Without a configured chat the
 * alert is logged (ids only) so nothing is lost silently; the admin API has the same queue.
 */
export function createModeratorAlerts(deps: {
  api: Api;
  i18n: I18n<BotContext>;
  chatId: number | null;
  logger: Logger;
}) {
  const { api, i18n, chatId, logger } = deps;
  const t = (key: string, vars?: Record<string, string | number>) => i18n.t("ru", key, vars);

  /** Posts the alert `key` (a locale key); without a chat only the key is logged, never the text. */
  async function post(
    key: string,
    vars: Record<string, string | number> = {},
    keyboard?: InlineKeyboard,
  ): Promise<number | null> {
    if (chatId === null) {
      logger.warn({ alert: key }, "moderator alert (MOD_CHAT_ID not set)");
      return null;
    }
    const text = t(key, vars);
    try {
      const msg = await api.sendMessage(chatId, text, keyboard ? { reply_markup: keyboard } : {});
      return msg.message_id;
    } catch (err) {
      logger.error({ err }, "moderator alert failed");
      return null;
    }
  }

  function reportActions(reportId: number): InlineKeyboard {
    return new InlineKeyboard()
      .text(t("btn-mod-evidence"), modEvidence.pack({ kind: "r", report: reportId }))
      .text(t("btn-mod-text"), modText.pack({ kind: "r", target: reportId }))
      .row()
      .text(t("btn-mod-dismiss"), modAction.pack({ action: "dismiss", kind: "r", target: reportId }))
      .text(t("btn-mod-warn"), modAction.pack({ action: "warn", kind: "r", target: reportId }))
      .row()
      .text(t("btn-mod-suspend"), modAction.pack({ action: "suspend", kind: "r", target: reportId }))
      .text(t("btn-mod-ban"), modAction.pack({ action: "ban", kind: "r", target: reportId }));
  }

  function userActions(userId: number): InlineKeyboard {
    return new InlineKeyboard()
      .text(t("btn-mod-warn"), modAction.pack({ action: "warn", kind: "u", target: userId }))
      .text(t("btn-mod-suspend"), modAction.pack({ action: "suspend", kind: "u", target: userId }))
      .row()
      .text(t("btn-mod-ban"), modAction.pack({ action: "ban", kind: "u", target: userId }))
      .text(t("btn-mod-dismiss"), modAction.pack({ action: "unsuspend", kind: "u", target: userId }));
  }

  return {
    chatId,
    t,
    post,
    reportActions,
    userActions,
    appealActions(appealId: number): InlineKeyboard {
      return new InlineKeyboard()
        .text(t("btn-mod-text"), modText.pack({ kind: "a", target: appealId }))
        .row()
        .text(t("btn-mod-grant"), modAction.pack({ action: "grant", kind: "a", target: appealId }))
        .text(t("btn-mod-reject"), modAction.pack({ action: "reject", kind: "a", target: appealId }));
    },
    /** Copies a message the reporter forwarded into the moderators' chat; returns the copy's id. */
    async copyEvidence(fromChatId: number, messageId: number): Promise<number | null> {
      if (chatId === null) return null;
      try {
        const copy = await api.copyMessage(chatId, fromChatId, messageId);
        return copy.message_id;
      } catch (err) {
        logger.warn({ err }, "evidence copy failed");
        return null;
      }
    },
    async deleteEvidence(messageId: number): Promise<void> {
      if (chatId === null) return;
      await api.deleteMessage(chatId, messageId).catch(() => {});
    },
  };
}

export type ModeratorAlerts = ReturnType<typeof createModeratorAlerts>;
