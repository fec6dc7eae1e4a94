import type { I18n } from "@grammyjs/i18n";
import type { Api } from "grammy";
import type { Logger } from "../logger.ts";
import type { BotContext } from "./context.ts";

/**
 * What other parts of the service ask of Telegram outside an update: invoice links and refunds for
 * the tips API, taking evidence copies out of the moderators' chat. The wiring passes these on and
 * never calls the Bot API itself.
 */
export function createBotOperations(deps: {
  api: Api;
  i18n: I18n<BotContext>;
  modChatId: number | null;
  logger: Logger;
}) {
  const { api, i18n, modChatId, logger } = deps;
  const t = (key: string) => i18n.t("ru", key);
  return {
    payments: {
      /** A Stars invoice link for the tips API (`POST /tips/create`). */
      createInvoiceLink: ({ payload, amount }: { payload: string; amount: number }) =>
        api.createInvoiceLink(
          t("tips-invoice-title"),
          t("tips-invoice-link-description"),
          payload,
          "",
          "XTR",
          [{ label: t("tips-invoice-label"), amount }],
        ),
      refundStarPayment: async (payerTgId: number, chargeId: string): Promise<void> => {
        await api.refundStarPayment(payerTgId, chargeId);
      },
    },
    /** Telegram's view of the webhook (pending updates, last delivery error): the backlog gauge. */
    webhookInfo: () => api.getWebhookInfo(),
    moderatorsChat: {
      /** Deletes evidence copies from the moderators' chat; a copy Telegram will not delete is logged and left. */
      async takeDown(copies: ReadonlyArray<{ modChatMessageId: number | null }>): Promise<void> {
        if (modChatId === null) return;
        for (const c of copies) {
          if (c.modChatMessageId === null) continue;
          await api.deleteMessage(modChatId, c.modChatMessageId).catch((err) => {
            logger.warn({ err }, "evidence copy could not be deleted");
          });
        }
      },
    },
  };
}

export type BotOperations = ReturnType<typeof createBotOperations>;
