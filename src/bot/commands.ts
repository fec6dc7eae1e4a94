import type { I18n } from "@grammyjs/i18n";
import type { Api } from "grammy";
import type { BotContext } from "./context.ts";

/** The command menu, in the order people see it. */
export const COMMANDS = [
  "start",
  "profile",
  "find",
  "end",
  "timer",
  "tips",
  "report",
  "block",
  "sos",
  "coach",
  "help",
  "export",
  "appeal",
  "delete",
] as const;

/**
 * Registers the Russian command menu with Telegram (for every language, and explicitly for `ru`).
 * `/coach` is listed only where the coach exists (AI_COACH_ENABLED).
 */
export async function registerCommands(
  api: Api,
  i18n: I18n<BotContext>,
  opts: { coach?: boolean } = {},
): Promise<void> {
  const commands = COMMANDS.filter((c) => c !== "coach" || opts.coach).map((command) => ({
    command,
    description: i18n.t("ru", `cmd-${command}`),
  }));
  await api.setMyCommands(commands);
  await api.setMyCommands(commands, { language_code: "ru" });
}
