import type { Clock } from "../../clock.ts";
import type { Db } from "../../db/client.ts";
import { endActiveChatIn, type Participant, participantsOf, setCooldownIn } from "../chats.ts";
import { currentOrRecentSession } from "./people.ts";
import { BLOCK_COOLDOWN_MS, REPORT_WINDOW_MS } from "./rules.ts";

export type BlockResult =
  | {
      ok: true;
      sessionId: number;
      blockedUserId: number;
      endedChat: boolean;
      participants: Participant[];
      until: Date;
    }
  | { ok: false; reason: "no_peer" };

/** A person keeping the one they talked to away from them: no moderator involved. */
export function createBlocks(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;
  return {
    /**
     * Ends the active chat for both and keeps the two apart for 30 days. Without an active chat, the
     * peer of the chat that ended within 24 h is blocked. The blocked person is told only that the chat ended.
     */
    async block(blockerId: number): Promise<BlockResult> {
      const now = clock.now();
      return db.transaction(async (tx): Promise<BlockResult> => {
        const target = await currentOrRecentSession(tx, blockerId, now, REPORT_WINDOW_MS);
        if (!target) return { ok: false, reason: "no_peer" };
        const ended = target.active ? await endActiveChatIn(tx, blockerId, "blocked", now, blockerId) : null;
        const until = new Date(now.getTime() + BLOCK_COOLDOWN_MS);
        await setCooldownIn(tx, blockerId, target.peerId, until, "blocked");
        return {
          ok: true,
          sessionId: target.sessionId,
          blockedUserId: target.peerId,
          endedChat: ended !== null,
          participants: ended?.participants ?? (await participantsOf(tx, [blockerId, target.peerId])),
          until,
        };
      });
    },
  };
}
