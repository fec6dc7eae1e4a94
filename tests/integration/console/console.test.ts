import { Writable } from "node:stream";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consoleAccounts, moderationActions, sosHotlines } from "../../../src/db/schema.ts";
import { consoleRoutes } from "../../../src/http/console/index.ts";
import { createServer, routeArea } from "../../../src/http/server.ts";
import { createLogger } from "../../../src/logger.ts";
import { createMetrics } from "../../../src/metrics.ts";
import { LOCK_MS, MAX_FAILED_SIGN_INS } from "../../../src/services/console-accounts.ts";
import { startChat } from "../../helpers/fixtures.ts";
import { createServiceWorld, MINUTE, type ServiceWorld } from "../../helpers/service-world.ts";

const PASSWORD = "долгий пароль для консоли";

describe("the moderation console (HTTP, manual clock)", () => {
  let w: ServiceWorld;
  let app: Awaited<ReturnType<typeof createServer>>;
  const acted: number[] = [];
  const appealsTold: number[] = [];

  beforeAll(async () => {
    w = await createServiceWorld();
    await w.services.sos.seedFromFile();
    app = await createServer({
      logger: createLogger({ level: "silent", destination: new Writable({ write: (_c, _e, cb) => cb() }) }),
      metrics: createMetrics({ collectDefault: false }),
      readiness: [],
      areas: [
        routeArea(consoleRoutes, {
          accounts: w.services.consoleAccounts,
          moderation: w.moderation,
          sos: w.services.sos,
          tips: w.services.tips,
          kpi: w.services.kpi,
          t: (key) => `«${key}»`,
          onAct: async (res) => void acted.push(res.targetUserId),
          onAppealDecision: async (res) => void appealsTold.push(res.userId),
          now: () => w.clock.now(),
        }),
      ],
    });
  });
  afterAll(async () => {
    await app.close();
    await w.close();
  });

  /** A browser's cookie jar for one person. */
  function browser() {
    const jar = new Map<string, string>();
    const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
    async function request(method: "GET" | "POST", url: string, form?: Record<string, string>, headers = {}) {
      const res = await app.inject({
        method,
        url,
        headers: {
          cookie: cookieHeader(),
          ...(form ? { "content-type": "application/x-www-form-urlencoded" } : {}),
          ...headers,
        },
        ...(form ? { payload: new URLSearchParams(form).toString() } : {}),
      });
      for (const c of res.cookies) {
        if (c.value === "" || (c.maxAge !== undefined && c.maxAge <= 0)) jar.delete(c.name);
        else jar.set(c.name, c.value);
      }
      return res;
    }
    const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";
    return {
      jar,
      request,
      csrfOf,
      /** Opens a page and posts its first form's token with `form`. */
      async submit(page: string, action: string, form: Record<string, string>) {
        const opened = await request("GET", page);
        return request("POST", action, { csrf: csrfOf(opened.body), ...form });
      },
      async signIn(login: string, password = PASSWORD) {
        return this.submit("/console/login", "/console/login", { login, password });
      },
    };
  }

  async function account(login: string, role: "moderator" | "admin") {
    const made = await w.services.consoleAccounts.addAccount(login, role);
    if (!made.ok) throw new Error(made.reason);
    const b = browser();
    const done = await b.submit(`/console/setup?token=${made.token}`, "/console/setup", {
      token: made.token,
      password: PASSWORD,
      repeat: PASSWORD,
    });
    expect(done.statusCode).toBe(200);
    return made.token;
  }

  it("the one-time link sets a password once; the hash is scrypt, never the password", async () => {
    const token = await account("mila", "moderator");
    const [row] = await w.db.select().from(consoleAccounts).where(eq(consoleAccounts.login, "mila"));
    expect(row!.passwordHash).toMatch(/^scrypt\$/);
    expect(row!.passwordHash).not.toContain(PASSWORD);
    const again = await browser().submit(`/console/setup?token=${token}`, "/console/setup", {
      token,
      password: "другой длинный пароль",
      repeat: "другой длинный пароль",
    });
    expect(again.statusCode).toBe(400);
    expect(again.body).toMatch(/уже использовали/);
  });

  it("pages need a sign-in; the session cookie is HttpOnly, SameSite=Strict, and Secure behind HTTPS", async () => {
    const b = browser();
    const anonymous = await b.request("GET", "/console");
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe("/console/login");
    const signedIn = await b.signIn("mila");
    expect(signedIn.statusCode).toBe(303);
    const cookie = signedIn.cookies.find((c) => c.name === "tno_console")!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/console" });
    expect(cookie.secure).toBeFalsy();
    expect((await b.request("GET", "/console")).statusCode).toBe(200);

    const viaHttps = browser();
    const login = await viaHttps.request("GET", "/console/login", undefined, {
      "x-forwarded-proto": "https",
    });
    const res = await viaHttps.request(
      "POST",
      "/console/login",
      { csrf: viaHttps.csrfOf(login.body), login: "mila", password: PASSWORD },
      { "x-forwarded-proto": "https" },
    );
    expect(res.cookies.find((c) => c.name === "tno_console")!.secure).toBe(true);
  });

  it("refuses a form without the session's CSRF token and changes nothing", async () => {
    const [target] = await w.people(1, ["insomnia", "panic"]);
    const b = browser();
    await b.signIn("mila");
    const before = await w.db
      .select()
      .from(moderationActions)
      .where(eq(moderationActions.targetUser, target!));
    for (const csrf of [undefined, "forged-token"]) {
      const res = await b.request("POST", `/console/users/${target}/act`, {
        ...(csrf ? { csrf } : {}),
        action: "warn",
      });
      expect(res.statusCode).toBe(403);
      expect(res.body).toMatch(/Форма устарела/);
    }
    const after = await w.db
      .select()
      .from(moderationActions)
      .where(eq(moderationActions.targetUser, target!));
    expect(after).toEqual(before);
    // The sign-in form is protected too (a cookie the page set, echoed by the form).
    const forged = await browser().request("POST", "/console/login", {
      csrf: "x",
      login: "mila",
      password: PASSWORD,
    });
    expect(forged.statusCode).toBe(403);
  });

  it(`locks an account after ${MAX_FAILED_SIGN_INS} wrong passwords, even against the right one, for 15 minutes`, async () => {
    await account("oleg", "moderator");
    const b = browser();
    for (let i = 0; i < MAX_FAILED_SIGN_INS - 1; i++)
      expect((await b.signIn("oleg", "неправильный пароль")).statusCode).toBe(401);
    const locked = await b.signIn("oleg", "неправильный пароль");
    expect(locked.statusCode).toBe(429);
    expect(locked.body).toMatch(/вход закрыт до/);
    expect((await b.signIn("oleg")).statusCode).toBe(429);
    w.clock.advance(LOCK_MS + MINUTE);
    expect((await b.signIn("oleg")).statusCode).toBe(303);
    // An unknown login answers like a wrong password.
    const unknown = await browser().signIn("nobody");
    expect(unknown.statusCode).toBe(401);
    expect(unknown.body).toMatch(/Неверный логин или пароль/);
  });

  it("acts on a report from the queue: recorded with the moderator's account, people told through the bot", async () => {
    const [target, reporter] = (await w.people(2, ["divorce", "breakup"])) as [number, number];
    w.clock.advance(2 * MINUTE);
    await startChat(w.services, { between: [reporter, target] });
    const rep = await w.moderation.report({
      reporterId: reporter,
      reason: "abuse",
      comment: "грубил весь разговор",
    });
    if (!rep.ok) throw new Error("report refused");
    const b = browser();
    await b.signIn("mila");
    const queue = await b.request("GET", "/console");
    expect(queue.body).toContain(`/console/reports/${rep.reportId}`);
    const page = await b.request("GET", `/console/reports/${rep.reportId}`);
    expect(page.body).toContain("грубил весь разговор");
    const res = await b.request("POST", `/console/reports/${rep.reportId}/act`, {
      csrf: b.csrfOf(page.body),
      action: "suspend",
      days: "3",
      reason: "оскорбления",
    });
    expect(res.statusCode).toBe(303);
    const [action] = await w.db
      .select()
      .from(moderationActions)
      .where(eq(moderationActions.reportId, rep.reportId));
    expect(action).toMatchObject({ actor: "console:mila", action: "suspend", reason: "оскорбления" });
    expect(acted).toContain(target);
    // A bad number of days is refused with the reason, nothing recorded.
    const user = await b.request("GET", `/console/users/${target}`);
    const bad = await b.request("POST", `/console/users/${target}/act`, {
      csrf: b.csrfOf(user.body),
      action: "suspend",
      days: "0",
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toMatch(/Дней должно быть/);

    // The appeal against it, decided from the console.
    const appeal = await w.moderation.appeal(target, "я не оскорблял, это недоразумение");
    expect(appeal.ok).toBe(true);
    const appeals = await b.request("GET", "/console/appeals");
    expect(appeals.body).toContain("это недоразумение");
    expect(appeals.body).toContain("«appeal-granted»");
    const id = /\/console\/appeals\/(\d+)\/decide/.exec(appeals.body)![1];
    const decided = await b.request("POST", `/console/appeals/${id}/decide`, {
      csrf: b.csrfOf(appeals.body),
      grant: "yes",
    });
    expect(decided.statusCode).toBe(303);
    expect(appealsTold).toContain(target);
  });

  it("SOS: stale entries first, «проверено сегодня» only with a source, edits need a source", async () => {
    const b = browser();
    await b.signIn("mila");
    const page = await b.request("GET", "/console/sos");
    expect(page.statusCode).toBe(200);
    const id = Number(/\/console\/sos\/(\d+)\/verify/.exec(page.body)![1]);
    const csrf = b.csrfOf(page.body);
    const noSource = await b.request("POST", `/console/sos/${id}/verify`, { csrf, source: "" });
    expect(noSource.statusCode).toBe(400);
    w.clock.advance(MINUTE);
    const ok = await b.request("POST", `/console/sos/${id}/verify`, {
      csrf,
      source: "https://example.org/hotline",
    });
    expect(ok.statusCode).toBe(303);
    const [row] = await w.db.select().from(sosHotlines).where(eq(sosHotlines.id, id));
    expect(row).toMatchObject({ source: "https://example.org/hotline", verifiedAt: w.clock.now() });
    // A number someone could not reach comes first, whatever its age.
    expect(await w.services.sos.reportProblem(id, "someone")).toBe("recorded");
    const again = await b.request("GET", "/console/sos");
    const firstCard = again.body.slice(again.body.indexOf("<article"), again.body.indexOf("</article>"));
    expect(firstCard).toContain(`/console/sos/${id}/verify`);
    expect(firstCard).toMatch(/Сообщили, что номер не сработал: 1/);
    const edit = await b.request("POST", `/console/sos/${id}`, {
      csrf,
      name: row!.name,
      phone: row!.phone,
      source: "",
    });
    expect(edit.statusCode).toBe(400);
  });

  it("tips: the ledger and its CSV for admins only; a refund needs a reason", async () => {
    const mod = browser();
    await mod.signIn("mila");
    expect((await mod.request("GET", "/console/tips")).statusCode).toBe(403);
    await account("anya", "admin");
    const admin = browser();
    await admin.signIn("anya");
    const ledger = await admin.request("GET", "/console/tips?from=2026-01-01&to=2026-12-31");
    expect(ledger.statusCode).toBe(200);
    const csv = await admin.request("GET", "/console/tips.csv?from=2026-01-01&to=2026-12-31");
    expect(csv.headers["content-type"]).toMatch(/text\/csv/);
    expect(csv.headers["content-disposition"]).toMatch(
      /attachment; filename="tips-2026-01-01-2026-12-31.csv"/,
    );
    expect((await admin.request("GET", "/console/tips?from=2026-13-01")).statusCode).toBe(400);
    const refund = await admin.request("POST", "/console/tips/refund", {
      csrf: admin.csrfOf(ledger.body),
      tip: "1",
      reason: "",
    });
    expect(refund.statusCode).toBe(400);
  });

  it("KPIs per day and variant, from rows: a search matched within 24 h shows as 1 / 1", async () => {
    const [x, y] = (await w.people(2, ["emigration", "loneliness"])) as [number, number];
    await startChat(w.services, { between: [x, y] });
    w.clock.advance(25 * 60 * MINUTE);
    const b = browser();
    await b.signIn("mila");
    const page = await b.request("GET", "/console/kpi?days=3");
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("Поиски с предложением за 24 ч");
    expect(page.body).toMatch(/≥ 60 %/);
    expect(page.body).toMatch(/class="met">2 \/ 2 \(100\.0 %\)/);
    expect((await b.request("GET", "/console/kpi?days=0")).statusCode).toBe(400);
  });

  it("signing out ends the session for good", async () => {
    const b = browser();
    await b.signIn("mila");
    const page = await b.request("GET", "/console");
    const cookieBefore = b.jar.get("tno_console")!;
    expect((await b.request("POST", "/console/logout", { csrf: b.csrfOf(page.body) })).statusCode).toBe(303);
    b.jar.set("tno_console", cookieBefore);
    expect((await b.request("GET", "/console")).statusCode).toBe(303);
  });
});
