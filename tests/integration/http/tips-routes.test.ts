import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createManualClock } from "../../../src/clock.ts";
import { signInternalRequest } from "../../../src/http/auth.ts";
import { tipRoutes } from "../../../src/http/routes/tips.ts";
import { createServer, routeArea } from "../../../src/http/server.ts";
import { createMemoryInfra } from "../../../src/infra/memory.ts";
import { createLogger } from "../../../src/logger.ts";
import { createMetrics } from "../../../src/metrics.ts";
import { createServices, type Services } from "../../../src/services/index.ts";
import { createTestDatabase, type TestDatabase } from "../../helpers/db.ts";
import { makePerson, startChat } from "../../helpers/fixtures.ts";
import { nextTimestamp } from "../../helpers/signed.ts";

const SECRET = "internal-secret-for-tests-0123456789";
const ADMIN = "admin-token-for-tests-0123456789";

describe("REST /tips/create and the admin tip routes", () => {
  let t: TestDatabase;
  let services: Services;
  let app: Awaited<ReturnType<typeof createServer>>;
  const links: Array<{ payload: string; amount: number }> = [];
  /** What the fake Telegram does when the route calls refundStarPayment (the test sets it). */
  let telegramRefunds = async (_payerTgId: number, _chargeId: string) => {};
  const refundNotices: number[] = [];
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
        routeArea(tipRoutes, {
          tips: services.tips,
          profiles: services.profiles,
          internalSecret: SECRET,
          adminToken: ADMIN,
          createInvoiceLink: async (input: { payload: string; amount: number }) => {
            links.push(input);
            return `https://t.me/$invoice-${links.length}`;
          },
          refundStarPayment: (payerTgId, chargeId) => telegramRefunds(payerTgId, chargeId),
          onRefund: async (res) => void refundNotices.push(res.tip.id),
        }),
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

  it("a refund answers already_refunded: false whether the refunded_payment update it caused is recorded before, during or after the route's own record", async () => {
    const auth = { authorization: `Bearer ${ADMIN}` };
    const updates: Array<Promise<unknown>> = [];
    /** The bot's refunded_payment handler: it records the refund and tells both people when it was first. */
    const botNotices: number[] = [];
    const deliverUpdate = async (chargeId: string) => {
      const res = await services.tips.recordRefundUpdate(chargeId);
      if (res.ok && !res.alreadyRefunded) botNotices.push(res.tip.id);
    };
    for (let i = 0; i < 12; i++) {
      const { a, sessionId } = await startChat(services);
      const created = await services.tips.createTip(a, sessionId, 5);
      if (!created.ok) throw new Error(created.reason);
      const input = { payload: created.payload, currency: "XTR", totalAmount: 5, fromUserId: a };
      const chargeId = `charge-race-${i}`;
      expect(
        await services.tips.recordPayment({ ...input, telegramPaymentChargeId: chargeId }),
      ).toMatchObject({
        ok: true,
      });
      const timing = i % 3;
      telegramRefunds = async (_tg, charge) => {
        expect(charge).toBe(chargeId);
        // The sandbox sends refunded_payment as soon as it refunds: before this call returns, alongside
        // the route's own record, or (a slow update) not until the route is done.
        if (timing === 0) await deliverUpdate(charge);
        else if (timing === 1) updates.push(deliverUpdate(charge));
      };
      const url = `/admin/tips/${created.tipId}/refund`;
      const res = await app.inject({ method: "POST", url, headers: auth });
      expect(res.statusCode, `timing ${timing}`).toBe(200);
      expect(res.json(), `timing ${timing}`).toEqual({ status: "refunded", already_refunded: false });
      await Promise.all(updates);
      if (timing === 2) await deliverUpdate(chargeId);
      // Both people are told once: by the bot or by the route, never both, never neither.
      const told = [...botNotices, ...refundNotices].filter((id) => id === created.tipId);
      expect(told, `timing ${timing}`).toHaveLength(1);

      telegramRefunds = async () => {
        throw new Error("refunded twice");
      };
      const again = await app.inject({ method: "POST", url, headers: auth });
      expect(again.json()).toEqual({ status: "refunded", already_refunded: true });
    }
  });

  it("the ledger report is JSON by default and CSV on request; bad dates are refused", async () => {
    const auth = { authorization: `Bearer ${ADMIN}` };
    const json = await app.inject({ method: "GET", url: "/admin/tips/report", headers: auth });
    expect(json.headers["content-type"]).toMatch(/application\/json/);
    expect(json.json().rows).toEqual(
      expect.arrayContaining([expect.objectContaining({ paidCount: expect.any(Number), net: 0 })]),
    );
    const csv = await app.inject({ method: "GET", url: "/admin/tips/report?format=csv", headers: auth });
    expect(csv.headers["content-type"]).toMatch(/text\/csv/);
    expect(csv.body.split(/\r?\n/)[0]).toBe(
      "recipient_user_id,paid_count,received,refunded_count,refunded,net",
    );
    const bad = await app.inject({ method: "GET", url: "/admin/tips/report?from=yesterday", headers: auth });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe("bad_request");
  });
});
