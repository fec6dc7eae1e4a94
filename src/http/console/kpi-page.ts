import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { formatUtc } from "../../domain/format-time.ts";
import {
  KPI_MAX_DAYS,
  KPI_VARIANTS,
  type KpiFigure,
  type KpiFigures,
  type KpiService,
} from "../../services/kpi.ts";
import { problem, render } from "./render.ts";

/** The spec's product KPIs («Цели MVP») per day and per A/B variant (`services/kpi.ts` computes them). */
export interface KpiPageOptions {
  kpi?: KpiService;
}

const VARIANT_LABEL = { strict: "строгий подбор", soft: "мягкий подбор", all: "все" } as const;

/** «12 / 40 (30 %)», «14,2 мин (n = 7)», «—» when there is nothing to count. */
function show(f: KpiFigure): { text: string; cls: string } {
  if (f.value === null) return { text: "—", cls: "" };
  const value =
    f.unit === "ratio"
      ? `${(f.value * 100).toFixed(1)} %`
      : f.unit === "minutes"
        ? `${f.value.toFixed(1)} мин`
        : f.unit === "stars"
          ? `${f.value.toFixed(1)} ⭐`
          : `${f.value.toFixed(1)} на 1000`;
  const text =
    f.unit === "ratio" || f.unit === "per1000"
      ? `${f.numerator} / ${f.denominator} (${value})`
      : `${value} (n = ${f.denominator})`;
  return { text, cls: f.met === null ? "" : f.met ? "met" : "unmet" };
}

const goalText = (f: KpiFigure) =>
  f.goal === null
    ? "—"
    : `${f.goal.op === "atLeast" ? "≥" : "≤"} ${f.unit === "ratio" ? `${Math.round(f.goal.value * 100)} %` : f.unit === "minutes" ? `${f.goal.value} мин` : f.goal.value}`;

const ROWS: Array<[string, (k: KpiFigures) => KpiFigure]> = [
  ["Поиски с предложением за 24 ч", (k) => k.searchMatched24h],
  ["Согласие на предложение", (k) => k.accept],
  ["Средняя длина разговора", (k) => k.conversationMinutes],
  ["Разговоры с чаевыми", (k) => k.tip],
  ["Средние чаевые", (k) => k.tipAverage],
  ["Разговоры с жалобой", (k) => k.report],
  ["Признаки кризиса на 1000 разговоров", (k) => k.crisisFlagsPer1000],
  ["Ответы на «Как ты сейчас?»", (k) => k.checkIns.answered],
];
const checkInText = (k: KpiFigures) => ({
  text: `лучше ${k.checkIns.better} · так же ${k.checkIns.same} · хуже ${k.checkIns.worse} · без ответа ${k.checkIns.unanswered}`,
  cls: "",
});

export const kpiPage: FastifyPluginAsyncZod<KpiPageOptions> = async (app, opts) => {
  app.get("/console/kpi", { schema: { hide: true } }, async (request, reply) => {
    if (!opts.kpi) return problem(reply, "Показатели в этом процессе не подключены.", "/console", 503);
    const raw = ((request.query ?? {}) as Record<string, string>).days ?? "14";
    const days = /^[0-9]{1,3}$/.test(raw) ? Number(raw) : Number.NaN;
    if (!(days >= 1 && days <= KPI_MAX_DAYS))
      return problem(reply, `Дней — от 1 до ${KPI_MAX_DAYS}.`, "/console/kpi");
    const res = await opts.kpi.recent(days);
    if (!res.ok) return problem(reply, `Дней — от 1 до ${KPI_MAX_DAYS}.`, "/console/kpi");
    const variants = KPI_VARIANTS.map((v) => ({ key: v, label: VARIANT_LABEL[v] }));
    const totals = [
      ...ROWS.map(([label, pick]) => ({
        label,
        goal: goalText(pick(res.total.all)),
        cells: KPI_VARIANTS.map((v) => show(pick(res.total[v]))),
      })),
      { label: "Ответы по категориям", goal: "—", cells: KPI_VARIANTS.map((v) => checkInText(res.total[v])) },
    ];
    return render(reply, "kpi", {
      title: "Показатели («Цели MVP»)",
      days,
      asOf: formatUtc(res.asOf),
      pending: res.total.all.searchesPending,
      variants,
      totals,
      columns: ROWS.map(([label]) => label),
      daily: [...res.days]
        .reverse()
        .map((d) => ({ day: d.day, cells: ROWS.map(([, pick]) => show(pick(d.variants.all))) })),
    });
  });
};
