import { and, eq, gt, inArray, isNull, lte, sql } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import type { Clock } from "../clock.ts";
import type { Db } from "../db/client.ts";
import { chatSessions, engagements, matches, recentContacts, users } from "../db/schema.ts";
import { type DeferWrite, type KeyValue, type KvWrite, writeOrDefer } from "../infra/ports.ts";
import { personKeys } from "./person-keys.ts";

/** After a conversation the same two people are not proposed to each other again for a while. */
export const MET_COOLDOWN_MS = 30 * 24 * 60 * 60 * 1000;
/** Message-id pairs live this long: enough to edit or reply to anything from a long conversation. */
export const RELAY_MAP_TTL_MS = 7 * 24 * 60 * 60 * 1000;
export const RATING_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;
/** Temp-chat: the timers people may agree on, the extension, and when both are asked «продлить?». */
export const TIMER_HOURS = [24, 48, 72] as const;
export const EXTEND_HOURS = 24;
export const EXTEND_ASK_BEFORE_MS = 2 * 60 * 60 * 1000;
/** An unanswered timer offer lapses after this long. */
export const TIMER_OFFER_TTL_MS = 24 * 60 * 60 * 1000;

export type TimerOfferResult =
  | { ok: true; chat: ActiveChat; hours: number }
  | { ok: false; reason: "no_chat" | "bad_hours" | "already_timed" };
export type TimerAnswerResult =
  | {
      ok: true;
      accepted: true;
      expiresAt: Date;
      hours: number;
      offeredBy: number;
      participants: Participant[];
    }
  | { ok: true; accepted: false; offeredBy: number }
  | { ok: false; reason: "stale" };
export type ExtensionVote =
  | { kind: "waiting" }
  | { kind: "extended"; expiresAt: Date; participants: Participant[] }
  | { kind: "declined"; peerId: number }
  | { kind: "peer_declined" }
  | { kind: "stale" };
export interface ExtensionAsk {
  sessionId: number;
  expiresAt: Date;
  participants: Participant[];
}

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

export interface Participant {
  userId: number;
  tgId: number | null;
}

export interface EndedChat {
  sessionId: number;
  endedBy: number | null;
  reason: EndReason;
  participants: Participant[];
}

/**
 * Ends the person's active chat inside the caller's transaction, : session ended, match
 * completed, engagements gone. The caller adds the cooldown that fits the reason.
 * Only the match row is locked (the engagement and session rows are reached through it), so two
 * participants ending at the same moment queue on one row instead of deadlocking on two. Returns null when there is no active chat.
 */
export async function endActiveChatIn(
  tx: Db,
  userId: number,
  reason: EndReason,
  now: Date,
  endedBy: number | null,
): Promise<(EndedChat & { userA: number; userB: number }) | null> {
  const [row] = await tx
    .select({ sessionId: chatSessions.id, matchId: matches.id, userA: matches.userA, userB: matches.userB })
    .from(engagements)
    .innerJoin(matches, eq(matches.id, engagements.matchId))
    .innerJoin(chatSessions, eq(chatSessions.matchId, matches.id))
    .where(and(eq(engagements.userId, userId), eq(matches.status, "active"), isNull(chatSessions.endedAt)))
    .for("update", { of: matches });
  if (!row) return null;
  const ended = await tx
    .update(chatSessions)
    .set({ endedAt: now, endedBy, endReason: reason })
    .where(and(eq(chatSessions.id, row.sessionId), isNull(chatSessions.endedAt)))
    .returning({ id: chatSessions.id });
  if (ended.length === 0) return null;
  await tx.update(matches).set({ status: "completed" }).where(eq(matches.id, row.matchId));
  await tx.delete(engagements).where(eq(engagements.matchId, row.matchId));
  const participants = await participantsOf(tx, [row.userA, row.userB]);
  return { sessionId: row.sessionId, reason, endedBy, participants, userA: row.userA, userB: row.userB };
}

