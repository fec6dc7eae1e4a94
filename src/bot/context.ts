import type { I18nFlavor } from "@grammyjs/i18n";
import type { Context } from "grammy";

/** Per-update extras set by our middleware. */
export interface AppFlavor {
  /** Keyed hash of the sender's Telegram id: the only form an id takes in logs. */
  actor: string;
}

export type BotContext = Context & I18nFlavor & AppFlavor;
