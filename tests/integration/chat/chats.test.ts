import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { users } from "../../../src/db/schema.ts";
import type { Services } from "../../../src/services/index.ts";
import { makePerson, startChat } from "../../helpers/fixtures.ts";
import { createServiceWorld, type ServiceWorld } from "../../helpers/service-world.ts";

describe("chat sessions: ending, ratings, message-id pairs", () => {
  let w: ServiceWorld;
  let services: Services;

  beforeAll(async () => {
    w = await createServiceWorld();
    services = w.services;
  });
  afterAll(async () => {
    await w.close();
  });

  it("relayed messages are counted per side in batches, all written by one flush; the peer's id comes with the chat", async () => {
    const { a, b, sessionId } = await startChat(services, { topics: ["burnout", "anxiety"] });
    const chatA = (await services.chats.activeChat(a))!;
    const chatB = (await services.chats.activeChat(b))!;
    expect(chatB.peerTgId).toBe(
      (await w.db.select({ tg: users.tgId }).from(users).where(eq(users.id, a)))[0]?.tg,
    );
    for (let i = 0; i < 3; i++) await services.chats.countMessage(chatA);
    await services.chats.countMessage(chatB);
    await services.chats.flushCounts();
    // Which of the two is side "a" is the matcher's choice.
    const of = (mine: number, theirs: number) => (chatA.side === "a" ? [mine, theirs] : [theirs, mine]);
    const after = await services.chats.session(sessionId);
    expect([after?.msgCountA, after?.msgCountB]).toEqual(of(3, 1));
    expect(after?.lastMessageAt).not.toBeNull();
    // A second flush with nothing new changes nothing; new counts add up.
    await services.chats.flushCounts();
    await services.chats.countMessage(chatB);
    await services.chats.flushCounts();
    const again = await services.chats.session(sessionId);
    expect([again?.msgCountA, again?.msgCountB]).toEqual(of(3, 2));
  });

  it("the sender lookup reads the person, their open flow and their active chat in one go, as the services do", async () => {
    const { a, b } = await startChat(services, { topics: ["relocation", "loneliness"] });
    const tgOf = async (id: number) =>
      (await w.db.select({ tg: users.tgId }).from(users).where(eq(users.id, id)))[0]!.tg!;
    const [tgA, tgB] = [await tgOf(a), await tgOf(b)];
    const inChat = await services.sender.byTelegramId(tgA);
    expect(inChat?.user.id).toBe(a);
    expect(inChat?.flow).toBeNull();
    expect(inChat?.chat).toEqual(await services.chats.activeChat(a));
    expect(inChat?.chat?.peerTgId).toBe(tgB);
    await services.profiles.setFlow(b, { flow: "edit", step: "bio", data: { x: 1 } });
    expect((await services.sender.byTelegramId(tgB))?.flow).toEqual({
      flow: "edit",
      step: "bio",
      data: { x: 1 },
    });
    await services.chats.endChat(a, "ended");
    const after = await services.sender.byTelegramId(tgA);
    expect(after?.user.id).toBe(a);
    expect(after?.chat).toBeNull();
    expect(await services.sender.byTelegramId(987_654_321)).toBeNull();
  });

  it("ends once for both, even when both press /end at the same moment; the pair then has a cooldown", async () => {
    const { a, b, sessionId } = await startChat(services, { topics: ["burnout", "anxiety"] });
    const results = await Promise.all([
      services.chats.endChat(a, "ended"),
      services.chats.endChat(b, "ended"),
    ]);
    expect(results.filter((r) => r !== null)).toHaveLength(1);
    expect(await services.chats.activeChat(a)).toBeNull();
    expect(await services.chats.activeChat(b)).toBeNull();
    const session = await services.chats.session(sessionId);
    expect(session?.endedAt).not.toBeNull();
    // Both are free to search again, but not to be paired with each other right away.
    await services.matching.requestSearch(a);
    await services.matching.requestSearch(b);
    expect(await services.matching.processSearch(a)).toBeNull();
    await services.matching.cancelSearch(a);
    await services.matching.cancelSearch(b);
  });

  it("many pairs ending from both sides at the same instant all end once, with no deadlock", async () => {
    const topics = [
      ["burnout", "anxiety"],
      ["divorce", "loneliness"],
      ["loss", "pet-loss"],
      ["relocation", "loneliness"],
    ];
    const pairs = [];
    for (let i = 0; i < 12; i++)
      pairs.push(await startChat(services, { topics: topics[i % topics.length] ?? [] }));
    const results = await Promise.all(
      pairs.flatMap(({ a, b }) => [services.chats.endChat(a, "ended"), services.chats.endChat(b, "ended")]),
    );
    expect(results.filter((r) => r !== null)).toHaveLength(pairs.length);
    for (const { sessionId } of pairs)
      expect((await services.chats.session(sessionId))?.endedAt).not.toBeNull();
  });

  it("a rating is taken once per person, only after the end, and feeds the peer's helpfulness", async () => {
    const { a, b, sessionId } = await startChat(services, { topics: ["divorce", "loneliness"] });
    expect(await services.chats.rate(a, sessionId, 5)).toEqual({ ok: false, reason: "not_ended" });
    await services.chats.endChat(a, "ended");
    expect(await services.chats.rate(a, sessionId, 6)).toEqual({ ok: false, reason: "bad_rating" });
    expect(await services.chats.rate(a, sessionId, 5)).toEqual({ ok: true });
    expect(await services.chats.rate(a, sessionId, 1)).toEqual({ ok: false, reason: "already_rated" });
    const stranger = await makePerson(services, { topics: ["loss", "pet-loss"] });
    expect(await services.chats.rate(stranger, sessionId, 3)).toEqual({
      ok: false,
      reason: "not_participant",
    });
    w.clock.advance(8 * 24 * 3600_000);
    expect(await services.chats.rate(b, sessionId, 4)).toEqual({ ok: false, reason: "too_late" });
    const [peer] = await w.db.select().from(users).where(eq(users.id, b));
    expect(peer).toMatchObject({ ratingSum: 5, ratingCount: 1 });
  });

  it("links message ids both ways so edits and replies find the peer's copy", async () => {
    const { a, b } = await startChat(services, { topics: ["relocation", "emigration"] });
    const chatA = await services.chats.activeChat(a);
    const chatB = await services.chats.activeChat(b);
    if (!chatA || !chatB) throw new Error("no chat");
    await services.chats.linkMessages(chatA, 10, 501);
    expect(await services.chats.counterpart(chatA, 10)).toBe(501);
    expect(await services.chats.counterpart(chatB, 501)).toBe(10);
    expect(await services.chats.counterpart(chatB, 10)).toBeNull();
  });
});