export async function participantsOf(tx: Db, ids: number[]): Promise<Participant[]> {
  const rows = await tx
    .select({ userId: users.id, tgId: users.tgId })
    .from(users)
    .where(inArray(users.id, ids));
  const byId = new Map(rows.map((r) => [r.userId, r]));
  return ids.map((id) => byId.get(id) ?? { userId: id, tgId: null });
}

/**
 * Open proposals end as `expired` and free both people (their engagement rows go). One place for the
 * TTL expiry, a proposal nobody received, and a ban or an erase withdrawing proposals.
 */
export async function expireProposalsIn(tx: Db, matchIds: number[], now: Date): Promise<void> {
  if (matchIds.length === 0) return;
  await tx.update(matches).set({ status: "expired", decidedAt: now }).where(inArray(matches.id, matchIds));
  await tx.delete(engagements).where(inArray(engagements.matchId, matchIds));
}

export async function setCooldownIn(
  tx: Db,
  a: number,
  b: number,
  until: Date,
  reason: "met" | "blocked" | "reported",
): Promise<void> {
  await tx
    .insert(recentContacts)
    .values(
      [
        { userId: a, otherId: b, until, reason },
        { userId: b, otherId: a, until, reason },
      ].sort((x, y) => x.userId - y.userId),
    )
    .onConflictDoUpdate({
      target: [recentContacts.userId, recentContacts.otherId],
      // A longer cooldown already there (a report's "forever") is never shortened by a block.
      set: {
        reason: sql`case when ${recentContacts.until} > excluded.until then ${recentContacts.reason} else excluded.reason end`,
        until: sql`greatest(${recentContacts.until}, excluded.until)`,
      },
    });
}

/** A session and its two people, its row locked (only it: the match row stays free). */
async function lockSessionIn(tx: Db, sessionId: number) {
  const [row] = await tx
    .select({ session: chatSessions, userA: matches.userA, userB: matches.userB })
    .from(chatSessions)
    .innerJoin(matches, eq(matches.id, chatSessions.matchId))
    .where(eq(chatSessions.id, sessionId))
    .for("no key update", { of: chatSessions });
  return row ?? null;
}

/** The columns an active chat is read from (here and in `sender.ts`). */
export interface ActiveChatRow {
  sessionId: number;
  matchId: number;
  userA: number;
  userB: number;
  startedAt: Date;
  expiresAt: Date | null;
  peerTgId: number | null;
}

/** Those columns, selected (the peer's Telegram id from whichever alias of `users` joins the peer). */
export const activeChatColumns = <C extends AnyPgColumn>(peerTgId: C) => ({
  sessionId: chatSessions.id,
  matchId: matches.id,
  userA: matches.userA,
  userB: matches.userB,
  startedAt: chatSessions.startedAt,
  expiresAt: chatSessions.expiresAt,
  peerTgId,
});

export function activeChatOf(row: ActiveChatRow, userId: number): ActiveChat {
  const side = row.userA === userId ? "a" : "b";
  return {
    sessionId: row.sessionId,
    matchId: row.matchId,
    side,
    userId,
    peerId: side === "a" ? row.userB : row.userA,
    peerTgId: row.peerTgId ?? null,
    startedAt: row.startedAt,
    expiresAt: row.expiresAt,
  };
}

/** How long relayed-message counts wait in memory before one statement writes them all. */
export const COUNT_FLUSH_MS = 1000;

