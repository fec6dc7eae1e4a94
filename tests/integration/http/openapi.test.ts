import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createManualClock } from "../../../src/clock.ts";
import { adminRoutes } from "../../../src/http/routes/admin/index.ts";
import { aiRoutes } from "../../../src/http/routes/ai.ts";
import { matchRoutes } from "../../../src/http/routes/match.ts";
import { tipRoutes } from "../../../src/http/routes/tips.ts";
import { createServer, routeArea } from "../../../src/http/server.ts";
import { createMemoryInfra } from "../../../src/infra/memory.ts";
import { createLogger } from "../../../src/logger.ts";
import { createMetrics } from "../../../src/metrics.ts";
import { createServices, type Services } from "../../../src/services/index.ts";
import { createTestDatabase, type TestDatabase } from "../../helpers/db.ts";

/** Every operation the API serves with every area on (webhook mode, the coach on, a bot in the process). */
const OPERATIONS = [
  ["post", "/telegram/webhook"],
  ["get", "/health"],
  ["get", "/ready"],
  ["get", "/metrics"],
  ["get", "/admin/reports"],
  ["post", "/admin/reports/{id}/actions"],
  ["get", "/admin/users"],
  ["get", "/admin/users/{id}"],
  ["post", "/admin/users/{id}/actions"],
  ["get", "/admin/appeals"],
  ["post", "/admin/appeals/{id}/decision"],
  ["get", "/admin/sos"],
  ["post", "/admin/sos"],
  ["patch", "/admin/sos/{id}"],
  ["delete", "/admin/sos/{id}"],
  ["post", "/admin/sos/{id}/verify"],
  ["get", "/admin/digest"],
  ["post", "/ai/hint"],
  ["post", "/ai/hint/feedback"],
  ["post", "/match/find"],
  ["post", "/match/confirm"],
  ["post", "/tips/create"],
  ["post", "/admin/tips/{id}/refund"],
  ["get", "/admin/tips/report"],
] as const;

describe("OpenAPI at /docs/json", () => {
  let t: TestDatabase;
  let services: Services;
  let app: Awaited<ReturnType<typeof createServer>>;
  const infra = createMemoryInfra();

  beforeAll(async () => {
    t = await createTestDatabase();
    services = createServices({ db: t.db, infra, clock: createManualClock(new Date()) });
    const secret = "internal-secret-for-tests-0123456789";
    app = await createServer({
      logger: createLogger({ level: "silent" }),
      metrics: createMetrics({ collectDefault: false }),
      readiness: [],
      webhook: { secret: "webhook-secret-0123456789", handle: async () => {} },
      areas: [
        routeArea(adminRoutes, {
          token: "admin-token-0123456789",
          moderation: services.moderation,
          sos: services.sos,
          digest: services.digest,
        }),
        routeArea(aiRoutes, { coach: services.coach, secret, resolveSession: async () => null }),
        routeArea(matchRoutes, { matching: services.matching, secret, onDecision: async () => {} }),
        routeArea(tipRoutes, {
          tips: services.tips,
          profiles: services.profiles,
          internalSecret: secret,
          adminToken: "admin-token-0123456789",
          createInvoiceLink: async () => "https://t.me/$invoice",
          refundStarPayment: async () => {},
          onRefund: async () => {},
        }),
      ],
    });
  });
  afterAll(async () => {
    await app.close();
    await infra.close();
    await t.destroy();
  });

  it("documents every route, the coach's included, each with a summary, tags and its auth", async () => {
    const doc = (await app.inject({ method: "GET", url: "/docs/json" })).json();
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, ops]) => Object.keys(ops).map((method) => `${method} ${path}`),
    );
    expect(documented.sort()).toEqual(OPERATIONS.map(([m, p]) => `${m} ${p}`).sort());
    for (const [method, path] of OPERATIONS) {
      const op = doc.paths[path][method];
      expect(op.summary, `${method} ${path}`).toEqual(expect.any(String));
      expect(op.tags.length, `${method} ${path}`).toBeGreaterThan(0);
      const auth = path.startsWith("/admin/")
        ? [{ adminToken: [] }]
        : /^\/(ai|match|tips)\//.test(path)
          ? [{ internalHmac: [] }]
          : undefined;
      expect(op.security, `${method} ${path}`).toEqual(auth);
    }
  });

  it("publishes the error contract once and refers to it from every error response", async () => {
    const doc = (await app.inject({ method: "GET", url: "/docs/json" })).json();
    expect(doc.components.schemas.ErrorBody).toMatchObject({
      type: "object",
      required: ["error"],
      properties: { error: { required: ["code", "message"] } },
    });
    const hint = doc.paths["/ai/hint"].post;
    for (const status of ["400", "401", "403", "409", "429"]) {
      expect(hint.responses[status].content["application/json"].schema).toEqual({
        $ref: "#/components/schemas/ErrorBody",
      });
    }
    // Enums come from the domain's lists, path ids are documented as the strings they are.
    const act = doc.paths["/admin/users/{id}/actions"].post;
    expect(act.requestBody.content["application/json"].schema.properties.action.enum).toEqual([
      "dismiss",
      "warn",
      "suspend",
      "ban",
      "unban",
      "unsuspend",
    ]);
    expect(act.parameters).toEqual([
      expect.objectContaining({
        in: "path",
        name: "id",
        required: true,
        schema: expect.objectContaining({ type: "string" }),
      }),
    ]);
  });
});
