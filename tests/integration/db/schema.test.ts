import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../../src/db/client.ts";
import { isMigrated, migrate, readMigrations } from "../../../src/db/migrate.ts";
import {
  chatSessions,
  engagements,
  matches,
  reports,
  tips,
  topicGroups,
  topics,
  users,
  userTopics,
} from "../../../src/db/schema.ts";
import { TOPIC_CATALOGUE } from "../../../src/db/seed/topics.ts";
import { seedTopics } from "../../../src/db/seed.ts";
import { createTestDatabase, type TestDatabase } from "../../helpers/db.ts";

/** Drizzle wraps driver errors; the constraint name is on the cause. */
async function violation(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    const e = err as { cause?: { constraint?: string; message?: string }; message: string };
    return e.cause?.constraint ?? e.cause?.message ?? e.message;
  }
  throw new Error("expected the statement to be rejected");
}

describe("database schema and migrations", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase({ migrate: false });
  });
  afterAll(async () => {
    await t.destroy();
  });

  it("applies every migration once, concurrently started migrators included", async () => {
    expect(await isMigrated(t.db)).toBe(false);
    // Two replicas starting together: on PostgreSQL these are two separate pools.
    const other = t.url ? await openDatabase({ url: t.url, poolSize: 2 }) : t;
    const results = await Promise.all([migrate(t.db), migrate(other.db), migrate(t.db)]);
    if (other !== t) await other.close();
    const applied = results.flat();
    expect(applied).toEqual(readMigrations().map((m) => m.tag));
    expect(await isMigrated(t.db)).toBe(true);
    expect(await migrate(t.db)).toEqual([]);
  });

  it("seeds a catalogue of 20+ topics in groups, idempotently", async () => {
    await seedTopics(t.db);
    await seedTopics(t.db);
    const rows = await t.db.select().from(topics);
    const groups = await t.db.select().from(topicGroups);
    expect(rows.length).toBe(TOPIC_CATALOGUE.flatMap((g) => g.topics).length);
    expect(rows.length).toBeGreaterThanOrEqual(20);
    expect(groups.length).toBeGreaterThanOrEqual(4);
    const slugs = rows.map((r) => r.slug);
    for (const required of [
      "burnout",
      "relocation",
      "divorce",
      "loss",
      "anxiety",
      "loneliness",
      "relationships",
      "pet-loss",
    ]) {
      expect(slugs).toContain(required);
    }
    expect(new Set(slugs).size).toBe(slugs.length);
  });

  it("enforces the rules in the schema: weights, ratings, one open match per person, one tip per charge", async () => {
    const [a, b, c] = await t.db
      .insert(users)
      .values([{ tgId: 1001 }, { tgId: 1002 }, { tgId: 1003 }])
      .returning();
    if (!a || !b || !c) throw new Error("users not created");
    const [topic] = await t.db.select().from(topics).where(eq(topics.slug, "burnout"));
    if (!topic) throw new Error("topic missing");

    expect(
      await violation(t.db.insert(userTopics).values({ userId: a.id, topicId: topic.id, weight: 4 })),
    ).toMatch(/user_topics_weight_chk/);
    expect(await violation(t.db.insert(users).values({ tgId: 1001 }))).toMatch(/users_tg_id_unique/);

    const expiresAt = new Date(Date.now() + 300_000);
    const [m1] = await t.db.insert(matches).values({ userA: a.id, userB: b.id, expiresAt }).returning();
    const [m2] = await t.db.insert(matches).values({ userA: a.id, userB: c.id, expiresAt }).returning();
    if (!m1 || !m2) throw new Error("matches not created");
    expect(await violation(t.db.insert(matches).values({ userA: a.id, userB: a.id, expiresAt }))).toMatch(
      /matches_distinct_users_chk/,
    );

    await t.db.insert(engagements).values([
      { userId: a.id, matchId: m1.id },
      { userId: b.id, matchId: m1.id },
    ]);
    // Person a is already in m1: a second open match for a is impossible.
    expect(await violation(t.db.insert(engagements).values({ userId: a.id, matchId: m2.id }))).toMatch(
      /engagements_pkey|duplicate key/,
    );

    const [session] = await t.db.insert(chatSessions).values({ matchId: m1.id }).returning();
    if (!session) throw new Error("session not created");
    expect(
      await violation(t.db.update(chatSessions).set({ ratingA: 6 }).where(eq(chatSessions.id, session.id))),
    ).toMatch(/chat_sessions_rating_a_chk/);

    const tip = {
      chatSessionId: session.id,
      fromUser: a.id,
      toUser: b.id,
      amount: 10,
      ourCommission: 1,
      recipientShare: 9,
      status: "paid",
      telegramPaymentChargeId: "charge-1",
    };
    await t.db.insert(tips).values(tip);
    expect(await violation(t.db.insert(tips).values(tip))).toMatch(/tips_telegram_payment_charge_id_unique/);
    expect(
      await violation(
        t.db
          .insert(tips)
          .values({ ...tip, telegramPaymentChargeId: "charge-2", ourCommission: 5, recipientShare: 9 }),
      ),
    ).toMatch(/tips_money_chk/);
    expect(await violation(t.db.insert(tips).values({ ...tip, telegramPaymentChargeId: null }))).toMatch(
      /tips_paid_has_charge_chk/,
    );

    await t.db
      .insert(reports)
      .values({ chatSessionId: session.id, fromUser: a.id, toUser: b.id, reason: "spam" });
    expect(
      await violation(
        t.db
          .insert(reports)
          .values({ chatSessionId: session.id, fromUser: a.id, toUser: b.id, reason: "other" }),
      ),
    ).toMatch(/reports_once_per_session_uq/);
    expect(
      await violation(t.db.insert(reports).values({ fromUser: b.id, toUser: a.id, reason: "rude" })),
    ).toMatch(/reports_reason_chk/);

    // A deleted person cannot keep a Telegram id.
    expect(await violation(t.db.update(users).set({ status: "deleted" }).where(eq(users.id, c.id)))).toMatch(
      /users_deleted_no_tg_chk/,
    );
    const count = await t.db.execute(sql`select count(*)::int as n from engagements`);
    expect((count as unknown as { rows: Array<{ n: number }> }).rows[0]?.n).toBe(2);
  });
});