/** Per-session message counters, summed in memory and flushed in one UPDATE … FROM (VALUES …). */
function createMessageCounts(db: Db) {
  let pending = new Map<number, { a: number; b: number; at: Date }>();
  let timer: NodeJS.Timeout | null = null;
  let flushing: Promise<void> = Promise.resolve();

  async function write(batch: Map<number, { a: number; b: number; at: Date }>) {
    const rows = [...batch].map(
      ([id, c]) =>
        sql`(${id}::integer, ${c.a}::integer, ${c.b}::integer, ${c.at.toISOString()}::timestamptz)`,
    );
    await db.execute(sql`
      update ${chatSessions} as s
      set msg_count_a = s.msg_count_a + v.a,
          msg_count_b = s.msg_count_b + v.b,
          last_message_at = greatest(s.last_message_at, v.at)
      from (values ${sql.join(rows, sql`, `)}) as v(id, a, b, at)
      where s.id = v.id`);
  }

  function flush(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = null;
    flushing = flushing.then(async () => {
      if (pending.size === 0) return;
      const batch = pending;
      pending = new Map();
      try {
        await write(batch);
      } catch {
        // The database is away: keep the counts for the next flush (merged with newer ones).
        for (const [id, c] of batch) add(id, c.a, c.b, c.at);
      }
    });
    return flushing;
  }

  function add(sessionId: number, a: number, b: number, at: Date) {
    const c = pending.get(sessionId) ?? { a: 0, b: 0, at };
    c.a += a;
    c.b += b;
    if (at > c.at) c.at = at;
    pending.set(sessionId, c);
    if (!timer) {
      timer = setTimeout(() => void flush(), COUNT_FLUSH_MS);
      timer.unref();
    }
  }

  return { add, flush };
}

/**
 * Conversations: who is talking to whom, counters (never content), message-id pairs for edits and
 * replies (in the key-value store with a TTL), ending, and ratings that feed helpfulness.
 */
