import { and, eq, isNull, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Db } from "../db/client.ts";
import { chatSessions, engagements, flowStates, matches, users } from "../db/schema.ts";
import { type ActiveChat, activeChatColumns, activeChatOf } from "./chats.ts";
import { type FlowState, flowStateOf, type UserRow } from "./profile.ts";

/** Who wrote a message, with what their next message may be for. */
export interface Sender {
  user: UserRow;
  /** Their open profile flow (a step waiting for text), if any. */
  flow: FlowState | null;
  /** Their conversation, if they are in one (with the peer's Telegram id). */
  chat: ActiveChat | null;
}

/**
 * Every plain message starts with who sent it, their open profile flow and their active chat: one
 * prepared statement instead of three (the relay's hot path; docs/benchmarks.md, load stand).
 */
export function createSenderLookup(db: Db) {
  const peer = alias(users, "peer");
  const prepare = () =>
    db
      .select({ user: users, flow: flowStates, ...activeChatColumns(peer.tgId) })
      .from(users)
      .leftJoin(flowStates, eq(flowStates.userId, users.id))
      .leftJoin(engagements, eq(engagements.userId, users.id))
      .leftJoin(matches, and(eq(matches.id, engagements.matchId), eq(matches.status, "active")))
      .leftJoin(chatSessions, and(eq(chatSessions.matchId, matches.id), isNull(chatSessions.endedAt)))
      .leftJoin(
        peer,
        eq(
          peer.id,
          sql`case when ${matches.userA} = ${users.id} then ${matches.userB} else ${matches.userA} end`,
        ),
      )
      .where(eq(users.tgId, sql.placeholder("tgId")))
      .prepare("sender_by_tg_v1");
  let query: ReturnType<typeof prepare> | undefined;

  return {
    async byTelegramId(tgId: number): Promise<Sender | null> {
      query ??= prepare();
      const [row] = await query.execute({ tgId });
      if (!row) return null;
      // No session row: not in a conversation (a proposal, or nothing).
      const chat =
        row.sessionId === null
          ? null
          : activeChatOf(
              {
                sessionId: row.sessionId,
                matchId: row.matchId!,
                userA: row.userA!,
                userB: row.userB!,
                startedAt: row.startedAt!,
                expiresAt: row.expiresAt,
                peerTgId: row.peerTgId,
              },
              row.user.id,
            );
      return { user: row.user, flow: row.flow ? flowStateOf(row.flow) : null, chat };
    },
  };
}

export type SenderLookup = ReturnType<typeof createSenderLookup>;
