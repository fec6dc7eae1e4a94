import { Keyboard } from "grammy";

type T = (key: string, vars?: Record<string, string | number>) => string;

/**
 * The persistent menu under the input field: nobody has to know a command, and «🆘 Помощь» is one tap
 * away in every state, whatever the crisis detector noticed or missed.
 */
export function menuKeyboard(t: T): Keyboard {
  return new Keyboard()
    .text(t("menu-find"))
    .text(t("menu-profile"))
    .row()
    .text(t("help-button"))
    .persistent()
    .resized()
    .placeholder(t("menu-placeholder"));
}

/** The command a menu button stands for, or null for any other text. */
export function menuCommand(text: string, t: T): "find" | "profile" | "sos" | null {
  if (text === t("help-button")) return "sos";
  if (text === t("menu-find")) return "find";
  if (text === t("menu-profile")) return "profile";
  return null;
}
