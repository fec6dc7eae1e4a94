import type { I18nFlavor } from "@grammyjs/i18n";
import type { Context } from "grammy";
import type { DeferWrite, KvWrite } from "../infra/ports.ts";
import type { ActiveChat } from "../services/chats.ts";
import type { FlowState, UserRow } from "../services/profile.ts";

/** Per-update extras set by our middleware. */
export interface AppFlavor {
  /** Keyed hash of the sender's Telegram id: the only form an id takes in logs. */
  actor: string;
  /** The registered person behind this update, or null before they accepted the rules. */
  user: UserRow | null;
  /**
   * This update was seen before and left unfinished (the replica handling it died, or it was given
   * back to Telegram): handlers with an outside effect check whether it already happened.
   */
  redelivered?: boolean;
  /**
   * Something irreversible happened (a message reached the peer): from here on the update is not
   * given back even if a dependency fails, or the redelivery would do it twice.
   */
  committed?: boolean;
  /** Keys read ahead for this update (pending.ts), handed out once each. */
  prefetched?: Map<string, string | null>;
  /** The person's open profile flow, read with their row (pending.ts); undefined when not read ahead. */
  prefetchedFlow?: FlowState | null;
  /** The person's active chat, read with their row (pending.ts); undefined when not read ahead. */
  prefetchedChat?: ActiveChat | null;
  /** Writes that join the update's last round trip (with the "done" mark); only with a webhook. */
  deferred?: KvWrite[];
}

export type BotContext = Context & I18nFlavor & AppFlavor;

/** Where a handler may put a write that can wait for the end of the update (see `DeferWrite`). */
export const deferTo = (ctx: BotContext): DeferWrite | undefined => {
  const deferred = ctx.deferred;
  return deferred ? (w) => void deferred.push(w) : undefined;
};
