import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { searches } from "../../../src/db/schema.ts";
import { createMetrics } from "../../../src/metrics.ts";
import type { KpiDailyResult, KpiFigure, KpiFigures, KpiVariant } from "../../../src/services/kpi.ts";
import { PROPOSAL_TTL_MS, variantFor } from "../../../src/services/matching/index.ts";
import { kpiJob } from "../../../src/workers/jobs/kpi.ts";
import { makePerson } from "../../helpers/fixtures.ts";
import { createServiceWorld, DAY, MINUTE, type ServiceWorld } from "../../helpers/service-world.ts";

/**
 * A small known history over two UTC days, then the KPI figures per day and A/B variant, exactly.
 * Every pair shares topics no other pair has, and every search has ended before the next pair
 * searches, so each proposal goes where the story says.
 *
 * 2026-05-01 (the world's clock starts at 10:00 UTC)
 *   strict: S1+S2 search, are proposed, accept, talk 15 min; both tip (25 ⭐ and 10 ⭐).
 *           S3 searches, nobody is there, cancels.
 *   soft:   O1+O2 search, are proposed, O1 declines.
 *           O3+O4 search, are proposed, accept; O3 gets a crisis flag; O4 reports after 5 min.
 *   check-ins scheduled for S1, S2 and O3 (due the next day).
 * 2026-05-02
 *   check-ins sent at 12:00: S1 answers «хуже», O3 «лучше», S2 never.
 *   strict: S4+S5 talk 30 min; S6+S7 are proposed and let the proposal expire.
 */

let w: ServiceWorld;
let services: ServiceWorld["services"];
let clock: ServiceWorld["clock"];

const DAY1 = "2026-05-01";
const DAY2 = "2026-05-02";
const DAY3 = "2026-05-03";
const at = (iso: string) => new Date(iso);

/** A new person whose A/B variant is `variant` (others made on the way never search: never proposed). */
async function personIn(variant: "strict" | "soft", topics: string[]): Promise<number> {
  for (;;) {
    const id = await makePerson(services, { topics });
    if (variantFor(id) === variant) return id;
  }
}

/** Both search (a first), b's search proposes a; returns the proposal's match id. */
async function propose(a: number, b: number): Promise<number> {
  expect(await services.matching.requestSearch(a)).toEqual({
    ok: true,
    alreadySearching: false,
    profile: expect.objectContaining({ userId: a }),
  });
  expect(await services.matching.requestSearch(b)).toEqual({
    ok: true,
    alreadySearching: false,
    profile: expect.objectContaining({ userId: b }),
  });
  const p = await services.matching.processSearch(b);
  if (!p) throw new Error("no proposal");
  expect([p.a.userId, p.b.userId].sort()).toEqual([a, b].sort());
  return p.matchId;
}

async function talk(a: number, b: number): Promise<number> {
  const matchId = await propose(a, b);
  await services.matching.decide(a, matchId, "accept");
  const started = await services.matching.decide(b, matchId, "accept");
  if (started.kind !== "started") throw new Error(`chat did not start: ${started.kind}`);
  return started.sessionId;
}

let chargeSeq = 0;
async function paidTip(from: number, sessionId: number, amount: number): Promise<void> {
  const created = await services.tips.createTip(from, sessionId, amount);
  if (!created.ok) throw new Error(`tip refused: ${created.reason}`);
  const paid = await services.tips.recordPayment({
    payload: created.payload,
    currency: "XTR",
    totalAmount: amount,
    fromUserId: from,
    telegramPaymentChargeId: `stxKpiCharge${++chargeSeq}`,
  });
  if (!paid.ok) throw new Error(`payment refused: ${paid.reason}`);
}

type Who = "S1" | "S2" | "S3" | "S4" | "S5" | "S6" | "S7" | "O1" | "O2" | "O3" | "O4";
const people = {} as Record<Who, number>;

