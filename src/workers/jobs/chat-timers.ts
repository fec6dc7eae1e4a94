import type { EndedChat, ExtensionAsk } from "../../services/chats.ts";
import type { Services } from "../../services/index.ts";
import type { Job } from "../scheduler.ts";

/** Temp-chat: «продлить?» 2 h before a timed chat ends, and the end itself. */
export function chatTimersJob(deps: {
  chats: Pick<Services["chats"], "claimExtensionAsks" | "expireTimedChats">;
  askExtension: (ask: ExtensionAsk) => Promise<void>;
  announceExpired: (ended: EndedChat) => Promise<void>;
  everyMs: number;
}): Job {
  return {
    name: "chat-timers",
    everyMs: deps.everyMs,
    run: async () => {
      for (const ask of await deps.chats.claimExtensionAsks()) await deps.askExtension(ask);
      for (const ended of await deps.chats.expireTimedChats()) await deps.announceExpired(ended);
    },
  };
}
