import { and, eq, isNull, sql } from "drizzle-orm";
import type { Clock } from "../clock.ts";
import type { Db } from "../db/client.ts";
import { chatSessions, engagements, matches, recentContacts, users } from "../db/schema.ts";
import type { KeyValue } from "../infra/ports.ts";

/** After a conversation the same two people are not proposed to each other again for a while. */
export const MET_COOLDOWN_MS = 30 * 24 * 60 * 60 * 1000;
/** Message-id pairs live this long: enough to edit or reply to anything from a long conversation. */
export const RELAY_MAP_TTL_MS = 7 * 24 * 60 * 60 * 1000;
export const RATING_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

export type EndReason = "ended" | "blocked" | "reported" | "peer_gone" | "expired" | "deleted" | "banned";

export interface ActiveChat {
  sessionId: number;
  matchId: number;
  side: "a" | "b";
  userId: number;
  peerId: number;
  peerTgId: number | null;
  startedAt: Date;
  expiresAt: Date | null;
}

export interface EndedChat {
  sessionId: number;
  endedBy: number | null;
  reason: EndReason;
  participants: Array<{ userId: number; tgId: number | null }>;
}

/**
 * Conversations: who is talking to whom, counters (never content), message-id pairs for edits and
 * replies (in the key-value store with a TTL), ending, and ratings that feed helpfulness.
 */
