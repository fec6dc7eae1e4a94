import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import cookie from "@fastify/cookie";
import formbody from "@fastify/formbody";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { ConsoleAccounts } from "../../services/console-accounts.ts";
import { MIN_PASSWORD_LENGTH } from "../../services/console-accounts.ts";
import { type KpiPageOptions, kpiPage } from "./kpi-page.ts";
import { type ModerationPagesOptions, moderationPages } from "./moderation-pages.ts";
import { type OperatorPagesOptions, operatorPages } from "./operator-pages.ts";
import { field, render } from "./render.ts";

/**
 * The moderation console at `/console`: server-rendered pages (eta templates in `views/`), plain
 * forms that work without JavaScript, Russian, usable at phone width. Every page but sign-in needs a
 * session cookie (HttpOnly, SameSite=Strict, Secure over HTTPS); every form carries the session's CSRF
 * token and a POST without it is refused. Accounts and sessions: `services/console-accounts.ts`.
 */
export type ConsoleOptions = { accounts: ConsoleAccounts } & ModerationPagesOptions &
  OperatorPagesOptions &
  KpiPageOptions;

const SESSION_COOKIE = "tno_console";
/** Before sign-in there is no session: the sign-in and setup forms use a double-submit token. */
const PRE_COOKIE = "tno_console_pre";
const CSS = readFileSync(new URL("./console.css", import.meta.url), "utf8");

const PUBLIC = new Set(["/console/login", "/console/setup", "/console/console.css"]);

export const consoleRoutes: FastifyPluginAsyncZod<ConsoleOptions> = async (app, opts) => {
  const { accounts } = opts;
  await app.register(cookie);
  await app.register(formbody);

  const cookieOptions = (request: FastifyRequest) => ({
    path: "/console",
    httpOnly: true,
    sameSite: "strict" as const,
    secure: request.protocol === "https",
  });

  // Who is signed in; everything but the public pages needs it.
  app.addHook("onRequest", async (request, reply) => {
    const path = request.url.split("?")[0] ?? "";
    if (!path.startsWith("/console")) return;
    request.consoleSession = (await accounts.session(request.cookies[SESSION_COOKIE])) ?? undefined;
    if (PUBLIC.has(path) || request.consoleSession) return;
    if (request.method === "GET") return reply.redirect("/console/login", 303);
    return render(
      reply,
      "message",
      { title: "Нужно войти", text: "Сессия закончилась. Войди ещё раз." },
      401,
    );
  });
  // Every form of a signed-in person carries the session's CSRF token.
  app.addHook("preHandler", async (request, reply) => {
    const session = request.consoleSession;
    if (request.method !== "POST" || !session) return;
    if (accounts.csrfMatches(session, field(request, "csrf"))) return;
    return render(
      reply,
      "message",
      {
        title: "Форма устарела",
        text: "Эта форма устарела или пришла не со страницы консоли. Открой страницу заново.",
      },
      403,
    );
  });

  app.get("/console/console.css", { schema: { hide: true } }, async (_request, reply) =>
    reply.type("text/css; charset=utf-8").header("cache-control", "max-age=3600").send(CSS),
  );

  /** A fresh double-submit token for a form shown before sign-in. */
  const preToken = (request: FastifyRequest, reply: FastifyReply) => {
    const token = randomBytes(24).toString("base64url");
    reply.setCookie(PRE_COOKIE, token, { ...cookieOptions(request), maxAge: 3600 });
    return token;
  };
  const preTokenOk = (request: FastifyRequest) => {
    const sent = field(request, "csrf");
    return sent.length > 0 && sent === request.cookies[PRE_COOKIE];
  };
  const staleForm = (reply: FastifyReply) =>
    render(
      reply,
      "message",
      {
        title: "Форма устарела",
        text: "Открой страницу входа заново.",
        link: { href: "/console/login", label: "Ко входу" },
      },
      403,
    );

  app.get("/console/login", { schema: { hide: true } }, async (request, reply) => {
    if (request.consoleSession) return reply.redirect("/console", 303);
    return render(reply, "signin", { title: "Вход", csrf: preToken(request, reply) });
  });

  app.post("/console/login", { schema: { hide: true } }, async (request, reply) => {
    if (!preTokenOk(request)) return staleForm(reply);
    const login = field(request, "login").toLowerCase();
    const res = await accounts.signIn(login, field(request, "password"));
    if (!res.ok) {
      const error =
        res.reason === "locked"
          ? `Слишком много неудачных попыток: вход закрыт до ${res.until?.toISOString().slice(11, 16)} UTC.`
          : "Неверный логин или пароль.";
      return render(
        reply,
        "signin",
        { title: "Вход", error, login, csrf: preToken(request, reply) },
        res.reason === "locked" ? 429 : 401,
      );
    }
    reply.setCookie(SESSION_COOKIE, res.sessionId, { ...cookieOptions(request), maxAge: 12 * 3600 });
    reply.clearCookie(PRE_COOKIE, { path: "/console" });
    return reply.redirect("/console", 303);
  });

  app.get("/console/setup", { schema: { hide: true } }, async (request, reply) => {
    const token = ((request.query ?? {}) as Record<string, string>).token ?? "";
    return render(reply, "setup", {
      title: "Пароль для консоли",
      token,
      minLength: MIN_PASSWORD_LENGTH,
      csrf: preToken(request, reply),
    });
  });

  app.post("/console/setup", { schema: { hide: true } }, async (request, reply) => {
    if (!preTokenOk(request)) return staleForm(reply);
    const token = field(request, "token");
    const res = await accounts.completeSetup(token, field(request, "password"), field(request, "repeat"));
    if (res.ok) {
      return render(reply, "message", {
        title: "Пароль сохранён",
        text: `Готово, ${res.login}. Теперь можно войти.`,
        link: { href: "/console/login", label: "Войти" },
      });
    }
    const error = {
      bad_link: "Эта ссылка не работает: её уже использовали или она неверна. Попроси администратора новую.",
      expired: "Срок ссылки истёк. Попроси администратора новую.",
      too_short: `Пароль короче ${MIN_PASSWORD_LENGTH} символов.`,
      mismatch: "Пароли не совпадают.",
    }[res.reason];
    return render(
      reply,
      "setup",
      {
        title: "Пароль для консоли",
        token,
        error,
        minLength: MIN_PASSWORD_LENGTH,
        csrf: preToken(request, reply),
      },
      400,
    );
  });

  app.post("/console/logout", { schema: { hide: true } }, async (request, reply) => {
    await accounts.signOut(request.cookies[SESSION_COOKIE]);
    reply.clearCookie(SESSION_COOKIE, { path: "/console" });
    return reply.redirect("/console/login", 303);
  });

  await app.register(moderationPages, opts);
  await app.register(operatorPages, opts);
  await app.register(kpiPage, opts);
};