beforeAll(async () => {
  w = await createServiceWorld();
  ({ services, clock } = w);
  const s = services;

  // ---- 2026-05-01
  clock.set(at(`${DAY1}T10:00:00Z`));
  people.S1 = await personIn("strict", ["pet-loss", "pregnancy-loss"]);
  people.S2 = await personIn("strict", ["pet-loss", "pregnancy-loss"]);
  const strictTalk = await talk(people.S1, people.S2);
  clock.advance(15 * MINUTE);
  await s.chats.endChat(people.S1, "ended");
  await paidTip(people.S2, strictTalk, 25);
  await paidTip(people.S1, strictTalk, 10);

  clock.set(at(`${DAY1}T10:20:00Z`));
  people.S3 = await personIn("strict", ["insomnia", "chronic-illness"]);
  await s.matching.requestSearch(people.S3);
  expect(await s.matching.processSearch(people.S3)).toBeNull();
  await s.matching.cancelSearch(people.S3);

  clock.set(at(`${DAY1}T10:30:00Z`));
  people.O1 = await personIn("soft", ["divorce", "breakup"]);
  people.O2 = await personIn("soft", ["divorce", "breakup"]);
  const declined = await propose(people.O1, people.O2);
  expect(await s.matching.decide(people.O1, declined, "decline")).toMatchObject({ kind: "declined" });
  await s.matching.cancelSearch(people.O2);

  clock.set(at(`${DAY1}T11:00:00Z`));
  people.O3 = await personIn("soft", ["emigration", "adaptation"]);
  people.O4 = await personIn("soft", ["emigration", "adaptation"]);
  const reportedTalk = await talk(people.O3, people.O4);
  await s.moderation.recordCrisisFlag(people.O3, {
    sessionId: reportedTalk,
    labels: ["hopelessness"],
    severity: 2,
  });
  clock.advance(5 * MINUTE);
  expect(await s.moderation.report({ reporterId: people.O4, reason: "abuse" })).toMatchObject({
    ok: true,
    endedChat: true,
  });

  for (const who of [people.S1, people.S2, people.O3]) await s.checkIns.schedule(who);

  // ---- 2026-05-02
  clock.set(at(`${DAY2}T12:00:00Z`));
  const due = await s.checkIns.claimDue();
  expect(due).toHaveLength(3);
  const checkInOf = (userId: number) => due.find((d) => d.userId === userId)!.id;
  await s.checkIns.answer(people.S1, checkInOf(people.S1), "worse");
  await s.checkIns.answer(people.O3, checkInOf(people.O3), "better");

  people.S4 = await personIn("strict", ["money-worries", "career-change"]);
  people.S5 = await personIn("strict", ["money-worries", "career-change"]);
  await talk(people.S4, people.S5);
  clock.advance(30 * MINUTE);
  await s.chats.endChat(people.S5, "ended");

  people.S6 = await personIn("strict", ["war-stress", "violence-survivor"]);
  people.S7 = await personIn("strict", ["war-stress", "violence-survivor"]);
  await propose(people.S6, people.S7);
  clock.advance(PROPOSAL_TTL_MS + MINUTE);
  expect(await s.matching.expireProposals()).toHaveLength(1);
});

afterAll(async () => {
  await w.close();
});

/** The figure's numbers, as the console shows them: numerator / denominator (value). */
const nums = (f: KpiFigure) => [f.numerator, f.denominator, f.value];

function dayOf(result: KpiDailyResult, day: string, variant: KpiVariant): KpiFigures {
  if (!result.ok) throw new Error(result.reason);
  const found = result.days.find((d) => d.day === day);
  if (!found) throw new Error(`no ${day}`);
  return found.variants[variant];
}