export function createChatService(deps: { db: Db; clock: Clock; kv: KeyValue }) {
  const { db, clock, kv } = deps;
  // One hash per person and session (message id → the other side's copy), not a key per message:
  // the store holds two keys per conversation however long it runs.
  const mapKey = personKeys.relayMap;
  const timerOfferKey = (sessionId: number) => `timer-offer:${sessionId}`;

  async function endWithCooldown(userId: number, reason: EndReason, endedBy: number | null) {
    const now = clock.now();
    return db.transaction(async (tx): Promise<EndedChat | null> => {
      const ended = await endActiveChatIn(tx, userId, reason, now, endedBy);
      if (!ended) return null;
      await setCooldownIn(tx, ended.userA, ended.userB, new Date(now.getTime() + MET_COOLDOWN_MS), "met");
      const { userA: _a, userB: _b, ...info } = ended;
      return info;
    });
  }

  const counts = createMessageCounts(db);

  // Prepared once (on first use): this runs for every relayed message. The peer's Telegram id comes
  // in the same statement.
  const me = sql`${sql.placeholder("userId")}::bigint`;
  const prepareActiveChat = () =>
    db
      .select(activeChatColumns(users.tgId))
      .from(engagements)
      .innerJoin(matches, eq(matches.id, engagements.matchId))
      .innerJoin(chatSessions, eq(chatSessions.matchId, matches.id))
      .leftJoin(
        users,
        eq(users.id, sql`case when ${matches.userA} = ${me} then ${matches.userB} else ${matches.userA} end`),
      )
      .where(and(eq(engagements.userId, me), eq(matches.status, "active"), isNull(chatSessions.endedAt)))
      .prepare("active_chat_v1");
  let activeChatQuery: ReturnType<typeof prepareActiveChat> | undefined;

  const service = {
    async activeChat(userId: number): Promise<ActiveChat | null> {
      activeChatQuery ??= prepareActiveChat();
      const [row] = await activeChatQuery.execute({ userId });
      return row ? activeChatOf(row, userId) : null;
    },

    /**
     * Counts a relayed message for its sender. Only numbers and a timestamp are stored — batched:
     * counted in memory and written for all sessions in one statement within COUNT_FLUSH_MS (an
     * UPDATE per relayed message was a sixth of the relay's cost). A process killed with -9 loses at
     * most that last second of counts; they are statistics (the person's data export), not state.
     */
    async countMessage(chat: ActiveChat): Promise<void> {
      counts.add(chat.sessionId, chat.side === "a" ? 1 : 0, chat.side === "b" ? 1 : 0, clock.now());
    },

    /** Writes the counted messages now (the timer does it within a second; shutdown and exports call it). */
    flushCounts: () => counts.flush(),

    /**
     * Remembers that message `fromId` in the sender's chat is `toId` in the peer's chat, both ways.
     * With `defer`, the writes join the update's last round trip (see DeferWrite).
     */
    async linkMessages(chat: ActiveChat, fromId: number, toId: number, defer?: DeferWrite): Promise<void> {
      const writes: KvWrite[] = [
        {
          op: "hset",
          key: mapKey(chat.sessionId, chat.userId),
          field: String(fromId),
          value: String(toId),
          ttlMs: RELAY_MAP_TTL_MS,
        },
        {
          op: "hset",
          key: mapKey(chat.sessionId, chat.peerId),
          field: String(toId),
          value: String(fromId),
          ttlMs: RELAY_MAP_TTL_MS,
        },
      ];
      await writeOrDefer(kv, writes, defer);
    },

    /** The peer's copy of a message in this person's chat (their own message or one they received). */
    async counterpart(chat: ActiveChat, messageId: number): Promise<number | null> {
      const value = await kv.hashGet(mapKey(chat.sessionId, chat.userId), String(messageId));
      return value === null ? null : Number(value);
    },

    /**
     * Ends the person's active chat for both. Idempotent: a second call (the other person pressing
     * /end at the same moment, a retried update) returns null.
     */
    async endChat(userId: number, reason: EndReason): Promise<EndedChat | null> {
      return endWithCooldown(userId, reason, userId);
    },

    /**
     * Temp-chat, step 1: one person offers a 24/48/72 h timer. It waits (24 h at most) for the peer's
     * answer in the key-value store; nothing changes until the peer agrees.
     */
    async offerTimer(userId: number, hours: number): Promise<TimerOfferResult> {
      if (!(TIMER_HOURS as readonly number[]).includes(hours)) return { ok: false, reason: "bad_hours" };
      const chat = await service.activeChat(userId);
      if (!chat) return { ok: false, reason: "no_chat" };
      if (chat.expiresAt) return { ok: false, reason: "already_timed" };
      await kv.set(
        timerOfferKey(chat.sessionId),
        JSON.stringify({ from: userId, hours }),
        TIMER_OFFER_TTL_MS,
      );
      return { ok: true, chat, hours };
    },

    /** Temp-chat, step 2: the peer agrees (the timer starts now) or declines (nothing changes). */
    async answerTimer(userId: number, sessionId: number, accept: boolean): Promise<TimerAnswerResult> {
      const chat = await service.activeChat(userId);
      if (!chat || chat.sessionId !== sessionId) return { ok: false, reason: "stale" };
      const raw = await kv.get(timerOfferKey(sessionId));
      const offer = raw ? (JSON.parse(raw) as { from: number; hours: number }) : null;
      if (!offer || offer.from !== chat.peerId) return { ok: false, reason: "stale" };
      await kv.delete(timerOfferKey(sessionId));
      if (!accept) return { ok: true, accepted: false, offeredBy: offer.from };
      const expiresAt = new Date(clock.now().getTime() + offer.hours * 3600_000);
      const set = await db
        .update(chatSessions)
        .set({ expiresAt })
        .where(
          and(eq(chatSessions.id, sessionId), isNull(chatSessions.endedAt), isNull(chatSessions.expiresAt)),
        )
        .returning({ id: chatSessions.id });
      if (set.length === 0) return { ok: false, reason: "stale" };
      const participants = await participantsOf(db, [offer.from, userId]);
      return { ok: true, accepted: true, expiresAt, hours: offer.hours, offeredBy: offer.from, participants };
    },

    /**
     * Timed chats whose end is near and whose people were not asked yet. Claimed atomically (several
     * workers may run): each session is returned once per expiry time.
     */
    async claimExtensionAsks(): Promise<ExtensionAsk[]> {
      const now = clock.now();
      const due = await db
        .update(chatSessions)
        .set({ extendAskedAt: now })
        .where(
          and(
            isNull(chatSessions.endedAt),
            isNull(chatSessions.extendAskedAt),
            sql`${chatSessions.expiresAt} is not null`,
            lte(chatSessions.expiresAt, new Date(now.getTime() + EXTEND_ASK_BEFORE_MS)),
            gt(chatSessions.expiresAt, now),
          ),
        )
        .returning({
          sessionId: chatSessions.id,
          matchId: chatSessions.matchId,
          expiresAt: chatSessions.expiresAt,
        });
      const asks: ExtensionAsk[] = [];
      for (const d of due) {
        const [m] = await db
          .select({ userA: matches.userA, userB: matches.userB })
          .from(matches)
          .where(eq(matches.id, d.matchId));
        if (!m || !d.expiresAt) continue;
        asks.push({
          sessionId: d.sessionId,
          expiresAt: d.expiresAt,
          participants: await participantsOf(db, [m.userA, m.userB]),
        });
      }
      return asks;
    },

    /** «Продлить?»: extended by 24 h only when both say yes; one «нет» settles it. */
    async voteExtension(userId: number, sessionId: number, yes: boolean): Promise<ExtensionVote> {
      return db.transaction(async (tx): Promise<ExtensionVote> => {
        const s = await lockSessionIn(tx, sessionId);
        if (!s || s.session.endedAt || !s.session.expiresAt || !s.session.extendAskedAt)
          return { kind: "stale" };
        const side = s.userA === userId ? "a" : s.userB === userId ? "b" : null;
        if (!side) return { kind: "stale" };
        const mine = side === "a" ? s.session.extendVoteA : s.session.extendVoteB;
        const theirs = side === "a" ? s.session.extendVoteB : s.session.extendVoteA;
        if (mine !== null) return { kind: "stale" };
        const peerId = side === "a" ? s.userB : s.userA;
        await tx
          .update(chatSessions)
          .set(side === "a" ? { extendVoteA: yes } : { extendVoteB: yes })
          .where(eq(chatSessions.id, sessionId));
        if (!yes) return { kind: "declined", peerId };
        if (theirs === false) return { kind: "peer_declined" };
        if (theirs === null) return { kind: "waiting" };
        const expiresAt = new Date(s.session.expiresAt.getTime() + EXTEND_HOURS * 3600_000);
        await tx
          .update(chatSessions)
          .set({
            expiresAt,
            extendedCount: sql`${chatSessions.extendedCount} + 1`,
            extendAskedAt: null,
            extendVoteA: null,
            extendVoteB: null,
          })
          .where(eq(chatSessions.id, sessionId));
        return { kind: "extended", expiresAt, participants: await participantsOf(tx, [s.userA, s.userB]) };
      });
    },

    /** Timed chats that ran out: each ends like /end, with the reason `expired`. */
    async expireTimedChats(limit = 200): Promise<EndedChat[]> {
      const now = clock.now();
      const due = await db
        .select({ userA: matches.userA })
        .from(chatSessions)
        .innerJoin(matches, eq(matches.id, chatSessions.matchId))
        .where(and(isNull(chatSessions.endedAt), lte(chatSessions.expiresAt, now)))
        .limit(limit);
      const ended: EndedChat[] = [];
      for (const d of due) {
        const e = await endWithCooldown(d.userA, "expired", null);
        if (e) ended.push(e);
      }
      return ended;
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
        const s = await lockSessionIn(tx, sessionId);
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
  return service;
}

export type ChatService = ReturnType<typeof createChatService>;
