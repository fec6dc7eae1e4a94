import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createManualClock } from "../../../src/clock.ts";
import { signInternalRequest } from "../../../src/http/auth.ts";
import { matchRoutes } from "../../../src/http/routes/match.ts";
import { createServer, routeArea } from "../../../src/http/server.ts";
import { createMemoryInfra } from "../../../src/infra/memory.ts";
import { createLogger } from "../../../src/logger.ts";
import { createMetrics } from "../../../src/metrics.ts";
import { createServices, type Services } from "../../../src/services/index.ts";
import type { DecisionOutcome } from "../../../src/services/matching/index.ts";
import { createTestDatabase, type TestDatabase } from "../../helpers/db.ts";
import { makePerson } from "../../helpers/fixtures.ts";
import { nextTimestamp } from "../../helpers/signed.ts";

const SECRET = "internal-secret-for-tests-0123456789";

describe("REST /match/find and /match/confirm (HMAC-signed internal calls)", () => {
  let t: TestDatabase;
  let services: Services;
  let app: Awaited<ReturnType<typeof createServer>>;
  const decisions: DecisionOutcome[] = [];
  const clock = createManualClock(new Date());
  const infra = createMemoryInfra();

  beforeAll(async () => {
    t = await createTestDatabase();
    services = createServices({ db: t.db, infra, clock });
    app = await createServer({
      logger: createLogger({ level: "silent" }),
      metrics: createMetrics({ collectDefault: false }),
      readiness: [],
      areas: [
        routeArea(matchRoutes, {
          matching: services.matching,
          secret: SECRET,
          onDecision: async (o: DecisionOutcome) => void decisions.push(o),
        }),
      ],
    });
  });
  afterAll(async () => {
    await app.close();
    await infra.close();
    await t.destroy();
  });

  function call(url: string, body: unknown, opts: { secret?: string; ts?: number; signedFor?: string } = {}) {
    const raw = JSON.stringify(body);
    const ts = opts.ts ?? nextTimestamp();
    return app.inject({
      method: "POST",
      url,
      headers: {
        "content-type": "application/json",
        "x-timestamp": String(ts),
        "x-signature": signInternalRequest(opts.secret ?? SECRET, ts, raw, "POST", opts.signedFor ?? url),
      },
      payload: raw,
    });
  }

  it("a body signed for one route is refused on another; a bad signature is refused before the body is read", async () => {
    const moved = await call("/match/confirm", { user_id: 1 }, { signedFor: "/match/find" });
    expect(moved.statusCode).toBe(401);
    // An invalid body with a bad signature: 401, not a 400 that would describe the schema.
    const probe = await call("/match/find", { nonsense: true }, { secret: "another-secret-0123456789" });
    expect(probe.statusCode).toBe(401);
    expect(probe.json()).toMatchObject({ error: { code: "unauthorized" } });
  });

  it("refuses unsigned, wrongly signed and replayed calls with 401", async () => {
    const unsigned = await app.inject({ method: "POST", url: "/match/find", payload: { user_id: 1 } });
    expect(unsigned.statusCode).toBe(401);
    expect(
      (await call("/match/find", { user_id: 1 }, { secret: "another-secret-0123456789" })).statusCode,
    ).toBe(401);
    const old = await call("/match/find", { user_id: 1 }, { ts: Date.now() - 10 * 60_000 });
    expect(old.statusCode).toBe(401);
    expect(old.json().error.code).toBe("unauthorized");
    // A valid signed request sent again, byte for byte, inside the window: refused the second time.
    const ts = Date.now();
    const first = await call("/match/find", { user_id: 999_999 }, { ts });
    expect(first.statusCode).not.toBe(401);
    const again = await call("/match/find", { user_id: 999_999 }, { ts });
    expect(again.statusCode).toBe(401);
    expect(again.json().error.message).toBe("Replayed request");
  });

  it("queues a search once, and explains refusals", async () => {
    const a = await makePerson(services, { topics: ["burnout", "relocation"] });
    const b = await makePerson(services, { topics: ["burnout", "relocation"] });
    const first = await call("/match/find", { user_id: a });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ queued: true, already_searching: false });
    expect((await call("/match/find", { user_id: a })).json()).toEqual({
      queued: true,
      already_searching: true,
    });
    expect((await call("/match/find", { user_id: 999_999 })).statusCode).toBe(404);
    const bad = await call("/match/find", { user_id: "x" });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe("bad_request");

    await call("/match/find", { user_id: b });
    const proposal = await services.matching.processSearch(b);
    expect(proposal).not.toBeNull();
    const confirmA = await call("/match/confirm", {
      user_id: a,
      match_id: proposal!.matchId,
      action: "accept",
    });
    expect(confirmA.json()).toEqual({ status: "proposed" });
    const confirmB = await call("/match/confirm", {
      user_id: b,
      match_id: proposal!.matchId,
      action: "accept",
    });
    expect(confirmB.json()).toEqual({ status: "active" });
    expect(decisions.map((d) => d.kind)).toEqual(["waiting", "started"]);
    const stale = await call("/match/confirm", {
      user_id: b,
      match_id: proposal!.matchId,
      action: "decline",
    });
    expect(stale.statusCode).toBe(409);
    expect((await call("/match/find", { user_id: a })).json().error.code).toBe("in_chat");
  });

  it("publishes both routes in OpenAPI", async () => {
    const spec = (await app.inject({ method: "GET", url: "/docs/json" })).json();
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(["/match/find", "/match/confirm"]));
  });
});
