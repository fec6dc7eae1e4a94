import { Eta } from "eta";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { ConsoleSession } from "../../services/console-accounts.ts";

/** Rendering and form reading shared by the console's pages. */

const VIEWS = new URL("./views/", import.meta.url).pathname;

declare module "fastify" {
  interface FastifyRequest {
    consoleSession?: ConsoleSession;
  }
}

export type Render = (
  reply: FastifyReply,
  view: string,
  data: Record<string, unknown>,
  status?: number,
) => FastifyReply;

const eta = new Eta({ views: VIEWS, cache: true });

/** Renders a page (layout included); the session gives the navigation and the sign-out form. */
export const render: Render = (reply, view, data, status = 200) =>
  reply
    .code(status)
    .type("text/html; charset=utf-8")
    .header("cache-control", "no-store")
    .send(eta.render(`./${view}`, { session: reply.request.consoleSession ?? null, ...data }));

/** A body field of an urlencoded form, as a trimmed string ("" when absent). */
export function field(request: FastifyRequest, name: string): string {
  const body = (request.body ?? {}) as Record<string, unknown>;
  const v = body[name];
  return typeof v === "string" ? v.trim() : "";
}

/** A refusal page with the reason and the way back. */
export function problem(reply: FastifyReply, text: string, back: string, status = 400): FastifyReply {
  return render(
    reply,
    "message",
    { title: "Не получилось", text, link: { href: back, label: "Назад" } },
    status,
  );
}

/** What the moderation tables record as the actor: the signed-in account, never a Telegram identity. */
export function actorOf(request: FastifyRequest): string {
  return `console:${request.consoleSession?.login ?? "unknown"}`;
}

/** The `:id` route parameter when it is 1–`maxDigits` digits (bigserial ids 15, serial ids 9), else null. */
export function idParam(request: FastifyRequest, maxDigits: number): number | null {
  const raw = (request.params as { id?: string }).id ?? "";
  return new RegExp(`^[0-9]{1,${maxDigits}}$`).test(raw) ? Number(raw) : null;
}

/** The confirmation named by `?m=` after a redirect (Post/Redirect/Get), from the page's own list. */
export function flashOf(request: FastifyRequest, messages: Record<string, string>): string | undefined {
  return messages[((request.query ?? {}) as Record<string, string>).m ?? ""];
}
