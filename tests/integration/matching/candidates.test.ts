import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createManualClock } from "../../../src/clock.ts";
import {
  engagements,
  matches,
  matchQueue,
  preferences,
  recentContacts,
  topics,
  users,
  userTopics,
} from "../../../src/db/schema.ts";
import { formatWeekMask } from "../../../src/domain/matching/week-mask.ts";
import {
  type Candidate,
  type CandidateFinder,
  type CandidateIndex,
  createCandidateFinder,
  createCandidateIndex,
} from "../../../src/services/matching/candidates.ts";
import { createTestDatabase, type TestDatabase } from "../../helpers/db.ts";

// Wednesday 2026-01-07 15:00 UTC = hour 2·24 + 15 = 63 of the UTC week.
const NOW = new Date("2026-01-07T15:20:00Z");
const HOUR = 63;
const DAY = 24 * 3600_000;
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

interface Person {
  topics?: Record<string, number>;
  hours?: number[] | null;
  searching?: boolean | "expired";
  receiveProposals?: boolean;
  status?: "active" | "suspended" | "banned" | "deleted";
  safetyAck?: boolean;
  ratings?: [sum: number, count: number];
}

describe.each(["sql", "index"] as const)("candidate selection (%s finder)", (mode) => {
  let t: TestDatabase;
  let finder: CandidateFinder;
  let index: CandidateIndex | undefined;
  const clock = createManualClock(NOW);
  const topicId = new Map<string, number>();
  const id: Record<string, number> = {};
  let tg = 1000;

  async function addPerson(name: string, p: Person): Promise<number> {
    const status = p.status ?? "active";
    const [row] = await t.db
      .insert(users)
      .values({
        tgId: status === "deleted" ? null : tg++,
        nickname: name,
        status,
        safetyAck: p.safetyAck ?? true,
        receiveProposals: p.receiveProposals ?? false,
        ratingSum: p.ratings?.[0] ?? 0,
        ratingCount: p.ratings?.[1] ?? 0,
      })
      .returning({ id: users.id });
    const userId = row!.id;
    id[name] = userId;
    const hours = p.hours === undefined ? range(60, 70) : p.hours;
    await t.db.insert(preferences).values({ userId, availUtc: hours ? formatWeekMask(hours) : null });
    const entries = Object.entries(p.topics ?? {});
    if (entries.length > 0) {
      await t.db
        .insert(userTopics)
        .values(entries.map(([slug, weight]) => ({ userId, topicId: topicId.get(slug)!, weight })));
    }
    if (p.searching) {
      const expiresAt = new Date(NOW.getTime() + (p.searching === "expired" ? -3600_000 : DAY));
      await t.db.insert(matchQueue).values({ userId, expiresAt });
    }
    return userId;
  }

  async function cooldown(from: string, to: string, untilMs: number, reason = "declined") {
    await t.db.insert(recentContacts).values({
      userId: id[from]!,
      otherId: id[to]!,
      until: new Date(NOW.getTime() + untilMs),
      reason,
    });
  }

  async function engage(name: string, other: string) {
    const [m] = await t.db
      .insert(matches)
      .values({ userA: id[name]!, userB: id[other]!, expiresAt: new Date(NOW.getTime() + 300_000) })
      .returning({ id: matches.id });
    await t.db.insert(engagements).values([
      { userId: id[name]!, matchId: m!.id },
      { userId: id[other]!, matchId: m!.id },
    ]);
  }

  const names = (list: Candidate[]) => {
    const byId = new Map(Object.entries(id).map(([n, i]) => [i, n]));
    return list.map((c) => byId.get(c.userId));
  };
  const find = (opts: Partial<Parameters<CandidateFinder["findCandidates"]>[1]> = {}) =>
    finder.findCandidates(id.me!, { variant: "strict", limit: 50, ...opts });

  beforeAll(async () => {
    t = await createTestDatabase();
    for (const r of await t.db.select({ id: topics.id, slug: topics.slug }).from(topics))
      topicId.set(r.slug, r.id);
    const base = { burnout: 2, relocation: 2 };
    // The seeker: three topics, available Wednesday 12:00–22:59 UTC, searching.
    await addPerson("me", { topics: { burnout: 3, relocation: 2, anxiety: 1 }, searching: true });
    await addPerson("A", { topics: { burnout: 3, relocation: 3 }, searching: true });
    await addPerson("B", {
      topics: { burnout: 1, relocation: 1, anxiety: 1 },
      searching: true,
      hours: range(62, 64),
    });
    await addPerson("C_optedIn", {
      topics: { burnout: 3, relocation: 3, anxiety: 3 },
      receiveProposals: true,
      ratings: [50, 10],
    });
    await addPerson("D_optedInNotNow", { topics: base, receiveProposals: true, hours: [65, 66] });
    await addPerson("E_optedInNoWindows", { topics: base, receiveProposals: true, hours: null });
    await addPerson("F_noWindows", { topics: base, searching: true, hours: null });
    await addPerson("G_banned", { topics: base, searching: true, status: "banned" });
    await addPerson("H_deleted", { topics: base, searching: true, status: "deleted" });
    await addPerson("S_suspended", { topics: base, searching: true, status: "suspended" });
    await addPerson("I_noSafetyAck", { topics: base, searching: true, safetyAck: false });
    await addPerson("J_engaged", { topics: base, searching: true });
    await addPerson("J_partner", { topics: {}, searching: false });
    await addPerson("K_declinedByMe", { topics: base, searching: true });
    await addPerson("K_blockedMe", { topics: base, searching: true });
    await addPerson("K_reportedMe", { topics: base, searching: true });
    await addPerson("L_expiredCooldown", { topics: { burnout: 2, anxiety: 2 }, searching: true });
    await addPerson("M_oneShared", {
      topics: { burnout: 3, "career-change": 1 },
      searching: true,
      ratings: [20, 5],
    });
    await addPerson("N_relatedOnly", { topics: { "job-loss": 2, loneliness: 2 }, searching: true });
    await addPerson("O_unrelated", { topics: { loss: 3, "pet-loss": 3 }, searching: true });
    await addPerson("P_otherHours", { topics: base, searching: true, hours: range(100, 110) });
    await addPerson("Q_lightBurnout", {
      topics: { burnout: 1, relocation: 3 },
      searching: true,
      hours: [HOUR],
    });
    await addPerson("R_queueExpired", { topics: base, searching: "expired" });
    await engage("J_engaged", "J_partner");
    // A short decline cooldown so the test can step past it while the queue rows are still valid.
    await cooldown("me", "K_declinedByMe", 2 * 3600_000);
    await cooldown("K_blockedMe", "me", 30 * DAY, "blocked");
    await t.db.execute(
      sql`insert into recent_contacts (user_id, other_id, until, reason)
          values (${id.K_reportedMe!}, ${id.me!}, 'infinity', 'reported')`,
    );
    await cooldown("L_expiredCooldown", "me", -3600_000);
    if (mode === "index") {
      index = await createCandidateIndex({ db: t.db, clock });
      await index.load();
    }
    finder = createCandidateFinder({ db: t.db, clock, index });
  });
  afterAll(async () => {
    index?.stop();
    await t.destroy();
  });

  it("strict: ≥2 shared topics, every filter applied, searchers first then score then id", async () => {
    const list = await find();
    expect(names(list)).toEqual([
      "A",
      "B",
      "L_expiredCooldown",
      "Q_lightBurnout",
      "F_noWindows",
      "C_optedIn",
    ]);
    expect(list.map((c) => c.searching)).toEqual([true, true, true, true, true, false]);
  });

  it("scores as documented: weighted tags, time overlap, smoothed helpfulness", async () => {
    const list = await find();
    const by = (n: string) => list.find((c) => c.userId === id[n])!;
    // A: tags (3+2)/10, full time overlap, newcomer prior 0.5.
    expect(by("A").score).toBeCloseTo(0.6 * 0.5 + 0.2 * 1 + 0.2 * 0.5, 10);
    expect(by("B").score).toBeCloseTo(0.6 * 0.3 + 0.2 * 1 + 0.2 * 0.5, 10);
    // F chose no windows: time 0.5.
    expect(by("F_noWindows").score).toBeCloseTo(0.6 * 0.4 + 0.2 * 0.5 + 0.2 * 0.5, 10);
    // C scores best of all (ten 5-star ratings) yet is ranked last: not searching.
    expect(by("C_optedIn").score).toBeCloseTo(0.6 * 0.6 + 0.2 * 1 + 0.2 * ((5 * 0.5 + 10) / 15), 10);
    expect(by("C_optedIn").score).toBeGreaterThan(by("A").score);
    expect(by("A").sharedTopicIds).toEqual([topicId.get("burnout"), topicId.get("relocation")]);
    expect(by("B").sharedTopicIds).toHaveLength(3);
    expect(by("A").relatedTopicIds).toEqual([]);
  });

  it("excludes self, banned, deleted, suspended, no safety ack, engaged, cooldowns both ways, expired queue", async () => {
    const got = new Set(names(await find({ variant: "soft" })));
    for (const n of [
      "me",
      "G_banned",
      "H_deleted",
      "S_suspended",
      "I_noSafetyAck",
      "J_engaged",
      "J_partner",
      "K_declinedByMe",
      "K_blockedMe",
      "K_reportedMe",
      "R_queueExpired",
      "P_otherHours",
      "D_optedInNotNow",
      "E_optedInNoWindows",
      "O_unrelated",
    ]) {
      expect(got.has(n), n).toBe(false);
    }
    expect(got.has("L_expiredCooldown")).toBe(true);
  });

  it("soft: one shared topic or a related one (same group, half weight) is enough", async () => {
    const list = await find({ variant: "soft" });
    expect(names(list)).toEqual([
      "A",
      "M_oneShared",
      "B",
      "L_expiredCooldown",
      "Q_lightBurnout",
      "F_noWindows",
      "N_relatedOnly",
      "C_optedIn",
    ]);
    const n = list.find((c) => c.userId === id.N_relatedOnly)!;
    // job-loss relates to burnout (work), loneliness to relocation (move): 0.5·2 + 0.5·2 = 2 → 0.2.
    expect(n.score).toBeCloseTo(0.6 * 0.2 + 0.2 * 1 + 0.2 * 0.5, 10);
    expect(n.sharedTopicIds).toEqual([]);
    expect(n.relatedTopicIds).toEqual([topicId.get("job-loss"), topicId.get("loneliness")]);
    const m = list.find((c) => c.userId === id.M_oneShared)!;
    expect(m.sharedTopicIds).toEqual([topicId.get("burnout")]);
  });

  it("a weight threshold ignores lighter topics on both sides", async () => {
    const list = await find({ minWeight: 2 });
    expect(names(list)).toEqual(["A", "F_noWindows", "C_optedIn"]);
    expect(await find({ minWeight: 3 })).toEqual([]);
  });

  it("limit keeps the top of the order", async () => {
    expect(names(await find({ limit: 2 }))).toEqual(["A", "B"]);
  });

  it("opted-in people are proposed only within their windows", async () => {
    // At hour 65 D is available; C (60–70) still is. Outside everyone's windows only searchers remain.
    const at65 = new Date("2026-01-07T17:05:00Z");
    const list = names(await find({ now: at65 }));
    expect(list).toContain("D_optedInNotNow");
    expect(list).toContain("C_optedIn");
    const at3am = new Date("2026-01-07T03:00:00Z");
    expect(names(await find({ now: at3am }))).not.toContain("C_optedIn");
  });

  it("an expired cooldown lets people meet again; an active one does not, whoever set it", async () => {
    const later = new Date(NOW.getTime() + 3 * 3600_000);
    const got = names(await find({ now: later, variant: "soft" }));
    expect(got).toContain("K_declinedByMe");
    expect(got).not.toContain("K_blockedMe");
    expect(got).not.toContain("K_reportedMe");
  });

  it("unknown users and people with fewer than two topics get nobody", async () => {
    expect(await finder.findCandidates(9_999_999, { variant: "strict", limit: 5 })).toEqual([]);
    expect(await finder.findCandidates(id.J_partner!, { variant: "soft", limit: 5 })).toEqual([]);
  });

  it("the database has the last word over a stale index: new engagements and cooldowns apply at once", async () => {
    await engage("A", "C_optedIn");
    await cooldown("B", "me", 72 * 3600_000);
    try {
      const got = names(await find());
      expect(got).not.toContain("A");
      expect(got).not.toContain("C_optedIn");
      expect(got).not.toContain("B");
      expect(got).toContain("L_expiredCooldown");
    } finally {
      await t.db.delete(engagements).where(eq(engagements.userId, id.A!));
      await t.db.delete(engagements).where(eq(engagements.userId, id.C_optedIn!));
      await t.db.delete(recentContacts).where(eq(recentContacts.userId, id.B!));
    }
  });

  it("finds a person who started searching after the index was loaded, once it refreshes", async () => {
    await addPerson("Z_newSearcher", { topics: { burnout: 3, relocation: 3, anxiety: 3 }, searching: true });
    await index?.refresh();
    const got = names(await find());
    expect(got[0]).toBe("Z_newSearcher");
    await t.db.delete(matchQueue).where(eq(matchQueue.userId, id.Z_newSearcher!));
    await index?.refresh();
    expect(names(await find())).not.toContain("Z_newSearcher");
  });
});
