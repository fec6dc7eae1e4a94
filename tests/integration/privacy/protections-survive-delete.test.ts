import { and, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keptApartIdentities, reports, struckIdentities, users } from "../../../src/db/schema.ts";
import { startChat } from "../../helpers/fixtures.ts";
import { createServiceWorld, type ServiceWorld } from "../../helpers/service-world.ts";

describe("/delete then /start does not undo a report, a block or strikes", () => {
  let w: ServiceWorld;
  beforeAll(async () => {
    w = await createServiceWorld();
  });
  afterAll(async () => {
    await w.close();
  });

  const tgIdOf = async (userId: number) => {
    const [row] = await w.db.select({ tgId: users.tgId }).from(users).where(eq(users.id, userId));
    return Number(row!.tgId);
  };
  /** Registers again with the same Telegram account and completes the profile with the same topics. */
  async function comeBack(tgId: number, topics: string[]): Promise<number> {
    const user = await w.services.profiles.acceptRules(tgId);
    await w.services.profiles.setNickname(user.id, `Вернувшийся ${tgId % 1000}`);
    await w.services.profiles.setTimezone(user.id, "Europe/Moscow");
    const bySlug = new Map(
      (await w.services.profiles.catalogue()).flatMap((g) => g.topics).map((t) => [t.slug, t.id]),
    );
    await w.services.profiles.setTopics(
      user.id,
      topics.map((slug) => ({ topicId: bySlug.get(slug)!, weight: 2 })),
    );
    await w.services.profiles.setAvailability(user.id, 255);
    return user.id;
  }

  it("the reported person who erases and returns is still kept apart, the report is open again, strikes are back", async () => {
    const topics = ["pet-loss", "adaptation"];
    const [reporter, reported] = await w.people(2, topics);
    await startChat(w.services, { between: [reporter!, reported!] });
    expect((await w.moderation.report({ reporterId: reporter!, reason: "danger" })).ok).toBe(true);
    await w.db.update(users).set({ toxicityStrikes: 2 }).where(eq(users.id, reported!));
    const tgId = await tgIdOf(reported!);
    expect((await w.services.privacy.erase(reported!)).ok).toBe(true);
    // While away: only a keyed hash, no Telegram id, no time of creation.
    const traces = await w.db
      .select()
      .from(keptApartIdentities)
      .where(eq(keptApartIdentities.otherId, reporter!));
    expect(traces).toHaveLength(1);
    expect(JSON.stringify(traces)).not.toContain(String(tgId));
    expect(Object.keys(traces[0]!).sort()).toEqual(["openReport", "otherId", "reason", "tgHash", "until"]);

    const back = await comeBack(tgId, topics);
    expect(back).not.toBe(reported);
    expect(await w.wouldBeProposed(reporter!, back)).toBe(false);
    expect(await w.wouldBeProposed(back, reporter!)).toBe(false);
    const open = await w.db
      .select()
      .from(reports)
      .where(and(eq(reports.toUser, back), inArray(reports.status, ["new", "in_review"])));
    expect(open.map((r) => [r.fromUser, r.reason])).toEqual([[reporter, "danger"]]);
    const [row] = await w.db.select().from(users).where(eq(users.id, back));
    expect(row?.toxicityStrikes).toBe(2);
    // The traces are gone once restored.
    expect(
      await w.db.select().from(keptApartIdentities).where(eq(keptApartIdentities.otherId, reporter!)),
    ).toEqual([]);
    expect(await w.db.select().from(struckIdentities)).toEqual([]);
  });

  it("the one who blocked erases and returns: still not proposed to the person they blocked", async () => {
    const topics = ["bullying", "war-stress"];
    const [blocker, blocked] = await w.people(2, topics);
    await startChat(w.services, { between: [blocker!, blocked!] });
    expect((await w.moderation.block(blocker!)).ok).toBe(true);
    const tgId = await tgIdOf(blocker!);
    await w.services.privacy.erase(blocker!);
    const back = await comeBack(tgId, topics);
    expect(await w.wouldBeProposed(back, blocked!)).toBe(false);
    expect(await w.wouldBeProposed(blocked!, back)).toBe(false);
  });

  it("someone with nothing to keep leaves no trace", async () => {
    const [p] = await w.people(1, ["insomnia", "low-mood"]);
    const before = (await w.db.select().from(keptApartIdentities)).length;
    await w.services.privacy.erase(p!);
    expect((await w.db.select().from(keptApartIdentities)).length).toBe(before);
  });
});
