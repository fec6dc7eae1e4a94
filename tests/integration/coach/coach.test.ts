import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createManualClock } from "../../../src/clock.ts";
import { aiHints, users } from "../../../src/db/schema.ts";
import { ASPECT_HINTS, HINT_LIBRARY } from "../../../src/domain/coach/library.ts";
import { isCoachActiveForSession } from "../../../src/domain/coach/rollout.ts";
import { HINT_TYPES } from "../../../src/domain/coach/types.ts";
import { createMemoryInfra } from "../../../src/infra/memory.ts";
import type { Infra } from "../../../src/infra/ports.ts";
import {
  type CoachLimits,
  type CoachMetrics,
  type CoachService,
  createCoachService,
  type HintProvider,
} from "../../../src/services/coach/index.ts";
import { createOpenAiProvider } from "../../../src/services/coach/openai-provider.ts";
import { CURRENT_PROMPT_VERSION } from "../../../src/services/coach/prompts.ts";
import { createServices, type Services } from "../../../src/services/index.ts";
import { createTestDatabase, type TestDatabase } from "../../helpers/db.ts";
import { type FakeOpenAi, startFakeOpenAi } from "../../helpers/fake-openai.ts";
import { startChat } from "../../helpers/fixtures.ts";

const SAFE_MODEL_HINTS = [
  { type: "empathy", text: "Слышу, как тебе сейчас одиноко после переезда. Это правда непросто." },
  { type: "question", text: "Что из новой жизни даётся тебе тяжелее всего?" },
  { type: "boundary", text: "Не торопи с выводами и не давай оценок — просто побудь рядом." },
];

function recordingMetrics() {
  const counts = new Map<string, number>();
  const bump = (name: string, by = 1) => counts.set(name, (counts.get(name) ?? 0) + by);
  const metrics: CoachMetrics = {
    offered: () => bump("offered"),
    requested: () => bump("requested"),
    shown: (source, n) => bump(`shown:${source}`, n),
    copied: () => bump("copied"),
    sent: () => bump("sent"),
    filtered: (reason) => bump(`filtered:${reason}`),
    providerLatencyMs: () => bump("latency"),
    providerError: (kind) => bump(`error:${kind}`),
    limited: (reason) => bump(`limited:${reason}`),
    crisisGuidance: () => bump("crisis"),
  };
  return { metrics, count: (name: string) => counts.get(name) ?? 0 };
}

