import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXTEND_ASK_BEFORE_MS } from "../../../src/services/chats.ts";
import type { Services } from "../../../src/services/index.ts";
import { startChat } from "../../helpers/fixtures.ts";
import { createServiceWorld, type ServiceWorld } from "../../helpers/service-world.ts";

const HOUR = 3600_000;

describe("temp-chat: a timer both agree on, «продлить?» before the end, extension only when both agree", () => {
  let w: ServiceWorld;
  let services: Services;

  beforeAll(async () => {
    w = await createServiceWorld();
    services = w.services;
  });
  afterAll(async () => {
    await w.close();
  });

  async function timedChat(hours: number) {
    const c = await startChat(services);
    expect(await services.chats.offerTimer(c.a, hours)).toMatchObject({ ok: true, hours });
    const answer = await services.chats.answerTimer(c.b, c.sessionId, true);
    expect(answer).toMatchObject({ ok: true, accepted: true, hours, offeredBy: c.a });
    return c;
  }

  it("a timer starts only when the peer agrees; the offerer cannot accept their own offer; odd hours are refused", async () => {
    const { a, b, sessionId } = await startChat(services);
    expect(await services.chats.offerTimer(a, 12)).toEqual({ ok: false, reason: "bad_hours" });
    expect(await services.chats.offerTimer(a, 48)).toMatchObject({ ok: true, hours: 48 });
    expect(await services.chats.answerTimer(a, sessionId, true)).toEqual({ ok: false, reason: "stale" });
    expect((await services.chats.session(sessionId))?.expiresAt).toBeNull();
    const answer = await services.chats.answerTimer(b, sessionId, true);
    expect(answer).toMatchObject({ ok: true, accepted: true });
    expect((await services.chats.session(sessionId))?.expiresAt).toEqual(
      new Date(w.clock.now().getTime() + 48 * HOUR),
    );
    // Answered once: the same button again changes nothing; a second timer is refused.
    expect(await services.chats.answerTimer(b, sessionId, true)).toEqual({ ok: false, reason: "stale" });
    expect(await services.chats.offerTimer(b, 24)).toEqual({ ok: false, reason: "already_timed" });
    await services.chats.endChat(a, "ended");
  });

  it("a declined offer changes nothing, and people outside a chat cannot offer", async () => {
    const { a, b, sessionId } = await startChat(services);
    await services.chats.offerTimer(b, 24);
    expect(await services.chats.answerTimer(a, sessionId, false)).toEqual({
      ok: true,
      accepted: false,
      offeredBy: b,
    });
    expect((await services.chats.session(sessionId))?.expiresAt).toBeNull();
    await services.chats.endChat(a, "ended");
    expect(await services.chats.offerTimer(a, 24)).toEqual({ ok: false, reason: "no_chat" });
  });

  it("both are asked once, 2 h before the end; both yes extends by 24 h and asks again before the new end", async () => {
    const { a, b, sessionId } = await timedChat(24);
    const startedExpiry = (await services.chats.session(sessionId))?.expiresAt as Date;
    w.clock.advance(24 * HOUR - EXTEND_ASK_BEFORE_MS - 60_000);
    expect((await services.chats.claimExtensionAsks()).map((x) => x.sessionId)).not.toContain(sessionId);
    // A vote before the question is asked changes nothing.
    expect(await services.chats.voteExtension(a, sessionId, true)).toEqual({ kind: "stale" });
    w.clock.advance(120_000);
    const asks = await services.chats.claimExtensionAsks();
    const ask = asks.find((x) => x.sessionId === sessionId);
    expect(ask?.participants.map((p) => p.userId).sort()).toEqual([a, b].sort());
    expect((await services.chats.claimExtensionAsks()).map((x) => x.sessionId)).not.toContain(sessionId);

    expect(await services.chats.voteExtension(a, sessionId, true)).toEqual({ kind: "waiting" });
    expect(await services.chats.voteExtension(a, sessionId, true)).toEqual({ kind: "stale" });
    const done = await services.chats.voteExtension(b, sessionId, true);
    expect(done).toMatchObject({
      kind: "extended",
      expiresAt: new Date(startedExpiry.getTime() + 24 * HOUR),
    });
    const session = await services.chats.session(sessionId);
    expect(session).toMatchObject({
      extendedCount: 1,
      extendAskedAt: null,
      extendVoteA: null,
      extendVoteB: null,
    });

    // The old end passes: nothing ends; the new one is asked about again.
    w.clock.advance(2 * HOUR);
    expect((await services.chats.expireTimedChats()).map((e) => e.sessionId)).not.toContain(sessionId);
    w.clock.advance(24 * HOUR - 2 * HOUR);
    expect((await services.chats.claimExtensionAsks()).map((x) => x.sessionId)).toContain(sessionId);
    await services.chats.endChat(a, "ended");
  });

  it("one «нет» settles it: the chat ends at its time like /end, for both, with the reason expired", async () => {
    const { a, b, sessionId } = await timedChat(72);
    w.clock.advance(71 * HOUR);
    expect((await services.chats.claimExtensionAsks()).map((x) => x.sessionId)).toContain(sessionId);
    expect(await services.chats.voteExtension(b, sessionId, false)).toEqual({ kind: "declined", peerId: a });
    expect(await services.chats.voteExtension(a, sessionId, true)).toEqual({ kind: "peer_declined" });
    expect((await services.chats.expireTimedChats()).map((e) => e.sessionId)).not.toContain(sessionId);
    w.clock.advance(HOUR);
    const ended = (await services.chats.expireTimedChats()).find((e) => e.sessionId === sessionId);
    expect(ended).toMatchObject({ reason: "expired", endedBy: null });
    expect(ended?.participants.map((p) => p.userId).sort()).toEqual([a, b].sort());
    expect(await services.chats.activeChat(a)).toBeNull();
    expect(await services.chats.activeChat(b)).toBeNull();
    expect(await services.chats.session(sessionId)).toMatchObject({ endReason: "expired", extendedCount: 0 });
    // Ended once: the job finds nothing more, and the pair has the "met" cooldown like after /end.
    expect((await services.chats.expireTimedChats()).map((e) => e.sessionId)).not.toContain(sessionId);
    await services.matching.requestSearch(a);
    await services.matching.requestSearch(b);
    expect(await services.matching.processSearch(a)).toBeNull();
    await services.matching.cancelSearch(a);
    await services.matching.cancelSearch(b);
  });

  it("an unanswered question ends the chat at its time too", async () => {
    const { sessionId } = await timedChat(24);
    w.clock.advance(23 * HOUR);
    await services.chats.claimExtensionAsks();
    w.clock.advance(HOUR);
    expect((await services.chats.expireTimedChats()).map((e) => e.sessionId)).toContain(sessionId);
  });
});
