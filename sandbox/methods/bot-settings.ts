import { isObject } from "../util.ts";
import type { BotState } from "../world/state.ts";
import type { Handler } from "./context.ts";

// Commands, descriptions, name and menu button, each per scope and language like Telegram.

export function commandsKey(params: Record<string, unknown>): string {
  const scope = isObject(params.scope) ? params.scope : { type: "default" };
  const lang = typeof params.language_code === "string" ? params.language_code : "";
  return `${scope.type}:${scope.chat_id ?? ""}:${scope.user_id ?? ""}|${lang}`;
}

/**
 * The command menu Telegram shows a person in the private chat with the bot: the first non-empty list
 * of chat scope, all private chats, default — each first in the person's language, then without one.
 */
export function commandsFor(
  bot: BotState,
  user: { id: number; language_code?: string },
): { commands: unknown[]; scope: string; language_code: string } {
  const scopes = [{ type: "chat", chat_id: user.id }, { type: "all_private_chats" }, { type: "default" }];
  const languages = user.language_code ? [user.language_code, ""] : [""];
  for (const scope of scopes) {
    for (const language_code of languages) {
      const commands = bot.commands.get(commandsKey({ scope, language_code }));
      if (commands && commands.length > 0) return { commands, scope: scope.type, language_code };
    }
  }
  return { commands: [], scope: "default", language_code: "" };
}

export const botSettingsMethods: Record<string, Handler> = {
  setMyCommands: ({ world, bot, params }) => {
    bot.commands.set(commandsKey(params), params.commands as unknown[]);
    world.emit({ type: "commands", bot_id: bot.id });
    return true;
  },
  getMyCommands: ({ bot, params }) => bot.commands.get(commandsKey(params)) ?? [],
  deleteMyCommands: ({ world, bot, params }) => {
    bot.commands.delete(commandsKey(params));
    world.emit({ type: "commands", bot_id: bot.id });
    return true;
  },
  setMyDescription: ({ bot, params }) => storeText(bot, "description", params),
  getMyDescription: ({ bot, params }) => ({ description: readText(bot, "description", params) }),
  setMyShortDescription: ({ bot, params }) => storeText(bot, "short_description", params),
  getMyShortDescription: ({ bot, params }) => ({
    short_description: readText(bot, "short_description", params),
  }),
  setMyName: ({ bot, params }) => storeText(bot, "name", params),
  getMyName: ({ bot, params }) => ({ name: readText(bot, "name", params) || bot.user.first_name }),
  setChatMenuButton: ({ bot, params }) => {
    bot.texts.set(`menu|${params.chat_id ?? ""}`, JSON.stringify(params.menu_button ?? { type: "default" }));
    return true;
  },
  getChatMenuButton: ({ bot, params }) =>
    JSON.parse(
      bot.texts.get(`menu|${params.chat_id ?? ""}`) ?? bot.texts.get("menu|") ?? '{"type":"commands"}',
    ),
};

function storeText(bot: BotState, kind: string, params: Record<string, unknown>): true {
  const lang = typeof params.language_code === "string" ? params.language_code : "";
  const value = params[kind];
  if (typeof value === "string" && value !== "") bot.texts.set(`${kind}|${lang}`, value);
  else bot.texts.delete(`${kind}|${lang}`);
  return true;
}

function readText(bot: BotState, kind: string, params: Record<string, unknown>): string {
  const lang = typeof params.language_code === "string" ? params.language_code : "";
  return bot.texts.get(`${kind}|${lang}`) ?? "";
}
