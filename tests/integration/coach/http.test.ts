import { Writable } from "node:stream";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createManualClock } from "../../../src/clock.ts";
import { aiHints } from "../../../src/db/schema.ts";
import { signInternalRequest } from "../../../src/http/auth.ts";
import { aiRoutes, type CoachSession } from "../../../src/http/routes/ai.ts";
import { createServer, routeArea } from "../../../src/http/server.ts";
import { createMemoryInfra } from "../../../src/infra/memory.ts";
import { createLogger } from "../../../src/logger.ts";
import { createMetrics } from "../../../src/metrics.ts";
import { type CoachService, createCoachService } from "../../../src/services/coach/index.ts";
import { createServices, type Services } from "../../../src/services/index.ts";
import { createTestDatabase, type TestDatabase } from "../../helpers/db.ts";
import { startChat } from "../../helpers/fixtures.ts";
import { nextTimestamp } from "../../helpers/signed.ts";

const SECRET = "internal-secret-for-ai-routes-0123";

describe("POST /ai/hint", () => {
  let t: TestDatabase;
  let services: Services;
  let coach: CoachService;
  let app: Awaited<ReturnType<typeof createServer>>;
  const clock = createManualClock(new Date("2026-11-20T10:00:00Z"));
  const infra = createMemoryInfra({ now: () => clock.now().getTime() });
  /** What the adapter would resolve: the person's active chat, from the chat service. */
  const crisisSessions = new Set<number>();

  beforeAll(async () => {
    t = await createTestDatabase();
    services = createServices({ db: t.db, infra, clock });
    coach = createCoachService({
      db: t.db,
      clock,
      kv: infra.kv,
      limits: { hourlyPerUser: 3, dailyTokenBudget: 1000 },
      rollout: { enabled: true, rolloutPercent: 100 },
    });
    const resolveSession = async (userId: number): Promise<CoachSession | null> => {
      const chat = await services.chats.activeChat(userId);
      return chat
        ? {
            sessionId: chat.sessionId,
            topicSlugs: ["burnout"],
            crisisFlagged: crisisSessions.has(chat.sessionId),
          }
        : null;
    };
    app = await createServer({
      logger: createLogger({ level: "silent", destination: new Writable({ write: (_c, _e, cb) => cb() }) }),
      metrics: createMetrics({ collectDefault: false }),
      readiness: [],
      areas: [routeArea(aiRoutes, { coach, secret: SECRET, resolveSession })],
    });
  });
  afterAll(async () => {
    await app.close();
    await infra.close();
    await t.destroy();
  });

  const chat = () => startChat(services);

  function post(url: string, body: unknown, opts: { secret?: string; raw?: string } = {}) {
    const raw = opts.raw ?? JSON.stringify(body);
    const ts = nextTimestamp();
    return app.inject({
      method: "POST",
      url,
      headers: {
        "content-type": "application/json",
        "x-timestamp": String(ts),
        "x-signature": signInternalRequest(opts.secret ?? SECRET, ts, raw, "POST", url),
      },
      payload: raw,
    });
  }

  it("returns hints for the person in their active chat, with the disclosure flag", async () => {
    const { a, b, sessionId } = await chat();
    await coach.recordMessage(sessionId, a, "Я так устала на работе, сил нет.", { recipientUserId: b });
    const res = await post("/ai/hint", { user_id: b, session_id: sessionId });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.kind).toBe("hints");
    expect(body.disclosure).toBe(true);
    expect(body.source).toBe("template");
    expect(body.hints.map((h: { type: string }) => h.type)).toEqual(["empathy", "question", "boundary"]);
    const rows = await t.db.select().from(aiHints).where(eq(aiHints.userId, b));
    expect(rows.map((r) => r.id).sort()).toEqual(body.hints.map((h: { id: number }) => h.id).sort());

    const fb = await post("/ai/hint/feedback", { user_id: b, hint_id: body.hints[0].id, action: "copied" });
    expect(fb.statusCode).toBe(200);
    const forged = await post("/ai/hint/feedback", { user_id: a, hint_id: body.hints[1].id, action: "sent" });
    expect(forged.statusCode).toBe(404);
    const [row] = await t.db.select().from(aiHints).where(eq(aiHints.id, body.hints[1].id));
    expect(row!.sent).toBe(false);
  });

  it("403 for a session that is not the person's, 409 without an active chat", async () => {
    const one = await chat();
    const two = await chat();
    const notTheirs = await post("/ai/hint", { user_id: one.a, session_id: two.sessionId });
    expect(notTheirs.statusCode).toBe(403);
    expect(notTheirs.json().error.code).toBe("not_your_session");
    await services.chats.endChat(one.a, "ended");
    const ended = await post("/ai/hint", { user_id: one.a, session_id: one.sessionId });
    expect(ended.statusCode).toBe(409);
    expect(ended.json().error.code).toBe("no_active_chat");
  });

  it("429 with Retry-After once the hourly cap is reached; 403 when the person switched hints off", async () => {
    const { a, b, sessionId } = await chat();
    for (let i = 0; i < 3; i++)
      expect((await post("/ai/hint", { user_id: b, session_id: sessionId })).statusCode).toBe(200);
    const limited = await post("/ai/hint", { user_id: b, session_id: sessionId });
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe("hourly_cap");
    expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
    await coach.setCoachEnabled(a, false);
    const off = await post("/ai/hint", { user_id: a, session_id: sessionId });
    expect(off.statusCode).toBe(403);
    expect(off.json().error.code).toBe("coach_disabled");
  });

  it("crisis guidance instead of hints when the relay flagged the session", async () => {
    const { b, sessionId } = await chat();
    crisisSessions.add(sessionId);
    const res = await post("/ai/hint", { user_id: b, session_id: sessionId });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ kind: "crisis_guidance", text: expect.stringMatching(/112/) });
    expect(res.json().hint_id).toBeGreaterThan(0);
  });

  it("refuses unsigned, wrongly signed and malformed requests", async () => {
    const { b, sessionId } = await chat();
    const unsigned = await app.inject({
      method: "POST",
      url: "/ai/hint",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({ user_id: b, session_id: sessionId }),
    });
    expect(unsigned.statusCode).toBe(401);
    expect(
      (await post("/ai/hint", { user_id: b, session_id: sessionId }, { secret: "wrong" })).statusCode,
    ).toBe(401);
    expect((await post("/ai/hint", { user_id: b })).statusCode).toBe(400);
    expect((await post("/ai/hint", { user_id: "someone", session_id: sessionId })).statusCode).toBe(400);
    expect((await post("/ai/hint", { user_id: b, session_id: sessionId, extra: 1 })).statusCode).toBe(400);
    expect((await post("/ai/hint", { user_id: b, session_id: 0 })).statusCode).toBe(400);
    expect((await post("/ai/hint", null, { raw: "{not json" })).statusCode).toBe(400);
  });

  it("is documented in OpenAPI under the ai tag with the internal HMAC scheme", async () => {
    const spec = (
      app as unknown as {
        swagger(): { paths: Record<string, Record<string, { tags: string[]; security: unknown }>> };
      }
    ).swagger();
    const op = spec.paths["/ai/hint"]?.post;
    expect(op?.tags).toEqual(["ai"]);
    expect(op?.security).toEqual([{ internalHmac: [] }]);
  });
});
