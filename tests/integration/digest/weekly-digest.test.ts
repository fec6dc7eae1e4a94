import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { digestRuns, users } from "../../../src/db/schema.ts";
import { DIGEST_MIN_GAP_MS } from "../../../src/domain/digest.ts";
import { createMetrics, digestMetrics } from "../../../src/metrics.ts";
import { createDigestService, type DigestPlan } from "../../../src/services/digest.ts";
import { createCandidateFinder, createCandidateIndex } from "../../../src/services/matching/candidates.ts";
import { makePerson, startChat } from "../../helpers/fixtures.ts";
import { createServiceWorld, DAY, HOUR, MINUTE, type ServiceWorld } from "../../helpers/service-world.ts";

const TOPICS = ["divorce", "breakup"];
const OTHER_GROUP = ["panic", "insomnia"];

describe("the weekly digest (services, manual clock)", () => {
  let world: ServiceWorld;
  beforeEach(async () => {
    world = await createServiceWorld();
  });
  afterEach(async () => {
    await world.close();
  });

  const digest = () => world.services.digest;
  const userRow = async (id: number) => (await world.db.select().from(users).where(eq(users.id, id)))[0]!;
  const runsOf = (id: number) => world.db.select().from(digestRuns).where(eq(digestRuns.userId, id));

  /**
   * Moves the clock to the person's digest time and runs the job's two steps for everyone due;
   * `hourBefore` runs an hour earlier (a search started then is still running at digest time).
   */
  async function runDueAt(userId: number, hourBefore?: () => Promise<unknown>): Promise<DigestPlan[]> {
    const next = (await userRow(userId)).digestNextAt;
    if (!next) throw new Error("no digest scheduled");
    world.clock.set(new Date(next.getTime() - HOUR));
    await hourBefore?.();
    world.clock.set(next);
    const plans: DigestPlan[] = [];
    for (const id of await digest().claimDue()) plans.push(await digest().prepare(id));
    return plans;
  }

  /** Ana, opted in to the digest, and a day later someone new who fits her: her first digest is sendable. */
  async function anaWithSomeoneNew(): Promise<{ ana: number; plan: Extract<DigestPlan, { send: true }> }> {
    const ana = await makePerson(world.services, { topics: TOPICS });
    await world.services.profiles.setDigest(ana, true);
    world.clock.advance(DAY);
    await makePerson(world.services, { topics: TOPICS, receiveProposals: true });
    const [plan] = await runDueAt(ana);
    if (!plan?.send) throw new Error("expected a digest to send");
    return { ana, plan };
  }

  it("is off by default; on, the first one is due about a week later and claimed exactly once", async () => {
    const ana = await makePerson(world.services, { topics: TOPICS });
    expect((await userRow(ana)).digestEnabled).toBe(false);
    expect((await world.services.profiles.getProfile(ana)).digest).toBe(false);

    const optedAt = world.clock.now();
    await world.services.profiles.setDigest(ana, true);
    const row = await userRow(ana);
    expect(row.digestEnabled).toBe(true);
    const due = row.digestNextAt!;
    expect(due.getTime() - optedAt.getTime()).toBeGreaterThanOrEqual(DIGEST_MIN_GAP_MS);
    expect(due.getTime() - optedAt.getTime()).toBeLessThanOrEqual(8 * DAY);

    // A minute early: nobody is due.
    world.clock.set(new Date(due.getTime() - MINUTE));
    expect(await digest().claimDue()).toEqual([]);
    world.clock.set(due);
    expect(await digest().claimDue()).toEqual([ana]);
    // Claimed once: at the same instant, and for the next 6 days, never again.
    expect(await digest().claimDue()).toEqual([]);
    const after = (await userRow(ana)).digestNextAt!;
    expect(after.getTime() - due.getTime()).toBeGreaterThanOrEqual(DIGEST_MIN_GAP_MS);
    world.clock.set(new Date(due.getTime() + DIGEST_MIN_GAP_MS - MINUTE));
    expect(await digest().claimDue()).toEqual([]);
  });

  it("counts only people new this week who would be proposed now, and names shared topics", async () => {
    // Old: joined and opted in to proposals nine days before the digest.
    const old = await makePerson(world.services, { topics: TOPICS, receiveProposals: true });
    world.clock.advance(2 * DAY);
    const ana = await makePerson(world.services, { topics: TOPICS });
    await world.services.profiles.setDigest(ana, true);
    world.clock.advance(5 * DAY);
    // New this week: opted in to proposals (all windows), searching, or a person she already met.
    const fresh = await makePerson(world.services, { topics: TOPICS, receiveProposals: true });
    const searching = await makePerson(world.services, { topics: TOPICS });
    const met = await makePerson(world.services, { topics: TOPICS, receiveProposals: true });
    const chat = await startChat(world.services, { between: [ana, met] });
    await world.services.chats.endChat(ana, "ended");
    expect(chat.sessionId).toBeGreaterThan(0);
    // Not a match: another group of topics; and someone who turned proposals off again.
    await makePerson(world.services, { topics: OTHER_GROUP, receiveProposals: true });
    const changedMind = await makePerson(world.services, { topics: TOPICS, receiveProposals: true });
    await world.services.profiles.setReceiveProposals(changedMind, false);

    const plans = await runDueAt(ana, () => world.services.matching.requestSearch(searching));
    expect(plans).toHaveLength(1);
    const plan = plans[0]!;
    expect(plan.send).toBe(true);
    if (!plan.send) return;
    expect(plan.count).toBe(2); // fresh and searching; not old, met, other-topic or changedMind
    const divorce = (await world.services.profiles.catalogue())
      .flatMap((g) => g.topics)
      .find((t) => t.slug === "divorce")!.id;
    expect(plan.topicIds[0]).toBe(divorce);
    expect(plan.topicIds.length).toBeLessThanOrEqual(3);
    const [run] = await runsOf(ana);
    expect(run).toMatchObject({ outcome: "sent", arm: "digest", candidates: 2 });
    expect(old).toBeGreaterThan(0);
    expect(fresh).toBeGreaterThan(0);
  });

  it("the candidate index counts the same people as the database path", async () => {
    const ana = await makePerson(world.services, { topics: TOPICS });
    world.clock.advance(8 * DAY);
    for (let i = 0; i < 4; i++) await makePerson(world.services, { topics: TOPICS, receiveProposals: true });
    const searcher = await makePerson(world.services, { topics: TOPICS });
    await world.services.matching.requestSearch(searcher);
    const index = await createCandidateIndex({ db: world.db, clock: world.clock });
    await index.load();
    const opts = {
      variant: "soft" as const,
      now: world.clock.now(),
      newSince: new Date(world.clock.now().getTime() - 7 * DAY),
      max: 21,
    };
    const bySql = await createCandidateFinder({ db: world.db, clock: world.clock }).findNewCandidates(
      ana,
      opts,
    );
    const byIndex = await createCandidateFinder({
      db: world.db,
      clock: world.clock,
      index,
    }).findNewCandidates(ana, opts);
    expect(bySql.map((c) => c.userId).sort()).toEqual(byIndex.map((c) => c.userId).sort());
    expect(bySql).toHaveLength(5);
    // A week later the opted-in ones are not new any more (the searcher's search has expired too).
    world.clock.advance(8 * DAY);
    await index.refresh();
    const later = {
      ...opts,
      now: world.clock.now(),
      newSince: new Date(world.clock.now().getTime() - 7 * DAY),
    };
    expect(
      await createCandidateFinder({ db: world.db, clock: world.clock, index }).findNewCandidates(ana, later),
    ).toEqual([]);
  });

  it("sends nothing when nobody new fits, or while the person searches or talks", async () => {
    const ana = await makePerson(world.services, { topics: TOPICS });
    await world.services.profiles.setDigest(ana, true);
    expect(await runDueAt(ana)).toEqual([{ send: false, userId: ana, outcome: "empty" }]);

    // Next week someone new fits, but Ana is searching herself.
    world.clock.advance(DAY);
    await makePerson(world.services, { topics: TOPICS, receiveProposals: true });
    expect(await runDueAt(ana, () => world.services.matching.requestSearch(ana))).toEqual([
      { send: false, userId: ana, outcome: "busy" },
    ]);
    await world.services.matching.cancelSearch(ana);

    // The week after, she is in a conversation.
    const peer = await makePerson(world.services, { topics: TOPICS });
    await startChat(world.services, { between: [ana, peer] });
    world.clock.advance(DAY);
    await makePerson(world.services, { topics: TOPICS, receiveProposals: true });
    expect(await runDueAt(ana)).toEqual([{ send: false, userId: ana, outcome: "busy" }]);
    expect((await runsOf(ana)).map((r) => r.outcome)).toEqual(["empty", "busy", "busy"]);
  });

  it("a blocked bot marks the person unreachable and skips them until they write again", async () => {
    const { ana, plan } = await anaWithSomeoneNew();
    await digest().delivered(plan.runId, ana, "unreachable");
    expect((await userRow(ana)).unreachableSince).not.toBeNull();

    world.clock.advance(DAY);
    await makePerson(world.services, { topics: TOPICS, receiveProposals: true });
    expect(await runDueAt(ana)).toEqual([{ send: false, userId: ana, outcome: "unreachable" }]);
    // She writes to the bot again: the next week's digest goes out.
    await world.services.profiles.markReachable(ana);
    world.clock.advance(DAY);
    await makePerson(world.services, { topics: TOPICS, receiveProposals: true });
    const [again] = await runDueAt(ana);
    expect(again?.send).toBe(true);
    expect((await runsOf(ana)).map((r) => r.outcome)).toEqual(["unreachable", "unreachable", "sent"]);
  });

  it("a search within 24 h is the digest's effect; «Больше не присылать» stops it for good", async () => {
    const { ana } = await anaWithSomeoneNew();
    world.clock.advance(3 * HOUR);
    await world.services.matching.requestSearch(ana);
    const [run] = await runsOf(ana);
    expect(run!.searchedAt).toEqual(world.clock.now());
    await world.services.matching.cancelSearch(ana);

    // A search 25 h after the next digest is not counted as its effect.
    world.clock.advance(DAY);
    await makePerson(world.services, { topics: TOPICS, receiveProposals: true });
    const [second] = await runDueAt(ana);
    if (!second?.send) throw new Error("expected a second digest");
    world.clock.advance(25 * HOUR);
    await world.services.matching.requestSearch(ana);
    expect((await runsOf(ana)).find((r) => r.id === second.runId)!.searchedAt).toBeNull();
    await world.services.matching.cancelSearch(ana);

    await digest().stopFromRun(ana, second.runId);
    const row = await userRow(ana);
    expect(row.digestEnabled).toBe(false);
    expect(row.digestNextAt).toBeNull();
    world.clock.advance(30 * DAY);
    expect(await digest().claimDue()).toEqual([]);
    const stats = await digest().stats(new Date(0));
    expect(stats.find((s) => s.arm === "digest")).toMatchObject({
      eligible: 2,
      sent: 2,
      searchedWithin24h: 1,
      stopped: 1,
    });
  });

  it("new windows or a new zone move the pending digest into them", async () => {
    const ana = await makePerson(world.services, { topics: TOPICS, availLocal: 0xff });
    await world.services.profiles.setDigest(ana, true);
    const before = (await userRow(ana)).digestNextAt!;
    await world.services.profiles.setAvailability(ana, 1 << 4); // weekend mornings only
    const after = (await userRow(ana)).digestNextAt!;
    expect(after).not.toEqual(before);
    const local = new Intl.DateTimeFormat("en-GB", {
      timeZone: "Europe/Moscow",
      weekday: "short",
      hour: "2-digit",
      hourCycle: "h23",
    }).format(after);
    expect(local).toMatch(/^(Sat|Sun),? 10$/);
    await world.services.profiles.setTimezone(ana, "Asia/Almaty");
    const inAlmaty = new Intl.DateTimeFormat("en-GB", {
      timeZone: "Asia/Almaty",
      hour: "2-digit",
      hourCycle: "h23",
    }).format((await userRow(ana)).digestNextAt!);
    expect(inAlmaty).toBe("10");
  });

  it("the control arm is counted the same way and sent nothing (DIGEST_ROLLOUT)", async () => {
    const finder = createCandidateFinder({ db: world.db, clock: world.clock });
    const metrics = createMetrics({ collectDefault: false });
    const half = createDigestService({
      db: world.db,
      clock: world.clock,
      finder,
      rolloutPercent: 50,
      metrics: digestMetrics(metrics),
    });
    const people: number[] = [];
    for (let i = 0; i < 12; i++) {
      const id = await makePerson(world.services, { topics: TOPICS });
      await world.services.profiles.setDigest(id, true);
      people.push(id);
    }
    world.clock.advance(6 * DAY);
    await makePerson(world.services, { topics: TOPICS, receiveProposals: true });
    world.clock.advance(2 * DAY);
    const plans: DigestPlan[] = [];
    for (const id of await half.claimDue()) plans.push(await half.prepare(id));
    expect(plans).toHaveLength(12);
    const sent = plans.filter((p) => p.send).length;
    const held = plans.filter((p) => !p.send && p.outcome === "held").length;
    expect(sent + held).toBe(12);
    expect(sent).toBeGreaterThan(0);
    expect(held).toBeGreaterThan(0);
    const stats = await half.stats(new Date(0));
    expect(stats.find((s) => s.arm === "digest")!.sent).toBe(sent);
    expect(stats.find((s) => s.arm === "control")).toMatchObject({ eligible: held, sent: 0 });
    // Counters: held at once; «sent» only once Telegram took it (here: one delivered, one blocked).
    const sendable = plans.filter((p) => p.send);
    await half.delivered(sendable[0]!.runId, sendable[0]!.userId, "sent");
    if (sendable[1]) await half.delivered(sendable[1].runId, sendable[1].userId, "unreachable");
    const runs = await metrics.registry.getSingleMetricAsString("digest_runs_total");
    expect(runs).toContain(`digest_runs_total{arm="control",outcome="held"} ${held}`);
    expect(runs).toContain(`digest_runs_total{arm="digest",outcome="sent"} 1`);
    if (sendable[1]) expect(runs).toContain(`digest_runs_total{arm="digest",outcome="unreachable"} 1`);
    // A held person who searches within 24 h counts for the control arm.
    const heldOne = plans.find((p) => !p.send)!;
    world.clock.advance(HOUR);
    await half.noteSearch(heldOne.userId);
    expect(await metrics.registry.getSingleMetricAsString("digest_searches_total")).toContain(
      `digest_searches_total{arm="control"} 1`,
    );
  });

  it("/delete removes the digest and its runs", async () => {
    const ana = await makePerson(world.services, { topics: TOPICS });
    await world.services.profiles.setDigest(ana, true);
    await runDueAt(ana);
    expect(await runsOf(ana)).toHaveLength(1);
    await world.services.privacy.erase(ana);
    const row = await userRow(ana);
    expect(row).toMatchObject({ digestEnabled: false, digestNextAt: null, digestAnchorAt: null });
    expect(await runsOf(ana)).toEqual([]);
  });
});
