import { getUpdates } from "../world/updates.ts";
import { deleteWebhook, setWebhook, webhookInfo } from "../world/webhooks.ts";
import type { Handler } from "./context.ts";

// The bot itself and how it receives updates: getMe, long polling, webhooks.

export const sessionMethods: Record<string, Handler> = {
  getMe: ({ bot }) => bot.getMe(),
  logOut: () => true,
  close: () => true,

  getUpdates: ({ world, bot, params, onDisconnect }) =>
    getUpdates(world, bot, params as Parameters<typeof getUpdates>[2], onDisconnect),
  setWebhook: ({ world, bot, params }) => {
    setWebhook(world, bot, params as Parameters<typeof setWebhook>[2]);
    return true;
  },
  deleteWebhook: ({ bot, params }) => {
    deleteWebhook(bot, params.drop_pending_updates === true);
    return true;
  },
  getWebhookInfo: ({ bot }) => webhookInfo(bot),
};
