import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { TIP_WINDOW_MS } from "../../../src/services/tips/index.ts";
import { createTestDatabase, type TestDatabase } from "../../helpers/db.ts";
import {
  addSession,
  addUser,
  createHarness,
  HOUR,
  NOW,
  type SessionSpec,
  type UserStatus,
} from "./fixtures.ts";

let t: TestDatabase;
let h: ReturnType<typeof createHarness>;

beforeAll(async () => {
  t = await createTestDatabase();
  h = createHarness(t.db);
});
afterAll(async () => {
  await h.infra.close();
  await t.destroy();
});
beforeEach(() => h.clock.set(NOW));

describe("a person may thank the other participant of a recent chat", () => {
  type Case = {
    name: string;
    session: Omit<SessionSpec, "a" | "b" | "endedBy"> & { endedBy?: "a" | "b" };
    peerStatus?: UserStatus;
    expected: "ok" | "expired" | "peer_gone";
  };
  const cases: Case[] = [
    { name: "active chat", session: {}, expected: "ok" },
    { name: "ended 1 minute ago", session: { endedAgo: 60_000 }, expected: "ok" },
    { name: "ended 23 h ago", session: { startedAgo: 24 * HOUR, endedAgo: 23 * HOUR }, expected: "ok" },
    {
      name: "ended exactly 24 h ago",
      session: { startedAgo: 25 * HOUR, endedAgo: TIP_WINDOW_MS },
      expected: "ok",
    },
    {
      name: "ended 24 h and 1 ms ago",
      session: { startedAgo: 25 * HOUR, endedAgo: TIP_WINDOW_MS + 1 },
      expected: "expired",
    },
    { name: "ended 25 h ago", session: { startedAgo: 26 * HOUR, endedAgo: 25 * HOUR }, expected: "expired" },
    {
      name: "ended a month ago",
      session: { startedAgo: 800 * HOUR, endedAgo: 720 * HOUR },
      expected: "expired",
    },
    { name: "temp-chat still running", session: { expiresIn: HOUR }, expected: "ok" },
    {
      name: "temp-chat deadline passed 23 h ago, not yet closed by the worker",
      session: { startedAgo: 24 * HOUR, expiresIn: -23 * HOUR },
      expected: "ok",
    },
    {
      name: "temp-chat deadline passed 25 h ago, not yet closed by the worker",
      session: { startedAgo: 26 * HOUR, expiresIn: -25 * HOUR },
      expected: "expired",
    },
    {
      name: "peer deleted their data",
      session: { endedAgo: HOUR },
      peerStatus: "deleted",
      expected: "peer_gone",
    },
    { name: "peer banned", session: { endedAgo: HOUR }, peerStatus: "banned", expected: "peer_gone" },
    {
      name: "peer suspended is still thanked",
      session: { endedAgo: HOUR },
      peerStatus: "suspended",
      expected: "ok",
    },
    {
      name: "peer blocked the payer",
      session: { endedAgo: HOUR, endedBy: "b", endReason: "blocked" },
      expected: "peer_gone",
    },
    {
      name: "peer reported the payer",
      session: { endedAgo: HOUR, endedBy: "b", endReason: "reported" },
      expected: "peer_gone",
    },
    {
      name: "payer ended the chat normally",
      session: { endedAgo: HOUR, endedBy: "a", endReason: "ended" },
      expected: "ok",
    },
  ];

  it.each(cases)("$name → $expected", async ({ session, peerStatus, expected }) => {
    const a = await addUser(t.db);
    const b = await addUser(t.db, peerStatus);
    const endedBy = session.endedBy === "b" ? b : a;
    const sessionId = await addSession(t.db, NOW, { ...session, a, b, endedBy });
    const verdict = await h.service.eligibility(a, sessionId);
    if (expected === "ok") {
      expect(verdict).toMatchObject({ ok: true, session: { id: sessionId, peerUserId: b } });
    } else {
      expect(verdict).toEqual({ ok: false, reason: expected });
    }
  });

  it("works from both sides of the match", async () => {
    const a = await addUser(t.db);
    const b = await addUser(t.db);
    const sessionId = await addSession(t.db, NOW, { a, b });
    expect(await h.service.eligibility(a, sessionId)).toMatchObject({ ok: true, session: { peerUserId: b } });
    expect(await h.service.eligibility(b, sessionId)).toMatchObject({ ok: true, session: { peerUserId: a } });
  });

  it("the window follows the clock: ok 23 h after the end, refused 25 h after", async () => {
    const a = await addUser(t.db);
    const b = await addUser(t.db);
    const sessionId = await addSession(t.db, NOW, { a, b, endedAgo: 0 });
    h.clock.advance(23 * HOUR);
    const ok = await h.service.eligibility(a, sessionId);
    expect(ok).toEqual({
      ok: true,
      session: { id: sessionId, peerUserId: b, tipUntil: new Date(NOW.getTime() + TIP_WINDOW_MS) },
    });
    h.clock.advance(2 * HOUR);
    expect(await h.service.eligibility(a, sessionId)).toEqual({ ok: false, reason: "expired" });
  });

  it("an active chat has no deadline yet", async () => {
    const a = await addUser(t.db);
    const b = await addUser(t.db);
    const sessionId = await addSession(t.db, NOW, { a, b });
    expect(await h.service.eligibility(a, sessionId)).toEqual({
      ok: true,
      session: { id: sessionId, peerUserId: b, tipUntil: null },
    });
  });

  it("someone outside the chat is refused, and a missing session is reported as such", async () => {
    const a = await addUser(t.db);
    const b = await addUser(t.db);
    const stranger = await addUser(t.db);
    const sessionId = await addSession(t.db, NOW, { a, b });
    expect(await h.service.eligibility(stranger, sessionId)).toEqual({
      ok: false,
      reason: "not_participant",
    });
    expect(await h.service.eligibility(a, sessionId + 1_000_000)).toEqual({
      ok: false,
      reason: "no_session",
    });
  });
});