export function createChatService(deps: { db: Db; clock: Clock; kv: KeyValue }) {
  const { db, clock, kv } = deps;
  const mapKey = (sessionId: number, ownerUserId: number, messageId: number) =>
    `relay:${sessionId}:${ownerUserId}:${messageId}`;

  return {
    async activeChat(userId: number): Promise<ActiveChat | null> {
      const [row] = await db
        .select({
          sessionId: chatSessions.id,
          matchId: matches.id,
          userA: matches.userA,
          userB: matches.userB,
          startedAt: chatSessions.startedAt,
          expiresAt: chatSessions.expiresAt,
        })
        .from(engagements)
        .innerJoin(matches, eq(matches.id, engagements.matchId))
        .innerJoin(chatSessions, eq(chatSessions.matchId, matches.id))
        .where(
          and(eq(engagements.userId, userId), eq(matches.status, "active"), isNull(chatSessions.endedAt)),
        );
      if (!row) return null;
      const side = row.userA === userId ? "a" : "b";
      const peerId = side === "a" ? row.userB : row.userA;
      const [peer] = await db.select({ tgId: users.tgId }).from(users).where(eq(users.id, peerId));
      return {
        sessionId: row.sessionId,
        matchId: row.matchId,
        side,
        userId,
        peerId,
        peerTgId: peer?.tgId ?? null,
        startedAt: row.startedAt,
        expiresAt: row.expiresAt,
      };
    },

    /** Counts a relayed message for its sender. Only numbers and a timestamp are stored. */
    async countMessage(chat: ActiveChat): Promise<void> {
      const column = chat.side === "a" ? chatSessions.msgCountA : chatSessions.msgCountB;
      await db
        .update(chatSessions)
        .set({
          [chat.side === "a" ? "msgCountA" : "msgCountB"]: sql`${column} + 1`,
          lastMessageAt: clock.now(),
        })
        .where(eq(chatSessions.id, chat.sessionId));
    },

    /** Remembers that message `fromId` in the sender's chat is `toId` in the peer's chat, both ways. */
    async linkMessages(chat: ActiveChat, fromId: number, toId: number): Promise<void> {
      await kv.set(mapKey(chat.sessionId, chat.userId, fromId), String(toId), RELAY_MAP_TTL_MS);
      await kv.set(mapKey(chat.sessionId, chat.peerId, toId), String(fromId), RELAY_MAP_TTL_MS);
    },

    /** The peer's copy of a message in this person's chat (their own message or one they received). */
    async counterpart(chat: ActiveChat, messageId: number): Promise<number | null> {
      const value = await kv.get(mapKey(chat.sessionId, chat.userId, messageId));
      return value === null ? null : Number(value);
    },

    /**
     * Ends the person's active chat for both. Idempotent: a second call (the other person pressing
     * /end at the same moment, a retried update) returns null.
     */
    async endChat(userId: number, reason: EndReason): Promise<EndedChat | null> {
      const now = clock.now();
      return db.transaction(async (tx) => {
        const [row] = await tx
          .select({
            sessionId: chatSessions.id,
            matchId: matches.id,
            userA: matches.userA,
            userB: matches.userB,
          })
          .from(engagements)
          .innerJoin(matches, eq(matches.id, engagements.matchId))
          .innerJoin(chatSessions, eq(chatSessions.matchId, matches.id))
          .where(and(eq(engagements.userId, userId), eq(matches.status, "active")))
          .for("update");
        if (!row) return null;
        const ended = await tx
          .update(chatSessions)
          .set({ endedAt: now, endedBy: userId, endReason: reason })
          .where(and(eq(chatSessions.id, row.sessionId), isNull(chatSessions.endedAt)))
          .returning({ id: chatSessions.id });
        if (ended.length === 0) return null;
        await tx.update(matches).set({ status: "completed" }).where(eq(matches.id, row.matchId));
        await tx.delete(engagements).where(eq(engagements.matchId, row.matchId));
        const until = new Date(now.getTime() + MET_COOLDOWN_MS);
        await tx
          .insert(recentContacts)
          .values([
            { userId: row.userA, otherId: row.userB, until, reason: "met" },
            { userId: row.userB, otherId: row.userA, until, reason: "met" },
          ])
          .onConflictDoUpdate({
            target: [recentContacts.userId, recentContacts.otherId],
            set: { until: sql`greatest(${recentContacts.until}, excluded.until)` },
          });
        const people = await tx
          .select({ userId: users.id, tgId: users.tgId })
          .from(users)
          .where(sql`${users.id} in (${row.userA}, ${row.userB})`);
        return { sessionId: row.sessionId, endedBy: userId, reason, participants: people };
      });
    },

    /**
     * A 1–5 rating of the conversation by one participant, once, within a week of its end. It feeds the
     * peer's helpfulness (rating_sum / rating_count), which matching smooths with a prior.
     */
    async rate(
      userId: number,
      sessionId: number,
      rating: number,
    ): Promise<
      | { ok: true }
      | { ok: false; reason: "bad_rating" | "not_participant" | "not_ended" | "already_rated" | "too_late" }
    > {
      if (!Number.isInteger(rating) || rating < 1 || rating > 5) return { ok: false, reason: "bad_rating" };
      const now = clock.now();
      return db.transaction(async (tx) => {
        const [s] = await tx
          .select({ session: chatSessions, userA: matches.userA, userB: matches.userB })
          .from(chatSessions)
          .innerJoin(matches, eq(matches.id, chatSessions.matchId))
          .where(eq(chatSessions.id, sessionId))
          .for("update");
        if (!s) return { ok: false, reason: "not_participant" };
        const side = s.userA === userId ? "a" : s.userB === userId ? "b" : null;
        if (!side) return { ok: false, reason: "not_participant" };
        if (!s.session.endedAt) return { ok: false, reason: "not_ended" };
        if (now.getTime() - s.session.endedAt.getTime() > RATING_WINDOW_MS)
          return { ok: false, reason: "too_late" };
        if ((side === "a" ? s.session.ratingA : s.session.ratingB) !== null)
          return { ok: false, reason: "already_rated" };
        await tx
          .update(chatSessions)
          .set(side === "a" ? { ratingA: rating } : { ratingB: rating })
          .where(eq(chatSessions.id, sessionId));
        const peer = side === "a" ? s.userB : s.userA;
        await tx
          .update(users)
          .set({ ratingSum: sql`${users.ratingSum} + ${rating}`, ratingCount: sql`${users.ratingCount} + 1` })
          .where(eq(users.id, peer));
        return { ok: true };
      });
    },

    async session(sessionId: number) {
      const [row] = await db.select().from(chatSessions).where(eq(chatSessions.id, sessionId));
      return row ?? null;
    },
  };
}

export type ChatService = ReturnType<typeof createChatService>;
