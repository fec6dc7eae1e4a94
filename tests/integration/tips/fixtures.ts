import { eq } from "drizzle-orm";
import { createManualClock } from "../../../src/clock.ts";
import type { Db } from "../../../src/db/client.ts";
import { chatSessions, matches, tips, users } from "../../../src/db/schema.ts";
import { createMemoryInfra } from "../../../src/infra/memory.ts";
import { createTipService, type TipRow } from "../../../src/services/tips/index.ts";

export const SECRET = "tips-integration-secret-0123456789";
export const NOW = new Date("2026-03-10T12:00:00Z");
export const HOUR = 3600_000;

let tgSeq = 7_000_000_000;

/** Telegram ids far from any user id, so a leak into a report would be visible. */
export function nextTgId(): number {
  tgSeq += 1;
  return tgSeq;
}

export type UserStatus = "active" | "suspended" | "banned" | "deleted";

export async function addUser(db: Db, status: UserStatus = "active"): Promise<number> {
  const [row] = await db
    .insert(users)
    .values({ tgId: status === "deleted" ? null : nextTgId(), status, safetyAck: true, rulesVersion: 1 })
    .returning({ id: users.id });
  return row!.id;
}

export interface SessionSpec {
  a: number;
  b: number;
  /** ms before `now` the chat started. Default 1 h. */
  startedAgo?: number;
  /** ms before `now` the chat ended; absent = still active. */
  endedAgo?: number;
  endedBy?: number;
  endReason?: "ended" | "blocked" | "reported" | "peer_gone" | "expired";
  /** Temp-chat deadline relative to now (negative = passed). */
  expiresIn?: number;
}

/** A match and its chat session, as the matching flow leaves them. */
export async function addSession(db: Db, now: Date, spec: SessionSpec): Promise<number> {
  const at = (ago: number) => new Date(now.getTime() - ago);
  const startedAt = at(spec.startedAgo ?? HOUR);
  const ended = spec.endedAgo !== undefined;
  const [match] = await db
    .insert(matches)
    .values({
      userA: spec.a,
      userB: spec.b,
      status: ended ? "completed" : "active",
      decisionA: "accept",
      decisionB: "accept",
      createdAt: startedAt,
      expiresAt: startedAt,
      decidedAt: startedAt,
    })
    .returning({ id: matches.id });
  const [session] = await db
    .insert(chatSessions)
    .values({
      matchId: match!.id,
      startedAt,
      endedAt: ended ? at(spec.endedAgo!) : null,
      endedBy: ended ? (spec.endedBy ?? spec.a) : null,
      endReason: ended ? (spec.endReason ?? "ended") : null,
      expiresAt: spec.expiresIn === undefined ? null : new Date(now.getTime() + spec.expiresIn),
    })
    .returning({ id: chatSessions.id });
  return session!.id;
}

export async function tipRow(db: Db, tipId: number): Promise<TipRow> {
  const [row] = await db.select().from(tips).where(eq(tips.id, tipId));
  if (!row) throw new Error(`tip ${tipId} missing`);
  return row;
}

export async function tipsOf(db: Db, fromUserId: number): Promise<TipRow[]> {
  return db.select().from(tips).where(eq(tips.fromUser, fromUserId));
}

export function createHarness(db: Db, opts: { commissionBps?: number; secret?: string } = {}) {
  const clock = createManualClock(NOW);
  const infra = createMemoryInfra({ now: () => clock.now().getTime() });
  const service = createTipService({
    db,
    clock,
    locks: infra.locks,
    secret: opts.secret ?? SECRET,
    commissionBps: opts.commissionBps,
  });
  return { clock, infra, service };
}

let chargeSeq = 0;
export function nextChargeId(): string {
  chargeSeq += 1;
  return `stxTestCharge${chargeSeq.toString().padStart(8, "0")}`;
}