describe("without a session id, the most recent eligible chat is chosen", () => {
  it("picks the newest chat still in its window over older ones", async () => {
    const a = await addUser(t.db);
    const [b, c, d] = [await addUser(t.db), await addUser(t.db), await addUser(t.db)];
    await addSession(t.db, NOW, { a, b, startedAgo: 50 * HOUR, endedAgo: 49 * HOUR });
    const recent = await addSession(t.db, NOW, { a: c, b: a, startedAgo: 5 * HOUR, endedAgo: 4 * HOUR });
    await addSession(t.db, NOW, { a, b: d, startedAgo: 30 * HOUR, endedAgo: 29 * HOUR });
    expect(await h.service.eligibility(a)).toMatchObject({
      ok: true,
      session: { id: recent, peerUserId: c },
    });
  });

  it("skips a newer chat whose peer is gone", async () => {
    const a = await addUser(t.db);
    const gone = await addUser(t.db, "deleted");
    const b = await addUser(t.db);
    const older = await addSession(t.db, NOW, { a, b, startedAgo: 10 * HOUR, endedAgo: 9 * HOUR });
    await addSession(t.db, NOW, { a, b: gone, startedAgo: 2 * HOUR, endedAgo: HOUR });
    expect(await h.service.eligibility(a)).toMatchObject({ ok: true, session: { id: older, peerUserId: b } });
  });

  it("explains why when every chat is out of reach", async () => {
    const a = await addUser(t.db);
    const b = await addUser(t.db);
    await addSession(t.db, NOW, { a, b, startedAgo: 40 * HOUR, endedAgo: 30 * HOUR });
    expect(await h.service.eligibility(a)).toEqual({ ok: false, reason: "expired" });
  });

  it("someone who never chatted has no session", async () => {
    const lonely = await addUser(t.db);
    expect(await h.service.eligibility(lonely)).toEqual({ ok: false, reason: "no_session" });
  });
});
