import { eq, or } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  aiHints,
  chatSessions,
  engagements,
  experimentAssignments,
  flowStates,
  matches,
  matchQueue,
  preferences,
  recentContacts,
  reportEvidence,
  reports,
  safetyFlags,
  sanctionedIdentities,
  tips,
  users,
  userTopics,
  userWishlistTopics,
} from "../../../src/db/schema.ts";
import { nextUtcMidnight, type PrivacyService } from "../../../src/services/privacy/index.ts";
import { dumpAllTables } from "../../helpers/db-dump.ts";
import { makePerson, startChat } from "../../helpers/fixtures.ts";
import { createServiceWorld, DAY, MINUTE, type ServiceWorld } from "../../helpers/service-world.ts";

/** Values that occur nowhere else, so finding them in a dump means a leak. */
const PERSON = {
  tgId: 987_654_321_987,
  nickname: "Зефирный Кактус",
  bio: "Вяжу носки для приюта в Коломне по вечерам",
  startPayload: "zefir_cactus_promo",
};

describe("erasure and export of a person's data", () => {
  let w: ServiceWorld;
  let privacy: PrivacyService;

  beforeAll(async () => {
    w = await createServiceWorld();
    privacy = w.services.privacy;
  });
  afterAll(async () => {
    await w.close();
  });

  /** A person with every kind of data: profile, wishlist, flow, a report with evidence, flags, hints, a tip, a chat. */
  async function richPerson(topics: string[], ids = PERSON) {
    const { profiles } = w.services;
    const user = await profiles.acceptRules(ids.tgId, { startPayload: ids.startPayload });
    await profiles.setNickname(user.id, ids.nickname);
    await profiles.setBio(user.id, ids.bio);
    await profiles.setTimezone(user.id, "Asia/Almaty");
    const bySlug = new Map((await profiles.catalogue()).flatMap((g) => g.topics).map((t) => [t.slug, t.id]));
    await profiles.setTopics(
      user.id,
      topics.map((slug, i) => ({ topicId: bySlug.get(slug)!, weight: i === 0 ? 3 : 1 })),
    );
    await profiles.setWishlist(user.id, [bySlug.get("insomnia")!]);
    await profiles.setAvailability(user.id, 255);
    await profiles.setFlow(user.id, { flow: "edit", step: "bio", data: { draft: ids.bio } });
    const p = user.id;

    // An earlier chat that p reported, with forwarded evidence, and a tip p gave.
    const [earlier] = (await w.people(1, topics)) as [number];
    const { sessionId: earlierSession } = await startChat(w.services, { between: [p, earlier] });
    await w.db.insert(tips).values({
      chatSessionId: earlierSession,
      fromUser: p,
      toUser: earlier,
      amount: 50,
      status: "pending",
      createdAt: w.clock.now(),
    });
    const report = await w.moderation.report({
      reporterId: p,
      reason: "abuse",
      comment: `Меня зовут ${ids.nickname}`,
    });
    if (!report.ok) throw new Error("report refused");
    await w.moderation.attachEvidence(report.reportId, p, 9001);
    await w.services.chats.rate(p, earlierSession, 2);

    // The current chat, with flags and coach hints.
    w.clock.advance(2 * MINUTE);
    const [peer] = (await w.people(1, topics)) as [number];
    const { sessionId } = await startChat(w.services, { between: [p, peer] });
    await w.moderation.recordToxicStrike(p, { sessionId, labels: ["insult"], severity: 2 });
    await w.moderation.recordCrisisFlag(p, { sessionId, labels: ["hopelessness"], severity: 2 });
    await w.db
      .insert(aiHints)
      .values({ chatSessionId: sessionId, userId: p, hintType: "empathy", source: "template" });
    await w.infra.kv.set(`nudged:${sessionId}:${p}`, "1");
    // Message-id pairs of the current chat (one relayed message each way).
    const chat = (await w.services.chats.activeChat(p))!;
    await w.services.chats.linkMessages(chat, 10, 501);
    const peerChat = (await w.services.chats.activeChat(peer))!;
    await w.services.chats.linkMessages(peerChat, 20, 601);
    await w.infra.kv.set(`start-payload:${ids.tgId}`, ids.startPayload);
    await w.infra.kv.set(`start-card:${ids.tgId}`, "1");
    return { p, peer, earlier, sessionId, earlierSession, reportId: report.reportId };
  }

  it("erase ends the chat, removes the profile, and leaves nothing tied to the Telegram id", async () => {
    const { p, peer, sessionId, earlierSession, reportId } = await richPerson(["burnout", "job-loss"]);
    const [peerRow] = await w.db.select().from(users).where(eq(users.id, peer));

    // Control: before erasure the dump does contain the person.
    const before = await dumpAllTables(w.db);
    for (const v of [String(PERSON.tgId), PERSON.nickname, PERSON.bio, PERSON.startPayload])
      expect(before).toContain(v);

    const res = await privacy.erase(p);
    // The nudge, the start payload and card, the message-id pairs of the current chat.
    expect(res).toMatchObject({ ok: true, alreadyErased: false, kvKeysDeleted: 4 });
    if (!res.ok) throw new Error("unreachable");
    expect(res.endedChat).toMatchObject({ sessionId, reason: "deleted", endedBy: p });
    expect(res.endedChat?.participants).toEqual(
      expect.arrayContaining([{ userId: peer, tgId: peerRow!.tgId }]),
    );
    expect(await w.services.chats.activeChat(peer)).toBeNull();
    const [session] = await w.db.select().from(chatSessions).where(eq(chatSessions.id, sessionId));
    expect(session).toMatchObject({ endReason: "deleted", endedBy: p });

    const after = await dumpAllTables(w.db);
    for (const v of [String(PERSON.tgId), PERSON.nickname, PERSON.bio, PERSON.startPayload]) {
      expect(after).not.toContain(v);
    }
    const [row] = await w.db.select().from(users).where(eq(users.id, p));
    expect(row).toMatchObject({
      tgId: null,
      nickname: null,
      bioShort: null,
      tz: null,
      status: "deleted",
      startPayload: null,
      safetyAck: false,
      deletedAt: w.clock.now(),
    });
    for (const table of [
      userTopics,
      userWishlistTopics,
      preferences,
      flowStates,
      matchQueue,
      engagements,
      experimentAssignments,
      aiHints,
      safetyFlags,
    ] as const) {
      expect(
        await w.db.select().from(table).where(eq(table.userId, p)),
        table === userTopics ? "user_topics" : "",
      ).toEqual([]);
    }
    expect(await w.db.select().from(reportEvidence).where(eq(reportEvidence.reportId, reportId))).toEqual([]);
    expect(
      await w.db
        .select()
        .from(recentContacts)
        .where(or(eq(recentContacts.userId, p), eq(recentContacts.otherId, p))),
    ).toEqual([]);

    // Money and moderation history stay, under the same numeric id.
    expect(await w.db.select().from(tips).where(eq(tips.fromUser, p))).toHaveLength(1);
    expect(await w.db.select().from(reports).where(eq(reports.fromUser, p))).toHaveLength(1);
    expect(await w.db.select().from(chatSessions).where(eq(chatSessions.id, earlierSession))).toHaveLength(1);

    expect(await w.infra.kv.get(`nudged:${sessionId}:${p}`)).toBeNull();
    // The erased person's pairs are gone; the peer keeps theirs (their own messages and copies).
    expect(await w.infra.kv.hashGet(`relay:${sessionId}:${p}`, "10")).toBeNull();
    expect(await w.infra.kv.hashGet(`relay:${sessionId}:${p}`, "601")).toBeNull();
    expect(await w.infra.kv.hashGet(`relay:${sessionId}:${peer}`, "20")).toBe("601");
    expect(await w.infra.kv.get(`start-payload:${PERSON.tgId}`)).toBeNull();
    expect(await w.infra.kv.get(`start-card:${PERSON.tgId}`)).toBeNull();

    // Registering again with the same Telegram account is a new, empty person.
    const again = await w.services.profiles.acceptRules(PERSON.tgId);
    expect(again.id).not.toBe(p);
    expect(again.nickname).toBeNull();
  });

  it("erase is idempotent and refuses unknown people", async () => {
    const [p] = (await w.people(1, ["anxiety", "panic"])) as [number];
    expect(await privacy.erase(p)).toMatchObject({ ok: true, alreadyErased: false, endedChat: null });
    const snapshot = await dumpAllTables(w.db);
    w.clock.advance(DAY);
    expect(await privacy.erase(p)).toMatchObject({
      ok: true,
      alreadyErased: true,
      endedChat: null,
      kvKeysDeleted: 0,
    });
    // The second call changed nothing at all.
    expect(await dumpAllTables(w.db)).toBe(snapshot);
    expect(await privacy.erase(99_999_999)).toEqual({ ok: false, reason: "not_found" });
  });

  it("erase withdraws an open proposal so the other person is free again", async () => {
    const topics = ["divorce", "breakup"];
    const [p, other] = (await w.people(2, topics)) as [number, number];
    await w.services.matching.requestSearch(p);
    await w.services.matching.requestSearch(other);
    const proposal = await w.services.matching.processSearch(other);
    expect(proposal).not.toBeNull();
    const res = await privacy.erase(p);
    expect(res).toMatchObject({
      ok: true,
      withdrawnProposals: [{ matchId: proposal!.matchId, otherUserId: other }],
    });
    const [m] = await w.db.select().from(matches).where(eq(matches.id, proposal!.matchId));
    expect(m?.status).toBe("expired");
    expect(await w.db.select().from(engagements).where(eq(engagements.userId, other))).toEqual([]);
    expect(await w.services.matching.decide(other, proposal!.matchId, "accept")).toEqual({ kind: "stale" });
  });

  it("export holds the person's data and never the other people's Telegram ids", async () => {
    const ids = {
      tgId: 918_273_645_501,
      nickname: "Тихая Сова",
      bio: "Учусь заново доверять людям",
      startPayload: "owl_export",
    };
    const { p, peer, earlier, sessionId, reportId } = await richPerson(["loneliness", "adaptation"], ids);
    const others = await w.db
      .select()
      .from(users)
      .where(or(eq(users.id, peer), eq(users.id, earlier)));
    await w.services.chats.endChat(peer, "ended");
    await w.services.chats.rate(peer, sessionId, 5);

    const data = await privacy.export(p);
    expect(data).not.toBeNull();
    const text = JSON.stringify(data);
    // JSON-ready: survives a round trip unchanged.
    expect(JSON.parse(text)).toEqual(data);
    for (const o of others) {
      expect(text).not.toContain(String(o.tgId));
    }
    expect(text).not.toContain(`"userId":${peer}`);

    expect(data!.profile).toMatchObject({
      userId: p,
      telegramId: ids.tgId,
      nickname: ids.nickname,
      bio: ids.bio,
      timeZone: "Asia/Almaty",
    });
    expect(data!.topics).toEqual([
      { slug: "loneliness", title: expect.any(String), weight: 3 },
      { slug: "adaptation", title: expect.any(String), weight: 1 },
    ]);
    expect(data!.wishlist.map((t) => t.slug)).toEqual(["insomnia"]);
    expect(data!.preferences).toMatchObject({ purpose: "support", availabilityLocal: 255 });
    expect(data!.flow).toMatchObject({ flow: "edit", step: "bio" });
    expect(data!.conversations).toHaveLength(2);
    const last = data!.conversations.find((c) => c.session?.sessionId === sessionId);
    const peerNick = others.find((o) => o.id === peer)!.nickname;
    expect(last).toMatchObject({
      peer: peerNick,
      status: "completed",
      session: { endReason: "ended", endedByMe: false },
    });
    // The peer's own rating of the person is never exported (the bot never shows it either).
    expect(JSON.stringify(data!.conversations)).not.toContain("ratingIReceived");
    const first = data!.conversations.find((c) => c.session?.sessionId !== sessionId);
    expect(first?.session).toMatchObject({ endReason: "reported", endedByMe: true, ratingIGave: 2 });
    expect(data!.tips).toMatchObject([{ direction: "given", amount: 50, status: "pending" }]);
    expect(data!.reportsMade).toMatchObject([
      { reportId, reason: "abuse", comment: `Меня зовут ${ids.nickname}`, evidenceAttached: 1 },
    ]);
    expect(data!.safetyFlags.map((f) => f.source).sort()).toEqual(["crisis", "toxicity"]);
    expect(data!.aiHints).toMatchObject([{ hintType: "empathy", source: "template" }]);
    expect(data!.experiments.map((e) => e.experiment)).toEqual(["match_variant"]);

    // What others did about the person is there without naming them.
    await w.moderation.act({ actor: "u_0123456789abcdef", targetUserId: p, action: "warn", reason: "тон" });
    const [reporter] = await w.people(1, ["loneliness", "adaptation"]);
    w.clock.advance(2 * MINUTE);
    await startChat(w.services, { between: [reporter!, p] });
    await w.moderation.report({ reporterId: reporter!, reason: "spam" });
    const later = await privacy.export(p);
    expect(later!.moderationActions).toMatchObject([
      { action: "warn", by: "moderator", reason: "тон", until: null },
    ]);
    expect(later!.reportsAboutMe).toEqual([
      { reason: "spam", status: "new", createdAt: w.clock.now().toISOString() },
    ]);
    expect(JSON.stringify(later)).not.toContain("u_0123456789abcdef");
    // The pairs kept apart are there too; a report made about the person does not name who made it.
    const reporterNick = (await w.db.select().from(users).where(eq(users.id, reporter!)))[0]!.nickname!;
    expect(later!.keptApart).toContainEqual({ with: null, reason: "safety", until: expect.any(String) });
    expect(later!.keptApart).toContainEqual({ with: peerNick, reason: "met", until: expect.any(String) });
    expect(JSON.stringify(later!.keptApart)).not.toContain(reporterNick);
    expect(await privacy.export(99_999_999)).toBeNull();
  });

  it("a fixture person made the usual way can be erased too", async () => {
    const p = await makePerson(w.services, { topics: ["war-stress", "bullying"], nickname: "Смелый Ёж" });
    const [row] = await w.db.select().from(users).where(eq(users.id, p));
    await privacy.erase(p);
    const dump = await dumpAllTables(w.db);
    expect(dump).not.toContain(String(row!.tgId));
    expect(dump).not.toContain("Смелый Ёж");
  });

  it("a ban or a running suspension outlives /delete as a keyed hash; /start again brings it back", async () => {
    const { profiles } = w.services;
    const banned = await profiles.acceptRules(555_000_001);
    const suspended = await profiles.acceptRules(555_000_002);
    const lapsed = await profiles.acceptRules(555_000_003);
    const clean = await profiles.acceptRules(555_000_004);
    const until = new Date(w.clock.now().getTime() + 7 * DAY);
    await w.db.update(users).set({ status: "banned" }).where(eq(users.id, banned.id));
    await w.db
      .update(users)
      .set({ status: "suspended", suspendedUntil: until })
      .where(eq(users.id, suspended.id));
    await w.db
      .update(users)
      .set({ status: "suspended", suspendedUntil: new Date(w.clock.now().getTime() + MINUTE) })
      .where(eq(users.id, lapsed.id));
    for (const u of [banned, suspended, lapsed, clean])
      expect(await privacy.erase(u.id)).toMatchObject({ ok: true });

    const kept = await w.db.select().from(sanctionedIdentities);
    expect(kept).toHaveLength(3);
    for (const row of kept) expect(row.tgHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(kept)).not.toMatch(/55500000\d/);
    // No instant that could line up with the scrubbed rows: suspensions end at the next UTC midnight.
    expect(Object.keys(kept[0]!).sort()).toEqual(["status", "tgHash", "until"]);
    for (const row of kept) if (row.until) expect(row.until.toISOString()).toMatch(/T00:00:00\.000Z$/);

    w.clock.advance(2 * MINUTE);
    expect(await profiles.acceptRules(555_000_001)).toMatchObject({ status: "banned", suspendedUntil: null });
    expect(await profiles.acceptRules(555_000_002)).toMatchObject({
      status: "suspended",
      suspendedUntil: nextUtcMidnight(until),
    });
    const lapsedUntil = nextUtcMidnight(new Date(w.clock.now().getTime() - 2 * MINUTE + MINUTE))!;
    expect(lapsedUntil.getTime()).toBeGreaterThan(w.clock.now().getTime());
    expect(await profiles.acceptRules(555_000_003)).toMatchObject({
      status: "suspended",
      suspendedUntil: lapsedUntil,
    });
    expect(await profiles.acceptRules(555_000_004)).toMatchObject({ status: "active" });
    // Carried back into the users row, the trace is gone: a later appeal or lift is not undone by it.
    expect(await w.db.select().from(sanctionedIdentities)).toEqual([]);
    // A banned person cannot search after coming back.
    const back = await profiles.findByTelegramId(555_000_001);
    expect(await w.services.matching.requestSearch(back!.id)).toMatchObject({ ok: false });
  });
});