describe("KPI per UTC day and A/B variant", () => {
  it("counts a day's searches only once their 24 h are over", async () => {
    clock.set(at(`${DAY2}T13:00:00Z`));
    const r = await services.kpi.daily({ from: at(`${DAY1}T00:00:00Z`), to: at(`${DAY2}T00:00:00Z`) });
    expect(r.ok && r.days.map((d) => d.day)).toEqual([DAY1, DAY2]);
    expect(nums(dayOf(r, DAY1, "strict").searchMatched24h)).toEqual([2, 3, 2 / 3]);
    expect(nums(dayOf(r, DAY1, "soft").searchMatched24h)).toEqual([4, 4, 1]);
    // S4–S7 searched an hour ago: proposed or not, they wait for their 24 h.
    expect(dayOf(r, DAY2, "strict").searchesPending).toBe(4);
    expect(nums(dayOf(r, DAY2, "strict").searchMatched24h)).toEqual([0, 0, null]);
    expect(dayOf(r, DAY2, "strict").searchMatched24h.met).toBeNull();
  });

  it("gives every figure of the first day with its numerator, denominator and goal", async () => {
    clock.set(at(`${DAY3}T13:00:00Z`));
    const r = await services.kpi.daily({ from: at(`${DAY1}T08:00:00Z`), to: at(`${DAY3}T09:00:00Z`) });
    expect(r.ok && [r.from, r.to, r.days.length]).toEqual([DAY1, DAY3, 3]);

    const strict = dayOf(r, DAY1, "strict");
    expect(strict.searchMatched24h).toEqual({
      numerator: 2,
      denominator: 3,
      value: 2 / 3,
      unit: "ratio",
      goal: { op: "atLeast", value: 0.6 },
      met: true,
    });
    expect(strict.searchesPending).toBe(0);
    expect(nums(strict.accept)).toEqual([1, 1, 1]);
    expect(nums(strict.conversationMinutes)).toEqual([15, 1, 15]);
    expect(strict.conversationMinutes).toMatchObject({ unit: "minutes", met: true });
    expect(nums(strict.tip)).toEqual([1, 1, 1]);
    expect(nums(strict.tipAverage)).toEqual([35, 2, 17.5]);
    expect(strict.tipAverage).toMatchObject({ unit: "stars", goal: null, met: null });
    expect(nums(strict.report)).toEqual([0, 1, 0]);
    expect(strict.report).toMatchObject({ goal: { op: "atMost", value: 0.03 }, met: true });
    expect(nums(strict.crisisFlagsPer1000)).toEqual([0, 1, 0]);
    expect(strict.checkIns.sent).toBe(0);

    const soft = dayOf(r, DAY1, "soft");
    expect(nums(soft.searchMatched24h)).toEqual([4, 4, 1]);
    expect(nums(soft.accept)).toEqual([1, 2, 0.5]);
    expect(nums(soft.conversationMinutes)).toEqual([5, 1, 5]);
    expect(soft.conversationMinutes.met).toBe(false);
    expect(nums(soft.tip)).toEqual([0, 1, 0]);
    expect(soft.tip.met).toBe(false);
    expect(nums(soft.tipAverage)).toEqual([0, 0, null]);
    expect(nums(soft.report)).toEqual([1, 1, 1]);
    expect(soft.report.met).toBe(false);
    expect(soft.crisisFlagsPer1000).toMatchObject({
      numerator: 1,
      denominator: 1,
      value: 1000,
      unit: "per1000",
    });

    const all = dayOf(r, DAY1, "all");
    expect(nums(all.searchMatched24h)).toEqual([6, 7, 6 / 7]);
    expect(nums(all.accept)).toEqual([2, 3, 2 / 3]);
    expect(nums(all.conversationMinutes)).toEqual([20, 2, 10]);
    expect(all.conversationMinutes.met).toBe(true);
    expect(nums(all.tip)).toEqual([1, 2, 0.5]);
    expect(nums(all.tipAverage)).toEqual([35, 2, 17.5]);
    expect(nums(all.report)).toEqual([1, 2, 0.5]);
    expect(nums(all.crisisFlagsPer1000)).toEqual([1, 2, 500]);
  });

  it("counts the second day: check-ins by answer, an expired proposal, an empty variant", async () => {
    const r = await services.kpi.daily({ from: at(`${DAY2}T00:00:00Z`), to: at(`${DAY2}T23:59:59Z`) });
    const strict = dayOf(r, DAY2, "strict");
    expect(nums(strict.searchMatched24h)).toEqual([4, 4, 1]);
    expect(nums(strict.accept)).toEqual([1, 2, 0.5]);
    expect(nums(strict.conversationMinutes)).toEqual([30, 1, 30]);
    expect(nums(strict.tip)).toEqual([0, 1, 0]);
    expect(strict.checkIns).toMatchObject({ sent: 2, better: 0, same: 0, worse: 1, unanswered: 1 });
    expect(nums(strict.checkIns.answered)).toEqual([1, 2, 0.5]);

    const soft = dayOf(r, DAY2, "soft");
    expect(soft.checkIns).toMatchObject({ sent: 1, better: 1, same: 0, worse: 0, unanswered: 0 });
    expect(nums(soft.accept)).toEqual([0, 0, null]);
    expect(nums(soft.conversationMinutes)).toEqual([0, 0, null]);

    expect(dayOf(r, DAY2, "all").checkIns).toMatchObject({ sent: 3, better: 1, worse: 1, unanswered: 1 });
  });

  it("adds the days up into the range's total; a quiet day is there with zeros", async () => {
    const r = await services.kpi.daily({ from: at(`${DAY1}T00:00:00Z`), to: at(`${DAY3}T00:00:00Z`) });
    if (!r.ok) throw new Error(r.reason);
    expect(nums(dayOf(r, DAY3, "all").accept)).toEqual([0, 0, null]);
    expect(nums(r.total.strict.searchMatched24h)).toEqual([6, 7, 6 / 7]);
    expect(nums(r.total.strict.conversationMinutes)).toEqual([45, 2, 22.5]);
    expect(nums(r.total.all.accept)).toEqual([3, 5, 0.6]);
    expect(r.total.all.accept.met).toBe(true);
    expect(nums(r.total.all.tip)).toEqual([1, 3, 1 / 3]);
  });

  it("refuses a range backwards or longer than 92 days", async () => {
    expect(await services.kpi.daily({ from: at(`${DAY2}T00:00:00Z`), to: at(`${DAY1}T00:00:00Z`) })).toEqual({
      ok: false,
      reason: "bad_range",
    });
    expect(
      await services.kpi.daily({ from: at("2026-01-01T00:00:00Z"), to: at("2026-05-01T00:00:00Z") }),
    ).toEqual({ ok: false, reason: "too_long" });
  });

  it("the kpi job sets the gauges of the last 7 days per variant, and drops a figure without data", async () => {
    const metrics = createMetrics({ collectDefault: false });
    await kpiJob({ kpi: services.kpi, metrics }).run();
    const values = async (name: string) =>
      Object.fromEntries(
        (await metrics.registry.getSingleMetric(name)!.get()).values.map((v) => [
          Object.values(v.labels).join("/"),
          v.value,
        ]),
      );
    expect(await values("kpi_search_matched_24h_ratio")).toEqual({ strict: 6 / 7, soft: 1, all: 10 / 11 });
    expect(await values("kpi_accept_ratio")).toEqual({ strict: 2 / 3, soft: 0.5, all: 0.6 });
    expect(await values("kpi_conversation_minutes_avg")).toEqual({ strict: 22.5, soft: 5, all: 50 / 3 });
    expect(await values("kpi_tip_ratio")).toEqual({ strict: 0.5, soft: 0, all: 1 / 3 });
    // No soft conversation had a tip: no average, no series.
    expect(await values("kpi_tip_avg_stars")).toEqual({ strict: 17.5, all: 17.5 });
    expect(await values("kpi_report_ratio")).toEqual({ strict: 0, soft: 1, all: 1 / 3 });
    expect(await values("kpi_crisis_flags_per_1000")).toEqual({ strict: 0, soft: 1000, all: 1000 / 3 });
    expect(await values("kpi_check_in_answers")).toMatchObject({
      "strict/better": 0,
      "strict/worse": 1,
      "strict/none": 1,
      "soft/better": 1,
      "soft/none": 0,
      "all/better": 1,
      "all/worse": 1,
      "all/none": 1,
    });
    expect(await values("kpi_sample_size")).toMatchObject({
      "all/searches": 11,
      "all/proposals": 5,
      "all/conversations": 3,
      "all/tips": 2,
      "all/check_ins": 3,
    });

    // A week later nothing is in the window: the series go instead of keeping stale values.
    clock.advance(8 * DAY);
    await kpiJob({ kpi: services.kpi, metrics }).run();
    expect(await values("kpi_accept_ratio")).toEqual({});
    expect(await values("kpi_check_in_answers")).toMatchObject({ "all/none": 0 });
  });
});

describe("the searches the KPI counts", () => {
  it("a second /find racing the first records one search", async () => {
    const p = await makePerson(services, { topics: ["caregiving", "family-conflict"] });
    const both = await Promise.all([services.matching.requestSearch(p), services.matching.requestSearch(p)]);
    expect(both.filter((r) => r.ok && !r.alreadySearching)).toHaveLength(1);
    expect(await w.db.select().from(searches).where(eq(searches.userId, p))).toHaveLength(1);
    await services.matching.cancelSearch(p);
  });

  it("/export lists a person's searches and /delete removes them", async () => {
    const { S1 } = people;
    const exported = await services.privacy.export(S1);
    expect(exported?.searchHistory).toEqual([
      { startedAt: `${DAY1}T10:00:00.000Z`, variant: "strict", firstProposalAt: `${DAY1}T10:00:00.000Z` },
    ]);
    expect(await services.privacy.erase(S1)).toMatchObject({ ok: true });
    expect(await w.db.select().from(searches).where(eq(searches.userId, S1))).toEqual([]);
  });
});
