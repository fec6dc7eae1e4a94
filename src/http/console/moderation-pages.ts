import type { FastifyReply, FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { formatUtc } from "../../domain/format-time.ts";
import { avatarFor } from "../../domain/nickname.ts";
import {
  ACTION_REASON_MAX,
  type ActResult,
  type DecideAppealResult,
  MAX_SUSPEND_DAYS,
  type ModerationService,
  type ModeratorAction,
  type UserView,
} from "../../services/moderation/index.ts";
import { actorOf, field, flashOf, idParam, problem, render } from "./render.ts";

/** The moderators' work: the queue, a report, a person, appeals — the same actions as their Telegram chat. */
export interface ModerationPagesOptions {
  moderation: ModerationService;
  /** Tells the people concerned through the bot (absent in a process without a bot). */
  onAct?: (res: Extract<ActResult, { ok: true }>) => Promise<void>;
  onAppealDecision?: (res: Extract<DecideAppealResult, { ok: true }>) => Promise<void>;
  /** Copies a report's unseen evidence into the moderators' chat. */
  showReportEvidence?: (
    reportId: number,
  ) => Promise<{ outcome: "none" | "already" | "shown"; count: number }>;
  /** Bot texts shown beside the buttons that send them (from the bot's locale). */
  t: (key: string) => string;
  now?: () => Date;
}

const ACTION_LABEL: Record<ModeratorAction, string> = {
  dismiss: "отклонить жалобу",
  warn: "предупредить",
  suspend: "приостановить",
  ban: "заблокировать",
  unban: "разблокировать",
  unsuspend: "снять приостановку",
};
const REPORT_CHOICES: ModeratorAction[] = ["dismiss", "warn", "suspend", "ban"];
const PERSON_CHOICES: ModeratorAction[] = ["warn", "suspend", "ban", "unban", "unsuspend"];

const REFUSAL: Record<string, string> = {
  bad_days: `Дней должно быть от 1 до ${MAX_SUSPEND_DAYS}.`,
  reason_too_long: `Причина длиннее ${ACTION_REASON_MAX} символов.`,
  report_required: "Отклонить можно только жалобу.",
  not_found: "Такого человека нет.",
  report_not_found: "Такой жалобы нет.",
  report_mismatch: "Жалоба о другом человеке.",
  report_closed: "Жалоба уже закрыта.",
  user_deleted: "Человек удалил свои данные.",
  already_banned: "Уже заблокирован.",
  not_banned: "Не заблокирован.",
  not_suspended: "Не приостановлен.",
  bad_action: "Неизвестное действие.",
  bad_actor: "Неверная учётная запись.",
};

const FLASH: Record<string, string> = {
  acted: "Готово: решение записано, люди получили сообщение от бота.",
  evidence: "Доказательства отправлены в чат модераторов.",
  "evidence-already": "Все доказательства уже в чате модераторов.",
  "evidence-none":
    "Доказательств нет (или пожаловавшийся удалил свои данные), либо чат модераторов не настроен.",
  decided: "Апелляция решена, человек получил ответ.",
};

const when = (d: Date | null) => (d ? formatUtc(d) : null);
const who = (u: { id: number; nickname: string | null }) =>
  `${u.nickname ? `${avatarFor(u.nickname)} ${u.nickname}` : "без псевдонима"} (#${u.id})`;
/** Reports, users and appeals have bigserial ids. */
const ID_DIGITS = 15;

function historyOf(user: UserView) {
  return {
    ...user,
    suspendedUntil: when(user.suspendedUntil),
    mutedUntil: when(user.mutedUntil),
    actions: user.actions.map((a) => ({
      ...a,
      action: ACTION_LABEL[a.action as ModeratorAction] ?? a.action,
      created: when(a.createdAt),
      createdIso: a.createdAt.toISOString(),
      until: when(a.until),
    })),
  };
}

export const moderationPages: FastifyPluginAsyncZod<ModerationPagesOptions> = async (app, opts) => {
  const { moderation } = opts;
  const now = opts.now ?? (() => new Date());
  const choices = (list: ModeratorAction[]) => list.map((value) => ({ value, label: ACTION_LABEL[value] }));
  const actionForm = { maxDays: MAX_SUSPEND_DAYS, reasonMax: ACTION_REASON_MAX };
  const notFound = (reply: FastifyReply, text: string) =>
    render(reply, "message", { title: "Не найдено", text }, 404);

  /** Open reports (most reported people first, then oldest) and recent crisis flags (most severe first). */
  app.get("/console", { schema: { hide: true } }, async (request, reply) => {
    const { items: reports } = await moderation.listReports({ status: "open", limit: 100, offset: 0 });
    const people = new Map<number, UserView | null>();
    for (const r of reports)
      if (!people.has(r.toUser)) people.set(r.toUser, await moderation.getUser(r.toUser));
    const rows = reports
      .map((r) => {
        const u = people.get(r.toUser);
        return {
          id: r.id,
          reason: opts.t(`report-reason-${r.reason}`),
          toUser: r.toUser,
          target: u ? who(u) : `#${r.toUser}`,
          openAgainst: u?.reportsAgainst.openFromDistinctPeople ?? 0,
          evidenceCount: r.evidenceCount,
          created: when(r.createdAt),
          createdIso: r.createdAt.toISOString(),
          at: r.createdAt.getTime(),
        };
      })
      .sort((a, b) => b.openAgainst - a.openAgainst || a.at - b.at);
    const since = new Date(now().getTime() - 72 * 3600_000);
    const flags = (await moderation.recentCrisisFlags(since)).map((f) => ({
      ...f,
      who: who({ id: f.userId, nickname: f.nickname }),
      created: when(f.createdAt),
      createdIso: f.createdAt.toISOString(),
    }));
    return render(reply, "queue", { title: "Очередь", reports: rows, flags, flash: flashOf(request, FLASH) });
  });

  app.get("/console/reports/:id", { schema: { hide: true } }, async (request, reply) => {
    const id = idParam(request, ID_DIGITS);
    const report = id === null ? null : await moderation.getReport(id);
    if (!report) return notFound(reply, "Такой жалобы нет.");
    const user = await moderation.getUser(report.toUser);
    if (!user) return notFound(reply, "Человека, на которого жалоба, нет.");
    // What the reporter wrote is shown only when opened (it is theirs, and may name them).
    const comment = report.comment ? await moderation.writtenText("report", report.id) : null;
    return render(reply, "report", {
      title: `Жалоба ${report.id}`,
      report: {
        ...report,
        reason: opts.t(`report-reason-${report.reason}`),
        created: when(report.createdAt),
        hasComment: comment !== null,
      },
      comment,
      target: who(user),
      user: historyOf(user),
      open: report.status === "new" || report.status === "in_review",
      choices: choices(REPORT_CHOICES),
      ...actionForm,
      csrf: request.consoleSession!.csrf,
      flash: flashOf(request, FLASH),
    });
  });

  app.get("/console/users/:id", { schema: { hide: true } }, async (request, reply) => {
    const id = idParam(request, ID_DIGITS);
    const user = id === null ? null : await moderation.getUser(id);
    if (!user) return notFound(reply, "Такого человека нет.");
    return render(reply, "user", {
      title: who(user),
      user: historyOf(user),
      choices: choices(PERSON_CHOICES),
      ...actionForm,
      csrf: request.consoleSession!.csrf,
      flash: flashOf(request, FLASH),
    });
  });

  /** One decision, recorded with the moderator's account; the people concerned hear it from the bot. */
  async function act(
    request: FastifyRequest,
    reply: FastifyReply,
    target: { userId: number; reportId?: number },
    back: string,
  ) {
    const action = field(request, "action") as ModeratorAction;
    const daysRaw = field(request, "days");
    const days = action === "suspend" && /^[0-9]{1,4}$/.test(daysRaw) ? Number(daysRaw) : null;
    const res = await moderation.act({
      actor: actorOf(request),
      targetUserId: target.userId,
      action,
      ...(target.reportId !== undefined ? { reportId: target.reportId } : {}),
      reason: field(request, "reason") || null,
      days: action === "suspend" ? (days ?? -1) : null,
    });
    if (!res.ok) {
      return problem(reply, REFUSAL[res.reason] ?? res.reason, back, res.reason === "not_found" ? 404 : 400);
    }
    try {
      await opts.onAct?.(res);
    } catch (err) {
      request.log.warn({ err }, "console action recorded, telling people failed");
    }
    return reply.redirect(`${back}?m=acted`, 303);
  }

  app.post("/console/reports/:id/act", { schema: { hide: true } }, async (request, reply) => {
    const id = idParam(request, ID_DIGITS);
    const report = id === null ? null : await moderation.getReport(id);
    if (!report) return notFound(reply, "Такой жалобы нет.");
    return act(
      request,
      reply,
      { userId: report.toUser, reportId: report.id },
      `/console/reports/${report.id}`,
    );
  });

  app.post("/console/users/:id/act", { schema: { hide: true } }, async (request, reply) => {
    const id = idParam(request, ID_DIGITS);
    if (id === null) return notFound(reply, "Такого человека нет.");
    return act(request, reply, { userId: id }, `/console/users/${id}`);
  });

  app.post("/console/reports/:id/evidence", { schema: { hide: true } }, async (request, reply) => {
    const id = idParam(request, ID_DIGITS);
    if (id === null || !(await moderation.getReport(id))) return notFound(reply, "Такой жалобы нет.");
    const res = (await opts.showReportEvidence?.(id)) ?? { outcome: "none" as const, count: 0 };
    const m = res.outcome === "shown" ? "evidence" : `evidence-${res.outcome}`;
    return reply.redirect(`/console/reports/${id}?m=${m}`, 303);
  });

  app.get("/console/appeals", { schema: { hide: true } }, async (request, reply) => {
    const appeals = (await moderation.openAppeals()).map((a) => ({
      id: a.id,
      userId: a.userId,
      who: who({ id: a.userId, nickname: a.nickname }),
      text: a.text,
      action: ACTION_LABEL[a.action.action as ModeratorAction] ?? a.action.action,
      reason: a.action.reason,
      until: when(a.action.until),
    }));
    return render(reply, "appeals", {
      title: "Апелляции",
      appeals,
      grantedText: opts.t("appeal-granted"),
      rejectedText: opts.t("appeal-rejected"),
      csrf: request.consoleSession!.csrf,
      flash: flashOf(request, FLASH),
    });
  });

  app.post("/console/appeals/:id/decide", { schema: { hide: true } }, async (request, reply) => {
    const id = idParam(request, ID_DIGITS);
    const grant = field(request, "grant");
    if (id === null || (grant !== "yes" && grant !== "no")) {
      return problem(reply, "Нужно выбрать: снять или оставить.", "/console/appeals");
    }
    const res = await moderation.decideAppeal(id, {
      actor: actorOf(request),
      grant: grant === "yes",
    });
    if (!res.ok) {
      return problem(reply, "Эта апелляция уже решена или её нет.", "/console/appeals", 409);
    }
    try {
      await opts.onAppealDecision?.(res);
    } catch (err) {
      request.log.warn({ err }, "appeal decided, telling the person failed");
    }
    return reply.redirect("/console/appeals?m=decided", 303);
  });
};