describe("AI coach service", () => {
  let t: TestDatabase;
  let services: Services;
  let fake: FakeOpenAi;
  const clock = createManualClock(new Date("2026-11-20T10:00:00Z"));
  const infras: Infra[] = [];
  const baseInfra = createMemoryInfra({ now: () => clock.now().getTime() });

  beforeAll(async () => {
    t = await createTestDatabase();
    services = createServices({ db: t.db, infra: baseInfra, clock });
    fake = await startFakeOpenAi({ kind: "hints", hints: SAFE_MODEL_HINTS });
  });
  afterAll(async () => {
    await fake.close();
    for (const i of infras) await i.close();
    await baseInfra.close();
    await t.destroy();
  });

  function makeCoach(
    opts: { provider?: HintProvider | "fake"; limits?: Partial<CoachLimits>; rolloutPercent?: number } = {},
  ) {
    const infra = createMemoryInfra({ now: () => clock.now().getTime() });
    infras.push(infra);
    const m = recordingMetrics();
    const provider =
      opts.provider === "fake"
        ? createOpenAiProvider({ baseUrl: fake.baseUrl, apiKey: "test-key", model: "fake-model" })
        : opts.provider;
    const coach: CoachService = createCoachService({
      db: t.db,
      clock,
      kv: infra.kv,
      ...(provider ? { provider } : {}),
      limits: { hourlyPerUser: 50, dailyTokenBudget: 1_000_000, ...opts.limits },
      rollout: { enabled: true, rolloutPercent: opts.rolloutPercent ?? 100 },
      metrics: m.metrics,
    });
    return { coach, kv: infra.kv, ...m };
  }

  /**
   * Two people in an active chat, with the nicknames given. Both agreed that their words may reach the
   * model unless `consent` says otherwise (the consent tests below set it per person).
   */
  async function chat(
    nicknames: [string, string],
    topics = ["relocation", "loneliness"],
    consent: [boolean, boolean] = [true, true],
  ) {
    const started = await startChat(services, { topics, nicknames });
    const { a, b } = started;
    await t.db.update(users).set({ coachShareConsent: consent[0] }).where(eq(users.id, a));
    await t.db.update(users).set({ coachShareConsent: consent[1] }).where(eq(users.id, b));
    const send = (coach: CoachService, from: number, text: string | null) =>
      coach.recordMessage(started.sessionId, from, text, {
        senderNickname: from === a ? nicknames[0] : nicknames[1],
        recipientNickname: from === a ? nicknames[1] : nicknames[0],
        recipientUserId: from === a ? b : a,
      });
    return { a, b, sessionId: started.sessionId, send };
  }

  const allTemplates = new Set(Object.values(HINT_LIBRARY).flatMap((k) => HINT_TYPES.flatMap((t) => k[t])));

  it("stores only anonymised text: no names, pseudonyms, phones or e-mails in the key-value store or in any model request", async () => {
    const { coach, kv } = makeCoach({ provider: "fake" });
    const c = await chat(["Тихая Ромашка", "Северный Ветер"]);
    const before = fake.requests.length;
    await c.send(
      coach,
      c.a,
      "Северный Ветер, привет. Меня зовут Анна Петрова, я переехала в новый город и мне одиноко.",
    );
    await c.send(coach, c.b, "Тихая Ромашка, привет! Я Дмитрий. Понимаю тебя, Ромашка.");
    await c.send(
      coach,
      c.a,
      "Спасибо, Северному Ветру отдельное спасибо. Пиши на anna.petrova@mail.ru или +7 916 123-45-67, живу на ул. Ленина, д. 5, кв. 12",
    );
    await c.send(coach, c.a, null); // a sticker: counted, nothing stored
    const result = await coach.getHints(c.sessionId, c.b, { topicSlugs: ["relocation", "loneliness"] });
    expect(result.kind).toBe("hints");

    const stored = await kv.list(`coach:ctx:${c.sessionId}`);
    expect(stored).toHaveLength(3);
    const captured = fake.requests.slice(before);
    expect(captured).toHaveLength(1);
    const everything = [...stored, ...captured.map((r) => r.raw)].join("\n");
    for (const secret of [
      "Ромашк",
      "Северн",
      "Ветер",
      "Ветру",
      "Анна",
      "Петрова",
      "Дмитрий",
      "anna",
      "mail.ru",
      "916",
      "123-45-67",
      "Ленина",
      "кв. 12",
    ])
      expect(everything, secret).not.toContain(secret);
    // The model sees the conversation from the asker's side: B is «[Я]».
    const userMessage = captured[0]!.body!.messages!.find((m) => m.role === "user")!.content;
    expect(userMessage).toContain("[Я]: [СОБЕСЕДНИК], привет! Я [ИМЯ]. Понимаю тебя, [СОБЕСЕДНИК].");
    expect(userMessage).toContain("[СОБЕСЕДНИК]: [Я], привет.");
    expect(userMessage).toContain("[EMAIL]");
    expect(userMessage).toContain("[ТЕЛЕФОН]");
    expect(captured[0]!.body!.model).toBe("fake-model");
    expect(captured[0]!.body!.response_format).toEqual({ type: "json_object" });
  });

  it("shows the model's safe hints, records one ai_hints row per hint with kind, source and version — never the text", async () => {
    const { coach, count } = makeCoach({ provider: "fake" });
    fake.respond({ kind: "hints", hints: SAFE_MODEL_HINTS });
    const c = await chat(["Сонный Барсук", "Рыжая Лиса"]);
    await c.send(coach, c.a, "После переезда никого не знаю, вечерами очень одиноко.");
    const result = await coach.getHints(c.sessionId, c.b, { topicSlugs: ["relocation"] });
    if (result.kind !== "hints") throw new Error(result.kind);
    expect(result.source).toBe("model");
    expect(result.hints.map((h) => h.text)).toEqual(SAFE_MODEL_HINTS.map((h) => h.text));
    expect(result.hints.every((h) => h.source === "model")).toBe(true);
    expect(count("shown:model")).toBe(3);

    const rows = await t.db.select().from(aiHints).where(eq(aiHints.chatSessionId, c.sessionId));
    expect(rows.map((r) => [r.id, r.hintType, r.source, r.promptVersion, r.userId])).toEqual(
      result.hints.map((h) => [h.id, h.type, "model", CURRENT_PROMPT_VERSION, c.b]),
    );
    const rowsOf = async <T>(query: ReturnType<typeof sql>) =>
      ((await t.db.execute(query)) as unknown as { rows: T[] }).rows;
    const columns = await rowsOf<{ column_name: string }>(
      sql`select column_name from information_schema.columns where table_name = 'ai_hints'`,
    );
    expect(columns.length).toBeGreaterThan(5);
    expect(columns.map((r) => r.column_name).some((n) => /text|content|body/.test(n))).toBe(false);
    const dump = JSON.stringify(await rowsOf(sql`select * from ai_hints`));
    for (const h of result.hints) expect(dump).not.toContain(h.text.slice(0, 20));
  });

  it("crisis in the context suppresses generation: the model gets nothing and the person gets crisis guidance", async () => {
    const { coach, count } = makeCoach({ provider: "fake" });
    const c = await chat(["Ночной Филин", "Белый Медведь"]);
    await c.send(coach, c.a, "Мне очень плохо после переезда.");
    const crisis = await c.send(
      coach,
      c.a,
      "Я больше не хочу жить, сегодня ночью всё закончу, таблетки уже купила.",
    );
    expect(crisis.crisis).toBe(true);
    expect(crisis.offerToRecipient).toBe(false);
    const before = fake.requests.length;
    const result = await coach.getHints(c.sessionId, c.b, { topicSlugs: ["relocation"] });
    expect(result.kind).toBe("crisis_guidance");
    if (result.kind !== "crisis_guidance") return;
    expect(result.text).toMatch(/112/);
    expect(fake.requests.length).toBe(before);
    expect(count("crisis")).toBe(1);
    const [row] = await t.db.select().from(aiHints).where(eq(aiHints.id, result.hintId));
    expect(row).toMatchObject({ hintType: "crisis", source: "template", userId: c.b });
    // No offers while the session carries the flag, whatever the gap.
    for (let i = 0; i < 6; i++)
      expect((await c.send(coach, c.a, "ещё одно сообщение")).offerToRecipient).toBe(false);
  });

  it("a crisis flag passed in by the relay also suppresses generation", async () => {
    const { coach } = makeCoach({ provider: "fake" });
    const c = await chat(["Тихий Ёж", "Смелый Волк"]);
    await c.send(coach, c.a, "Сегодня был тяжёлый день на новом месте.");
    const before = fake.requests.length;
    const result = await coach.getHints(c.sessionId, c.b, {
      topicSlugs: ["relocation"],
      crisisFlagged: true,
    });
    expect(result.kind).toBe("crisis_guidance");
    expect(fake.requests.length).toBe(before);
  });

  it("a hanging provider falls back to templates and the whole call returns within 3 s", async () => {
    const { coach, count } = makeCoach({ provider: "fake" });
    fake.respond({ kind: "hang" });
    const c = await chat(["Добрый Кит", "Весёлый Дельфин"]);
    await c.send(coach, c.a, "Я так устала, сил нет совсем.");
    const started = performance.now();
    const result = await coach.getHints(c.sessionId, c.b, { topicSlugs: ["burnout"] });
    const elapsed = performance.now() - started;
    fake.respond({ kind: "hints", hints: SAFE_MODEL_HINTS });
    expect(elapsed).toBeLessThan(3_000);
    expect(elapsed).toBeGreaterThan(2_000);
    if (result.kind !== "hints") throw new Error(result.kind);
    expect(result.source).toBe("template");
    expect(result.hints.map((h) => h.type)).toEqual(["empathy", "question", "boundary"]);
    for (const h of result.hints) expect(allTemplates.has(h.text) || h.type === "empathy").toBe(true);
    expect(count("error:timeout")).toBe(1);
  });

  it("a provider that ignores the abort signal is cut by the service's own deadline", async () => {
    const never: HintProvider = { generate: () => new Promise(() => {}) };
    const { coach, count } = makeCoach({ provider: never });
    const c = await chat(["Лесной Олень", "Горный Орёл"]);
    await c.send(coach, c.a, "Мне тревожно, не могу уснуть.");
    const started = performance.now();
    const result = await coach.getHints(c.sessionId, c.b, { topicSlugs: ["anxiety"] });
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(result.kind === "hints" && result.source).toBe("template");
    expect(count("error:timeout")).toBe(1);
  });

  it("unsafe model output is filtered and replaced by template hints of the same kind", async () => {
    const { coach, count } = makeCoach({ provider: "fake" });
    fake.respond({
      kind: "hints",
      hints: [
        { type: "empathy", text: "Всё будет хорошо, обещаю тебе!" },
        { type: "question", text: "Может, у тебя депрессия? Выпьешь успокоительного?" },
        { type: "boundary", text: "Не давай оценок, просто слушай и будь рядом." },
      ],
    });
    const c = await chat(["Тёплый Плед", "Мягкий Свитер"], ["divorce", "breakup"]);
    await c.send(coach, c.a, "Мы разводимся, и мне так грустно.");
    const result = await coach.getHints(c.sessionId, c.b, { topicSlugs: ["divorce"] });
    fake.respond({ kind: "hints", hints: SAFE_MODEL_HINTS });
    if (result.kind !== "hints") throw new Error(result.kind);
    const [empathy, question, boundary] = result.hints;
    expect(empathy).toMatchObject({ type: "empathy", source: "template" });
    expect(question).toMatchObject({ type: "question", source: "template" });
    expect(HINT_LIBRARY.breakup.question).toContain(question!.text);
    expect(boundary).toMatchObject({
      type: "boundary",
      source: "model",
      text: "Не давай оценок, просто слушай и будь рядом.",
    });
    expect(result.source).toBe("model");
    expect(count("filtered:promise")).toBe(1);
    expect(count("filtered:diagnosis")).toBe(1);
    const rows = await t.db.select().from(aiHints).where(eq(aiHints.chatSessionId, c.sessionId));
    expect(rows.map((r) => r.source).sort()).toEqual(["model", "template", "template"]);
  });

  it.each([
    [
      "non-JSON content",
      { kind: "content", content: "Конечно! Вот три подсказки: будь рядом." } as const,
      "error:invalid_output",
      1,
    ],
    ["an HTTP 500, retried once", { kind: "error", status: 500 } as const, "error:http", 2],
    ["a body that is not JSON", { kind: "garbage" } as const, null, 1],
    [
      "leaked placeholders and English",
      {
        kind: "hints",
        hints: [
          { type: "empathy", text: "Передай [СОБЕСЕДНИК], что ты рядом." },
          { type: "question", text: "How are you feeling about all of this today?" },
          { type: "boundary", text: "Ok" },
        ],
      } as const,
      "filtered:placeholder",
      1,
    ],
  ])("falls back to templates on %s", async (_name, behaviour, counter, expectedRequests) => {
    const { coach, count } = makeCoach({ provider: "fake" });
    fake.respond(behaviour);
    const c = await chat(["Хмурый Енот", "Звонкий Чиж"]);
    await c.send(coach, c.a, "Сегодня опять никого рядом.");
    const before = fake.requests.length;
    const result = await coach.getHints(c.sessionId, c.b, { topicSlugs: ["loneliness"] });
    fake.respond({ kind: "hints", hints: SAFE_MODEL_HINTS });
    expect(fake.requests.length - before).toBe(expectedRequests);
    if (result.kind !== "hints") throw new Error(result.kind);
    expect(result.source).toBe("template");
    expect(result.hints.map((h) => h.type)).toEqual(["empathy", "question", "boundary"]);
    if (counter) expect(count(counter)).toBeGreaterThanOrEqual(1);
    else expect(count("error:other") + count("error:invalid_output") + count("error:http")).toBe(1);
  });

  it("without a provider, hints come from the library by topic and feeling", async () => {
    const { coach } = makeCoach();
    const c = await chat(["Тихий Кот", "Серый Заяц"], ["pet-loss", "loneliness"]);
    await c.send(coach, c.a, "Вчера не стало моего кота. Мне так грустно и пусто.");
    const result = await coach.getHints(c.sessionId, c.b, { topicSlugs: ["pet-loss", "loneliness"] });
    if (result.kind !== "hints") throw new Error(result.kind);
    expect(result.source).toBe("template");
    expect(result.hints[0]!.text).toMatch(/грус|печал|тяжело на душе/i);
    expect(HINT_LIBRARY.pet_loss.question).toContain(result.hints[1]!.text);
    expect(HINT_LIBRARY.pet_loss.boundary).toContain(result.hints[2]!.text);
    // Asking again gives other phrasings.
    const again = await coach.getHints(c.sessionId, c.b, { topicSlugs: ["pet-loss", "loneliness"] });
    if (again.kind !== "hints") throw new Error(again.kind);
    expect(again.hints[1]!.text).not.toBe(result.hints[1]!.text);
  });

  it("the hourly cap per person returns limited, and frees up the next hour", async () => {
    const { coach, count } = makeCoach({ limits: { hourlyPerUser: 2 } });
    const c = await chat(["Быстрый Стриж", "Ловкий Хорёк"]);
    await c.send(coach, c.a, "Привет, как дела?");
    expect((await coach.getHints(c.sessionId, c.b, { topicSlugs: [] })).kind).toBe("hints");
    expect((await coach.getHints(c.sessionId, c.b, { topicSlugs: [] })).kind).toBe("hints");
    expect(await coach.getHints(c.sessionId, c.b, { topicSlugs: [] })).toEqual({
      kind: "limited",
      reason: "hourly_cap",
    });
    // The other person has their own cap.
    expect((await coach.getHints(c.sessionId, c.a, { topicSlugs: [] })).kind).toBe("hints");
    expect(count("limited:hourly_cap")).toBe(1);
    clock.advance(60 * 60 * 1000);
    expect((await coach.getHints(c.sessionId, c.b, { topicSlugs: [] })).kind).toBe("hints");
  });

  it("the daily token budget returns limited for model hints until the next UTC day", async () => {
    const { coach, count } = makeCoach({ provider: "fake", limits: { dailyTokenBudget: 150 } });
    fake.respond({ kind: "hints", hints: SAFE_MODEL_HINTS, tokens: 100 });
    const c = await chat(["Ясный Сокол", "Тихая Сова"]);
    await c.send(coach, c.a, "Мне грустно сегодня.");
    const before = fake.requests.length;
    expect((await coach.getHints(c.sessionId, c.b, { topicSlugs: [] })).kind).toBe("hints");
    expect((await coach.getHints(c.sessionId, c.b, { topicSlugs: [] })).kind).toBe("hints");
    expect(await coach.getHints(c.sessionId, c.b, { topicSlugs: [] })).toEqual({
      kind: "limited",
      reason: "daily_budget",
    });
    expect(fake.requests.length - before).toBe(2);
    expect(count("limited:daily_budget")).toBe(1);
    clock.advance(24 * 60 * 60 * 1000);
    expect((await coach.getHints(c.sessionId, c.b, { topicSlugs: [] })).kind).toBe("hints");
  });

  it("copied and sent flags change only for the hint's owner", async () => {
    const { coach, count } = makeCoach();
    const c = await chat(["Пёстрый Дятел", "Шустрая Белка"]);
    await c.send(coach, c.a, "Мне тревожно перед переездом.");
    const result = await coach.getHints(c.sessionId, c.b, { topicSlugs: ["relocation"] });
    if (result.kind !== "hints") throw new Error(result.kind);
    const id = result.hints[0]!.id;
    expect(await coach.markCopied(id, c.a)).toBe(false);
    expect(await coach.markSent(id, c.a)).toBe(false);
    expect(await coach.markCopied(999_999_999, c.b)).toBe(false);
    let [row] = await t.db.select().from(aiHints).where(eq(aiHints.id, id));
    expect([row!.copied, row!.sent]).toEqual([false, false]);
    expect(await coach.markCopied(id, c.b)).toBe(true);
    expect(await coach.markCopied(id, c.b)).toBe(true);
    expect(await coach.markSent(id, c.b)).toBe(true);
    [row] = await t.db.select().from(aiHints).where(eq(aiHints.id, id));
    expect([row!.copied, row!.sent]).toEqual([true, true]);
    expect(count("copied")).toBe(1);
    expect(count("sent")).toBe(1);
  });

  it("notices when the owner writes (an edit of) a shown hint: copied, not sent with the button", async () => {
    const { coach } = makeCoach();
    const c = await chat(["Сизый Голубь", "Бурый Бобр"]);
    await c.send(coach, c.a, "Работа совсем вымотала.");
    const result = await coach.getHints(c.sessionId, c.b, { topicSlugs: ["burnout"] });
    if (result.kind !== "hints") throw new Error(result.kind);
    const question = result.hints[1]!;
    const unrelated = await c.send(coach, c.b, "Ого, а где ты работаешь?");
    expect(unrelated.usedHintId).toBeNull();
    // The peer sending the same words is not the owner using a hint.
    expect((await c.send(coach, c.a, question.text)).usedHintId).toBeNull();
    const used = await c.send(coach, c.b, `Слушай, ${question.text.toLowerCase()}`);
    expect(used.usedHintId).toBe(question.id);
    const [row] = await t.db.select().from(aiHints).where(eq(aiHints.id, question.id));
    expect([row!.copied, row!.sent]).toEqual([true, false]);
  });

  it("discloses AI hints the first time a person ever sees them, not after", async () => {
    const { coach } = makeCoach();
    const first = await chat(["Новый Гость", "Старый Друг"]);
    await first.send(coach, first.a, "Привет, мне одиноко.");
    const r1 = await coach.getHints(first.sessionId, first.b, { topicSlugs: [] });
    const r2 = await coach.getHints(first.sessionId, first.b, { topicSlugs: [] });
    expect(r1.kind === "hints" && r1.disclosure).toBe(true);
    expect(r2.kind === "hints" && r2.disclosure).toBe(false);
    const r3 = await coach.getHints(first.sessionId, first.a, { topicSlugs: [] });
    expect(r3.kind === "hints" && r3.disclosure).toBe(true);
  });

  it("offers a hint after the peer's message at most once per three messages, only to people with the coach on", async () => {
    const { coach, count } = makeCoach();
    const c = await chat(["Ранний Жаворонок", "Поздний Соловей"]);
    const offers: boolean[] = [];
    for (let i = 0; i < 7; i++)
      offers.push((await c.send(coach, c.a, `Сообщение номер ${i}`)).offerToRecipient);
    expect(offers).toEqual([true, false, false, true, false, false, true]);
    expect(count("offered")).toBe(3);
    // Media counts toward the gap.
    expect((await c.send(coach, c.a, null)).offerToRecipient).toBe(false);
    await coach.setCoachEnabled(c.b, false);
    for (let i = 0; i < 4; i++) expect((await c.send(coach, c.a, "ещё")).offerToRecipient).toBe(false);
    expect(await coach.getHints(c.sessionId, c.b, { topicSlugs: [] })).toEqual({
      kind: "limited",
      reason: "disabled",
    });
    expect(await coach.isCoachEnabled(c.b)).toBe(false);
    expect(await coach.setCoachEnabled(c.b, true)).toBe(true);
    expect(await coach.setCoachEnabled(987_654_321, true)).toBe(false);
  });

  it("keeps nothing when both people switched the coach off, or when the session is outside the rollout", async () => {
    const { coach, kv } = makeCoach();
    const c = await chat(["Тихий Омут", "Ясный День"]);
    await coach.setCoachEnabled(c.a, false);
    await coach.setCoachEnabled(c.b, false);
    expect((await c.send(coach, c.a, "Привет")).stored).toBe(false);
    expect(await kv.list(`coach:ctx:${c.sessionId}`)).toEqual([]);

    const off = makeCoach({ rolloutPercent: 0 });
    const d = await chat(["Серебряный Лис", "Золотой Карась"]);
    expect((await d.send(off.coach, d.a, "Привет")).stored).toBe(false);
    expect(await off.kv.list(`coach:ctx:${d.sessionId}`)).toEqual([]);
    expect(await off.coach.getHints(d.sessionId, d.b, { topicSlugs: [] })).toEqual({
      kind: "limited",
      reason: "disabled",
    });
  });

  it("keeps at most 8 messages and forgets the session at /end and the person on /delete", async () => {
    const { coach, kv } = makeCoach({ provider: "fake" });
    const c = await chat(["Летний Дождь", "Зимний Снег"]);
    for (let i = 0; i < 12; i++) await c.send(coach, i % 2 ? c.a : c.b, `Сообщение ${i}`);
    const stored = await kv.list(`coach:ctx:${c.sessionId}`);
    expect(stored).toHaveLength(8);
    expect(stored[7]).toContain("Сообщение 11");
    await coach.forgetSession(c.sessionId);
    expect(await kv.list(`coach:ctx:${c.sessionId}`)).toEqual([]);

    const d = await chat(["Лунный Свет", "Солнечный Луч"]);
    await d.send(coach, d.a, "Привет");
    await coach.forgetUser(d.b);
    expect(await kv.list(`coach:ctx:${d.sessionId}`)).toEqual([]);

    // The context expires by itself two hours after the last message.
    const e = await chat(["Морской Бриз", "Речной Камень"]);
    await e.send(coach, e.a, "Привет");
    clock.advance(2 * 60 * 60 * 1000 + 1);
    expect(await kv.list(`coach:ctx:${e.sessionId}`)).toEqual([]);
  });

  it("switches the same ~10 % of sessions on every time", () => {
    const { coach } = makeCoach({ rolloutPercent: 10 });
    let on = 0;
    for (let id = 1; id <= 10_000; id++) {
      const active = coach.isActiveForSession(id);
      expect(active).toBe(isCoachActiveForSession(id, { enabled: true, rolloutPercent: 10 }));
      if (active) on++;
    }
    expect(Math.abs(on / 10_000 - 0.1)).toBeLessThan(0.02);
  });

  describe("consent of the person whose words would be sent", () => {
    it("a person who did not agree never appears in any model request; the one who agreed does", async () => {
      const { coach } = makeCoach({ provider: "fake" });
      const { a, b, sessionId, send } = await chat(
        ["Светлый Клён", "Тихая Ива"],
        ["burnout", "anxiety"],
        [true, false],
      );
      const before = fake.requests.length;
      await send(coach, a, "меня сократили на прошлой неделе, маркер-согласна-123");
      await send(coach, b, "я тоже через это прошла, маркер-несогласна-456");
      await send(coach, b, "особенно тяжело было говорить родителям");
      // A (agreed) asks: the model sees A's own words, never B's.
      const forA = await coach.getHints(sessionId, a, { topicSlugs: ["burnout"] });
      expect(forA.kind).toBe("hints");
      // B (did not agree) asks: B's own words stay home too; A's shared words may be used.
      await coach.getHints(sessionId, b, { topicSlugs: ["burnout"] });
      const sent = JSON.stringify(fake.requests.slice(before).map((r) => r.body));
      expect(sent).not.toContain("маркер-несогласна");
      expect(sent).not.toContain("говорить родителям");
      expect(sent).toContain("маркер-согласна");
    });

    it("when nobody agreed the model is not called at all, and templates still follow what was said", async () => {
      const { coach } = makeCoach({ provider: "fake" });
      const { a, b, sessionId, send } = await chat(
        ["Ясный Ручей", "Добрый Вяз"],
        ["relocation", "loneliness"],
        [false, false],
      );
      const before = fake.requests.length;
      await send(coach, b, "у меня умерла мама, и я не знаю, как с этим жить");
      const res = await coach.getHints(sessionId, a, { topicSlugs: ["relocation"] });
      expect(fake.requests.length).toBe(before);
      expect(res.kind).toBe("hints");
      if (res.kind === "hints") {
        expect(res.source).toBe("template");
        // The peer's message was about a loss, not about moving: the grief library answers.
        const grief = new Set(Object.values(HINT_LIBRARY.grief).flat());
        expect(res.hints.some((h) => grief.has(h.text))).toBe(true);
      }
    });

    it("without consent the key-value store keeps categories, never the words", async () => {
      const { coach, kv } = makeCoach({ provider: "fake" });
      const { b, sessionId, send } = await chat(
        ["Серый Камень", "Алый Мак"],
        ["divorce", "breakup"],
        [false, false],
      );
      await send(coach, b, "после развода муж ушёл к другой, маркер-слова-789");
      const stored = JSON.stringify(await kv.list(`coach:ctx:${sessionId}`));
      expect(stored).not.toContain("маркер-слова");
      expect(stored).not.toContain("муж");
      expect(stored).toContain("breakup");
    });

    it("asks once per person, only when a model is in play; the answer can be changed", async () => {
      const withModel = makeCoach({ provider: "fake" }).coach;
      const library = makeCoach().coach;
      const { a, sessionId } = await chat(
        ["Лесной Мох", "Речной Лён"],
        ["insomnia", "panic"],
        [false, false],
      );
      await t.db.update(users).set({ coachShareAsked: false }).where(eq(users.id, a));
      expect(await library.claimShareQuestion(a, sessionId)).toBe(false);
      expect(await withModel.claimShareQuestion(a, sessionId)).toBe(true);
      expect(await withModel.claimShareQuestion(a, sessionId)).toBe(false);
      await withModel.setShareConsent(a, true);
      expect(await withModel.sharesWords(a)).toBe(true);
      await withModel.setShareConsent(a, false);
      expect(await withModel.sharesWords(a)).toBe(false);
    });
  });

  describe("hints that answer what was said", () => {
    it("picks templates by the last message, not the chat's topic, and never shows a hint twice", async () => {
      const { coach } = makeCoach();
      const { a, b, sessionId, send } = await chat(
        ["Чистый Лёд", "Тёплый Мёд"],
        ["relocation", "loneliness"],
        [false, false],
      );
      await send(coach, b, "меня уволили, и я не знаю, как сказать жене");
      const first = await coach.getHints(sessionId, a, { topicSlugs: ["relocation"] });
      if (first.kind !== "hints") throw new Error(first.kind);
      // A lost job and telling the family, not the profile's topic (moving) or work filling a life.
      const specific = new Set([
        ...Object.values(ASPECT_HINTS.job_loss).flat(),
        ...Object.values(ASPECT_HINTS.telling_family).flat(),
      ]);
      for (const h of first.hints) expect(specific.has(h.text), h.text).toBe(true);
      const moving = new Set(Object.values(HINT_LIBRARY.move).flat());
      for (const h of first.hints) expect(moving.has(h.text), h.text).toBe(false);
      const shown = new Set<string>();
      for (let i = 0; i < 6; i++) {
        const res = await coach.getHints(sessionId, a, { topicSlugs: ["relocation"] });
        if (res.kind !== "hints") throw new Error(res.kind);
        for (const h of res.hints) {
          expect(shown.has(h.text), `shown twice: ${h.text}`).toBe(false);
          shown.add(h.text);
        }
      }
    });
  });
});
