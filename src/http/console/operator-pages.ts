import type { FastifyReply, FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { SOS_STALE_AFTER_MONTHS, type SosService } from "../../services/sos.ts";
import type { TipService } from "../../services/tips/index.ts";
import { refundPaidTip, type TipRoutesOptions } from "../routes/tips.ts";
import { actorOf, field, flashOf, idParam, problem, render } from "./render.ts";

/** The operator's pages: the SOS list (checked by hand, with sources), the tips ledger and refunds. */
export interface OperatorPagesOptions {
  sos: SosService;
  tips: TipService;
  /** Refunds need Telegram (refundStarPayment) and tell both people: absent in a process without a bot. */
  refunds?: Pick<TipRoutesOptions, "profiles" | "refundStarPayment" | "onRefund">;
  now?: () => Date;
}

const FLASH: Record<string, string> = {
  verified: "Отмечено: проверено сегодня.",
  saved: "Запись сохранена.",
  refunded: "Звёзды возвращены, оба человека получили сообщение от бота.",
  "already-refunded": "Эти чаевые уже были возвращены.",
};
const DAY = 24 * 3600_000;
const day = (d: Date) => d.toISOString().slice(0, 10);
/** SOS entries have serial ids. */
const ID_DIGITS = 9;

/** `from`/`to` (YYYY-MM-DD) of the query, the last 30 days by default; null when malformed. */
function periodOf(request: FastifyRequest, now: Date): { from: Date; to: Date } | null {
  const q = (request.query ?? {}) as Record<string, string>;
  const parse = (s: string | undefined, fallback: Date) => {
    if (!s) return fallback;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return null;
    const d = new Date(`${s}T00:00:00Z`);
    return Number.isNaN(d.getTime()) ? null : d;
  };
  const today = new Date(`${day(now)}T00:00:00Z`);
  const to = parse(q.to, new Date(today.getTime() + DAY));
  const from = parse(q.from, new Date(today.getTime() - 30 * DAY));
  return from && to && from < to ? { from, to } : null;
}

export const operatorPages: FastifyPluginAsyncZod<OperatorPagesOptions> = async (app, opts) => {
  const { sos, tips } = opts;
  const now = opts.now ?? (() => new Date());
  const adminOnly = async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.consoleSession?.role !== "admin")
      return render(
        reply,
        "message",
        { title: "Только для администраторов", text: "Этот раздел открыт администраторам." },
        403,
      );
  };

  app.get("/console/sos", { schema: { hide: true } }, async (request, reply) => {
    const at = now();
    const entries = (await sos.list())
      .map((e) => ({
        ...e,
        stale: sos.needsVerification(e, at),
        verified: day(e.verifiedAt),
        problemAt: e.problemReportedAt ? day(e.problemReportedAt) : null,
      }))
      // Numbers people said did not work first, then the ones not checked for long.
      .sort(
        (a, b) =>
          b.problemReports - a.problemReports ||
          Number(b.stale) - Number(a.stale) ||
          a.country.localeCompare(b.country) ||
          a.verifiedAt.getTime() - b.verifiedAt.getTime(),
      );
    return render(reply, "sos", {
      title: "Номера помощи (SOS)",
      entries,
      staleMonths: SOS_STALE_AFTER_MONTHS,
      csrf: request.consoleSession!.csrf,
      flash: flashOf(request, FLASH),
    });
  });

  app.post("/console/sos/:id/verify", { schema: { hide: true } }, async (request, reply) => {
    const id = idParam(request, ID_DIGITS);
    const source = field(request, "source");
    if (id === null) return problem(reply, "Такой записи нет.", "/console/sos", 404);
    if (!source) return problem(reply, "Нужен источник: где номер подтверждён сегодня.", "/console/sos");
    const res = await sos.markVerified(id, { source });
    if (!res.ok)
      return problem(
        reply,
        res.reason === "not_found" ? "Такой записи нет." : "Источник не подходит (не длиннее 400 символов).",
        "/console/sos",
        res.reason === "not_found" ? 404 : 400,
      );
    request.log.info({ actor: actorOf(request), sos: id }, "sos entry verified from the console");
    return reply.redirect("/console/sos?m=verified", 303);
  });

  app.post("/console/sos/:id", { schema: { hide: true } }, async (request, reply) => {
    const id = idParam(request, ID_DIGITS);
    const source = field(request, "source");
    if (id === null) return problem(reply, "Такой записи нет.", "/console/sos", 404);
    if (!source)
      return problem(reply, "Изменение без источника не сохраняется: укажи, где проверено.", "/console/sos");
    const optional = (name: string) => field(request, name) || null;
    const res = await sos.update(id, {
      name: field(request, "name"),
      phone: field(request, "phone"),
      description: optional("description"),
      hours: optional("hours"),
      source,
    });
    if (!res.ok) {
      const text =
        res.reason === "invalid"
          ? `Проверь поля: ${res.problems.map((p) => p.field).join(", ")}.`
          : res.reason === "duplicate"
            ? "Такой номер в этой стране уже есть."
            : "Такой записи нет.";
      return problem(reply, text, "/console/sos", res.reason === "not_found" ? 404 : 400);
    }
    request.log.info({ actor: actorOf(request), sos: id }, "sos entry edited from the console");
    return reply.redirect("/console/sos?m=saved", 303);
  });

  app.get("/console/tips", { schema: { hide: true }, preHandler: adminOnly }, async (request, reply) => {
    const period = periodOf(request, now());
    if (!period) return problem(reply, "Даты — в виде ГГГГ-ММ-ДД, и «с» раньше «по».", "/console/tips");
    const rows = (await tips.ledger(period)).map((r) => ({
      ...r,
      recipient: r.recipientUserId === null ? "удалил данные" : `#${r.recipientUserId}`,
    }));
    return render(reply, "tips", {
      title: "Чаевые: выплаты по получателям",
      rows,
      from: day(period.from),
      to: day(period.to),
      csrf: request.consoleSession!.csrf,
      flash: flashOf(request, FLASH),
    });
  });

  app.get("/console/tips.csv", { schema: { hide: true }, preHandler: adminOnly }, async (request, reply) => {
    const period = periodOf(request, now());
    if (!period) return problem(reply, "Даты — в виде ГГГГ-ММ-ДД, и «с» раньше «по».", "/console/tips");
    return reply
      .type("text/csv; charset=utf-8")
      .header("content-disposition", `attachment; filename="tips-${day(period.from)}-${day(period.to)}.csv"`)
      .send(await tips.reportCsv(period));
  });

  app.post(
    "/console/tips/refund",
    { schema: { hide: true }, preHandler: adminOnly },
    async (request, reply) => {
      const raw = field(request, "tip");
      const reason = field(request, "reason");
      if (!/^[0-9]{1,9}$/.test(raw)) return problem(reply, "Номер чаевых — число.", "/console/tips");
      if (!reason || reason.length > 500)
        return problem(reply, "Нужна причина возврата (до 500 символов).", "/console/tips");
      if (!opts.refunds)
        return problem(
          reply,
          "Возвраты делает процесс с ботом: этот процесс без него.",
          "/console/tips",
          503,
        );
      const res = await refundPaidTip({ tips, ...opts.refunds }, Number(raw), reason);
      if (!res.ok) {
        const text = {
          not_found: "Таких чаевых нет.",
          not_paid: "Вернуть можно только оплаченные чаевые.",
          payer_gone: "Отправитель удалил свои данные: вернуть некуда.",
        }[res.reason];
        return problem(reply, text, "/console/tips", res.reason === "not_found" ? 404 : 409);
      }
      request.log.info({ actor: actorOf(request), tip: Number(raw) }, "tip refunded from the console");
      return reply.redirect(`/console/tips?m=${res.alreadyRefunded ? "already-refunded" : "refunded"}`, 303);
    },
  );
};
