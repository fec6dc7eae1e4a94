import { Writable } from "node:stream";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { users } from "../../../src/db/schema.ts";
import { adminRoutes } from "../../../src/http/routes/admin/index.ts";
import { createServer, routeArea } from "../../../src/http/server.ts";
import { createLogger } from "../../../src/logger.ts";
import { createMetrics } from "../../../src/metrics.ts";
import { createSosService, type SosService } from "../../../src/services/sos.ts";
import { makePerson, startChat } from "../../helpers/fixtures.ts";
import { createServiceWorld, DAY, MINUTE, type ServiceWorld } from "../../helpers/service-world.ts";

const TOKEN = "admin-token-for-tests-0123456789abcdef";
const auth = { authorization: `Bearer ${TOKEN}` };

describe("admin API", () => {
  let w: ServiceWorld;
  let sos: SosService;
  let app: Awaited<ReturnType<typeof createServer>>;

  beforeAll(async () => {
    w = await createServiceWorld();
    sos = createSosService({ db: w.db, clock: w.clock });
    await sos.seedFromFile();
    const logger = createLogger({
      level: "silent",
      destination: new Writable({ write: (_c, _e, cb) => cb() }),
    });
    app = await createServer({
      logger,
      metrics: createMetrics({ collectDefault: false }),
      readiness: [],
      areas: [
        routeArea(adminRoutes, {
          token: TOKEN,
          moderation: w.moderation,
          sos,
          digest: w.services.digest,
          now: () => w.clock.now(),
        }),
      ],
    });
  });
  afterAll(async () => {
    await app.close();
    await w.close();
  });

  const call = (method: "GET" | "POST" | "PATCH" | "DELETE", url: string, body?: unknown, headers = auth) =>
    app.inject({
      method,
      url,
      headers: body === undefined ? headers : { ...headers, "content-type": "application/json" },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });

  /** A person reported by a fresh reporter after a chat: returns both ids and the report id. */
  async function reported(topics: string[]) {
    const [target, reporter] = (await w.people(2, topics)) as [number, number];
    w.clock.advance(2 * MINUTE);
    await startChat(w.services, { between: [reporter, target] });
    const res = await w.moderation.report({ reporterId: reporter, reason: "abuse", comment: "грубил" });
    if (!res.ok) throw new Error("report refused");
    return { target, reporter, reportId: res.reportId };
  }

  const routes: Array<["GET" | "POST" | "PATCH" | "DELETE", string, unknown?]> = [
    ["GET", "/admin/reports"],
    ["POST", "/admin/reports/1/actions", { action: "warn" }],
    ["GET", "/admin/users"],
    ["GET", "/admin/users/1"],
    ["POST", "/admin/users/1/actions", { action: "warn" }],
    ["GET", "/admin/appeals"],
    ["POST", "/admin/appeals/1/decision", { grant: true }],
    ["GET", "/admin/sos?stale=true"],
    ["POST", "/admin/sos", { country: "GE", name: "x", phone: "123", source: "y" }],
    ["PATCH", "/admin/sos/1", { name: "x" }],
    ["DELETE", "/admin/sos/1"],
    ["POST", "/admin/sos/1/verify", { source: "y" }],
    ["GET", "/admin/digest"],
  ];

  it("every route refuses a missing or wrong token with 401 and changes nothing", async () => {
    const before = await sos.list();
    for (const [method, url, body] of routes) {
      for (const headers of [
        {},
        { authorization: "Bearer wrong-token" },
        { authorization: TOKEN },
        { authorization: `Basic ${Buffer.from(`admin:${TOKEN}`).toString("base64")}` },
        { authorization: `Bearer ${TOKEN}x` },
      ]) {
        const res = await call(method, url, body, headers as typeof auth);
        expect(res.statusCode, `${method} ${url} ${JSON.stringify(headers)}`).toBe(401);
        expect(res.json()).toEqual({ error: { code: "unauthorized", message: "Admin token required" } });
      }
    }
    expect(await sos.list()).toEqual(before);
  });

  it("lists reports with paging and a status filter; refuses bad query values", async () => {
    const { reportId, target } = await reported(["burnout", "job-loss"]);
    const res = await call("GET", "/admin/reports?status=open&limit=10");
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.items.find((r: { id: number }) => r.id === reportId)).toMatchObject({
      id: reportId,
      to_user: target,
      reason: "abuse",
      status: "new",
      comment: "грубил",
      evidence_count: 0,
      closed_at: null,
    });
    expect(body.total).toBeGreaterThanOrEqual(1);
    for (const bad of ["status=whatever", "limit=0", "limit=101", "limit=abc", "offset=-1", "unknown=1"]) {
      const r = await call("GET", `/admin/reports?${bad}`);
      expect(r.statusCode, bad).toBe(400);
      expect(r.json().error.code).toBe("bad_request");
    }
  });

  it("acts on a report's target; refuses unknown reports, bad bodies and repeated closing", async () => {
    const { reportId, target } = await reported(["relocation", "emigration"]);
    const res = await call("POST", `/admin/reports/${reportId}/actions`, {
      action: "suspend",
      days: 3,
      reason: "угрозы",
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      action: "suspend",
      target_user_id: target,
      report_id: reportId,
      report_status: "resolved",
      until: new Date(w.clock.now().getTime() + 3 * 24 * 3600_000).toISOString(),
    });
    const [row] = await w.db.select().from(users).where(eq(users.id, target));
    expect(row?.status).toBe("suspended");
    // Nothing in the answer identifies anyone on Telegram.
    expect(res.payload).not.toContain(String(row!.tgId));

    const again = await call("POST", `/admin/reports/${reportId}/actions`, { action: "dismiss" });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe("report_closed");
    expect((await call("POST", "/admin/reports/99999999/actions", { action: "warn" })).statusCode).toBe(404);
    for (const [url, body] of [
      [`/admin/reports/${reportId}/actions`, { action: "nuke" }],
      [`/admin/reports/${reportId}/actions`, { action: "suspend", days: 0 }],
      [`/admin/reports/${reportId}/actions`, { action: "suspend", days: 7.5 }],
      [`/admin/reports/${reportId}/actions`, { action: "suspend", days: "a week" }],
      [`/admin/reports/${reportId}/actions`, { action: "warn", extra: true }],
      [`/admin/reports/${reportId}/actions`, { action: "warn", reason: "x".repeat(501) }],
      [`/admin/reports/${reportId}/actions`, {}],
      ["/admin/reports/abc/actions", { action: "warn" }],
      ["/admin/reports/0/actions", { action: "warn" }],
    ] as const) {
      const r = await call("POST", url, body);
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
      expect(r.json().error).toMatchObject({ code: "bad_request", message: expect.any(String) });
    }
    // Schema failures name the field: details are [{ path, message }], as the error contract says.
    const nuke = await call("POST", `/admin/reports/${reportId}/actions`, { action: "nuke", days: 0 });
    expect(nuke.json().error.details).toEqual([
      { path: "/action", message: expect.any(String) },
      { path: "/days", message: expect.any(String) },
    ]);
    const notJson = await app.inject({
      method: "POST",
      url: `/admin/reports/${reportId}/actions`,
      headers: { ...auth, "content-type": "application/json" },
      payload: "{nope",
    });
    expect(notJson.statusCode).toBe(400);
  });

  it("lists and shows people without Telegram ids; acts on them directly", async () => {
    const { target, reporter } = await reported(["divorce", "breakup"]);
    const [row] = await w.db.select().from(users).where(eq(users.id, target));

    const one = await call("GET", `/admin/users/${target}`);
    expect(one.statusCode).toBe(200);
    expect(one.json()).toMatchObject({
      id: target,
      nickname: row!.nickname,
      status: "active",
      reports_against: { total: 1, open: 1, open_from_distinct_people: 1 },
      sessions: 1,
    });
    expect(one.payload).not.toContain(String(row!.tgId));
    expect(one.payload).not.toMatch(/tg_?id/i);
    expect((await call("GET", "/admin/users/99999999")).statusCode).toBe(404);
    expect((await call("GET", "/admin/users/abc")).statusCode).toBe(400);

    const ban = await call("POST", `/admin/users/${target}/actions`, { action: "ban", reason: "угрозы" });
    expect(ban.statusCode).toBe(200);
    expect(ban.json()).toMatchObject({ action: "ban", target_user_id: target, until: null, report_id: null });
    const twice = await call("POST", `/admin/users/${target}/actions`, { action: "ban" });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error.code).toBe("already_banned");
    const dismiss = await call("POST", `/admin/users/${reporter}/actions`, { action: "dismiss" });
    expect(dismiss.statusCode).toBe(400);
    expect(dismiss.json().error.code).toBe("report_required");
    expect((await call("POST", "/admin/users/99999999/actions", { action: "warn" })).statusCode).toBe(404);

    const list = await call("GET", "/admin/users?status=banned");
    expect(list.statusCode).toBe(200);
    const items = list.json().items as Array<{ id: number; status: string }>;
    expect(items.map((u) => u.id)).toContain(target);
    expect(items.every((u) => u.status === "banned")).toBe(true);
    expect(list.payload).not.toContain(String(row!.tgId));
    expect((await call("GET", "/admin/users?status=vip")).statusCode).toBe(400);
  });

  it("appeals: listed for moderators and decided once", async () => {
    const [p] = (await w.people(1, ["anxiety", "panic"])) as [number];
    await call("POST", `/admin/users/${p}/actions`, { action: "ban" });
    const appeal = await w.moderation.appeal(p, "Прошу пересмотреть решение");
    if (!appeal.ok) throw new Error("appeal refused");
    const list = await call("GET", "/admin/appeals");
    expect(list.statusCode).toBe(200);
    expect(list.json().items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          id: appeal.appealId,
          user_id: p,
          text: "Прошу пересмотреть решение",
          user_status: "banned",
        }),
      ]),
    );
    expect(
      (await call("POST", `/admin/appeals/${appeal.appealId}/decision`, { grant: "yes" })).statusCode,
    ).toBe(400);
    expect((await call("POST", `/admin/appeals/${appeal.appealId}/decision`, {})).statusCode).toBe(400);
    const decided = await call("POST", `/admin/appeals/${appeal.appealId}/decision`, { grant: true });
    expect(decided.statusCode).toBe(200);
    expect(decided.json()).toEqual({
      appeal_id: appeal.appealId,
      user_id: p,
      granted: true,
      lifted: "unban",
    });
    const [row] = await w.db.select().from(users).where(eq(users.id, p));
    expect(row?.status).toBe("active");
    const again = await call("POST", `/admin/appeals/${appeal.appealId}/decision`, { grant: false });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe("already_decided");
    expect((await call("POST", "/admin/appeals/99999999/decision", { grant: true })).statusCode).toBe(404);
  });

  it("SOS: list flags stale entries; create, edit, verify, remove with validation", async () => {
    const all = await call("GET", "/admin/sos");
    expect(all.statusCode).toBe(200);
    const items = all.json().items as Array<{
      id: number;
      country: string;
      phone: string;
      verified_at: string;
      needs_verification: boolean;
    }>;
    // The seed claims no check nobody made: even 112 waits for an operator to verify it.
    expect(items.find((e) => e.country === "*" && e.phone === "112")).toMatchObject({
      needs_verification: true,
    });
    expect(items.find((e) => e.country === "KZ" && e.phone === "103")).toMatchObject({
      needs_verification: true,
    });
    const stale = (await call("GET", "/admin/sos?stale=true")).json().items as typeof items;
    expect(stale.length).toBeGreaterThan(0);
    expect(stale.every((e) => e.needs_verification)).toBe(true);
    expect(stale.every((e) => e.verified_at.startsWith("2000-01-01"))).toBe(true);
    expect(stale).toHaveLength(items.length);
    expect((await call("GET", "/admin/sos?stale=maybe")).statusCode).toBe(400);

    const created = await call("POST", "/admin/sos", {
      country: "GE",
      name: "Тестовая линия",
      phone: "+995 (32) 000-00-01",
      source: "Проверено на официальном сайте, 2026",
      hours: "круглосуточно",
    });
    expect(created.statusCode).toBe(201);
    const entry = created.json();
    expect(entry).toMatchObject({
      country: "GE",
      active: true,
      needs_verification: false,
      description: null,
    });
    const dup = await call("POST", "/admin/sos", {
      country: "GE",
      name: "Дубликат",
      phone: "+995 32 000 00 01",
      source: "x",
    });
    expect(dup.statusCode).toBe(409);
    for (const bad of [
      { country: "ge", name: "x", phone: "123", source: "y" },
      { country: "GE", name: "x", phone: "12", source: "y" },
      { country: "GE", name: "x", phone: "123" },
      { country: "GE", name: "", phone: "123", source: "y" },
      { country: "GE", name: "x", phone: "123", source: "y", verified_at: "2030-01-01" },
      { country: "GE", name: "\u0000\u0001", phone: "123", source: "y" },
    ]) {
      const r = await call("POST", "/admin/sos", bad);
      expect(r.statusCode, JSON.stringify(bad)).toBe(400);
      expect(r.json().error.code).toBe("bad_request");
    }

    const patched = await call("PATCH", `/admin/sos/${entry.id}`, { name: "Линия помощи", sort_order: 5 });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ id: entry.id, name: "Линия помощи", sort_order: 5 });
    expect((await call("PATCH", `/admin/sos/${entry.id}`, {})).statusCode).toBe(400);
    expect((await call("PATCH", `/admin/sos/${entry.id}`, { phone: "abc" })).statusCode).toBe(400);
    expect((await call("PATCH", "/admin/sos/999999", { name: "x" })).statusCode).toBe(404);
    // A new number for a stale entry: only with the source it was checked against, and then it is fresh.
    const staleTarget = stale.at(-1)!;
    const noSource = await call("PATCH", `/admin/sos/${staleTarget.id}`, { phone: "8-800-000-00-00" });
    expect(noSource.statusCode).toBe(400);
    expect(noSource.json().error.details).toEqual([{ field: "source", message: expect.any(String) }]);
    const renumbered = await call("PATCH", `/admin/sos/${staleTarget.id}`, {
      phone: "8-800-000-00-00",
      source: "Официальный сайт, проверено по телефону",
    });
    expect(renumbered.statusCode).toBe(200);
    expect(renumbered.json()).toMatchObject({
      phone: "8-800-000-00-00",
      needs_verification: false,
      verified_at: w.clock.now().toISOString(),
    });
    expect((await call("PATCH", "/admin/sos/99999999999", { name: "x" })).statusCode).toBe(400);

    const staleOne = stale[0]!;
    const verified = await call("POST", `/admin/sos/${staleOne.id}/verify`, {
      source: "Официальный сайт службы",
    });
    expect(verified.statusCode).toBe(200);
    expect(verified.json()).toMatchObject({
      id: staleOne.id,
      source: "Официальный сайт службы",
      needs_verification: false,
      verified_at: w.clock.now().toISOString(),
    });
    expect((await call("POST", `/admin/sos/${staleOne.id}/verify`, {})).statusCode).toBe(400);
    expect((await call("POST", "/admin/sos/999999/verify", { source: "x" })).statusCode).toBe(404);

    const removed = await call("DELETE", `/admin/sos/${entry.id}`);
    expect(removed.statusCode).toBe(200);
    expect(removed.json()).toMatchObject({ id: entry.id, active: false });
    expect((await sos.forCountry("GE")).map((e) => e.id)).not.toContain(entry.id);
    expect((await call("DELETE", "/admin/sos/999999")).statusCode).toBe(404);
  });

  it("is described in the OpenAPI document with the admin tag and bearer security", async () => {
    const res = await app.inject({ method: "GET", url: "/docs/json" });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    for (const [method, path] of [
      ["get", "/admin/reports"],
      ["post", "/admin/reports/{id}/actions"],
      ["get", "/admin/users/{id}"],
      ["post", "/admin/appeals/{id}/decision"],
      ["patch", "/admin/sos/{id}"],
      ["post", "/admin/sos/{id}/verify"],
    ] as const) {
      const op = doc.paths[path]?.[method];
      expect(op, `${method} ${path}`).toBeDefined();
      expect(op.tags).toEqual(["admin"]);
      expect(op.security).toEqual([{ adminToken: [] }]);
    }
  });

  describe("GET /admin/digest", () => {
    it("answers the digest's runs per arm; a bad window is a 400 in the error contract", async () => {
      const ana = await makePerson(w.services, { topics: ["insomnia", "panic"] });
      await w.services.profiles.setDigest(ana, true);
      w.clock.advance(DAY);
      await makePerson(w.services, { topics: ["insomnia", "panic"], receiveProposals: true });
      w.clock.advance(7 * DAY);
      for (const id of await w.services.digest.claimDue()) await w.services.digest.prepare(id);
      const res = await call("GET", "/admin/digest?days=7");
      expect(res.statusCode).toBe(200);
      const body = res.json() as { arms: Array<Record<string, unknown>> };
      expect(body.arms.find((a) => a.arm === "digest")).toMatchObject({
        eligible: 1,
        sent: 1,
        search_rate: 0,
      });
      expect(body.arms.find((a) => a.arm === "control")).toMatchObject({ eligible: 0, search_rate: null });
      for (const bad of ["days=0", "days=abc", "days=400", "weeks=2"]) {
        const r = await call("GET", `/admin/digest?${bad}`);
        expect(r.statusCode).toBe(400);
        expect(r.json()).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
      }
    });
  });
});
