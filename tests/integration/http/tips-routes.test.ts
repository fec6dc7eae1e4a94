import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createManualClock } from "../../../src/clock.ts";
import { signInternalRequest } from "../../../src/http/auth.ts";
import { tipRoutes } from "../../../src/http/routes/tips.ts";
import { createServer } from "../../../src/http/server.ts";
import { createMemoryInfra } from "../../../src/infra/memory.ts";
import { createLogger } from "../../../src/logger.ts";
import { createMetrics } from "../../../src/metrics.ts";
import { createServices, type Services } from "../../../src/services/index.ts";
import { createTestDatabase, type TestDatabase } from "../../helpers/db.ts";
import { makePerson } from "../../helpers/fixtures.ts";
import { nextTimestamp } from "../../helpers/signed.ts";

const SECRET = "internal-secret-for-tests-0123456789";
const ADMIN = "admin-token-for-tests-0123456789";

describe("REST /tips/create and the admin tip routes", () => {
  let t: TestDatabase;
  let services: Services;
  let app: Awaited<ReturnType<typeof createServer>>;
  const links: Array<{ payload: string; amount: number }> = [];
  const infra = createMemoryInfra();
  const clock = createManualClock(new Date());

  beforeAll(async () => {
    t = await createTestDatabase();
    services = createServices({ db: t.db, infra, clock });
    app = await createServer({
      logger: createLogger({ level: "silent" }),
      metrics: createMetrics({ collectDefault: false }),
      readiness: [],
      areas: [
        {
          plugin: tipRoutes as never,
          opts: {
            tips: services.tips,
            profiles: services.profiles,
            internalSecret: SECRET,
            adminToken: ADMIN,
            createInvoiceLink: async (input: { payload: string; amount: number }) => {
              links.push(input);
              return `https://t.me/$invoice-${links.length}`;
            },
            refundStarPayment: async () => {},
            onRefund: async () => {},
          },
        },
      ],
    });
  });
  afterAll(async () => {
    await app.close();
    await infra.close();
    await t.destroy();
  });

  function signed(body: unknown) {
    const raw = JSON.stringify(body);
    const ts = nextTimestamp();
    return app.inject({
      method: "POST",
      url: "/tips/create",
      headers: {
        "content-type": "application/json",
        "x-timestamp": String(ts),
        "x-signature": signInternalRequest(SECRET, ts, raw, "POST", "/tips/create"),
      },
      payload: raw,
    });
  }

  it("creates a tip with its split and an invoice link for a participant of an active chat; refuses the rest", async () => {
    const a = await makePerson(services, { topics: ["burnout", "anxiety"] });
    const b = await makePerson(services, { topics: ["burnout", "anxiety"] });
    await services.matching.requestSearch(a);
    await services.matching.requestSearch(b);
    const p = await services.matching.processSearch(b);
    await services.matching.decide(a, p!.matchId, "accept");
    const started = await services.matching.decide(b, p!.matchId, "accept");
    if (started.kind !== "started") throw new Error("no chat");

    const ok = await signed({ user_id: a, session_id: started.sessionId, amount: 25 });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({
      amount: 25,
      our_commission: 2,
      recipient_share: 23,
      invoice_link: "https://t.me/$invoice-1",
    });
    expect(links[0]?.amount).toBe(25);

    const stranger = await makePerson(services, { topics: ["loss", "pet-loss"] });
    const refused = await signed({ user_id: stranger, session_id: started.sessionId, amount: 5 });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe("not_participant");
    expect((await signed({ user_id: a, session_id: started.sessionId, amount: 2501 })).statusCode).toBe(400);
    expect((await signed({ user_id: a, session_id: started.sessionId, amount: "5" })).statusCode).toBe(400);
    const unsigned = await app.inject({
      method: "POST",
      url: "/tips/create",
      payload: { user_id: a, session_id: 1, amount: 5 },
    });
    expect(unsigned.statusCode).toBe(401);
  });

  it("admin routes need the token; refunding an unpaid tip is a conflict and an unknown one is 404", async () => {
    expect((await app.inject({ method: "GET", url: "/admin/tips/report" })).statusCode).toBe(401);
    const auth = { authorization: `Bearer ${ADMIN}` };
    expect((await app.inject({ method: "GET", url: "/admin/tips/report", headers: auth })).json()).toEqual({
      rows: [],
    });
    expect(
      (await app.inject({ method: "POST", url: "/admin/tips/1/refund", headers: auth })).statusCode,
    ).toBe(409);
    expect(
      (await app.inject({ method: "POST", url: "/admin/tips/999/refund", headers: auth })).statusCode,
    ).toBe(404);
    expect(
      (await app.inject({ method: "POST", url: "/admin/tips/abc/refund", headers: auth })).statusCode,
    ).toBe(400);
  });
});
