import { badRequest } from "../errors.ts";
import { answerCallback } from "../world/callbacks.ts";
import { type Handler, targetChat } from "./context.ts";

// Answers to button presses, and what a bot may read about a chat or a person.

export const chatMethods: Record<string, Handler> = {
  answerCallbackQuery: ({ world, bot, params }) => {
    const answer: { text?: string; show_alert: boolean; url?: string } = {
      show_alert: params.show_alert === true,
    };
    if (typeof params.text === "string" && params.text !== "") answer.text = params.text;
    if (typeof params.url === "string") answer.url = params.url;
    answerCallback(world, bot, String(params.callback_query_id), answer);
    return true;
  },
  getChat: (ctx) => {
    const chat = targetChat(ctx, ctx.params.chat_id, false);
    return {
      ...chat.chat(),
      accent_color_id: 0,
      max_reaction_count: 11,
      accepted_gift_types: {
        unlimited_gifts: true,
        limited_gifts: true,
        unique_gifts: true,
        premium_subscription: true,
        gifts_from_channels: true,
      },
    };
  },
  getUserProfilePhotos: ({ world, params }) => {
    if (!world.users.has(Number(params.user_id))) throw badRequest("user not found");
    return { total_count: 0, photos: [] };
  },
};
