import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createOpenAiSafetyProvider,
  createSafetyTier,
  type SecondOpinion,
} from "../../../src/services/safety-tier.ts";
import { type FakeOpenAi, startFakeOpenAi } from "../../helpers/fake-openai.ts";

describe("the optional model tier (a second opinion on uncertain crisis scores)", () => {
  let fake: FakeOpenAi;
  const outcomes: SecondOpinion[] = [];
  let tier: ReturnType<typeof createSafetyTier>;

  beforeAll(async () => {
    fake = await startFakeOpenAi({ kind: "content", content: JSON.stringify({ crisis: true }) });
    tier = createSafetyTier({
      // Generous: a loaded CI machine must not turn an answer into a timeout.
      provider: createOpenAiSafetyProvider({ baseUrl: fake.baseUrl, model: "safety-test", timeoutMs: 5000 }),
      timeoutMs: 5000,
      onOutcome: (o) => outcomes.push(o),
    });
  });
  afterAll(async () => {
    await fake.close();
  });

  it("is asked only about uncertain scores, and only when configured", () => {
    expect(tier.isUncertain(0.6, false)).toBe(true);
    expect(tier.isUncertain(0.1, false)).toBe(false);
    expect(tier.isUncertain(1.2, false)).toBe(false);
    expect(tier.isUncertain(0.6, true)).toBe(false);
    const off = createSafetyTier({ provider: null, timeoutMs: 300 });
    expect(off.enabled).toBe(false);
    expect(off.isUncertain(0.6, false)).toBe(false);
  });

  it("sends anonymised text only and reads the verdict", async () => {
    const before = fake.requests.length;
    const text = "Меня зовут Анна, мой телефон +7 999 123-45-67. Я устала от всего, не знаю зачем это всё";
    expect(await tier.ask(text)).toBe("crisis");
    const sent = JSON.stringify(fake.requests.slice(before).map((r) => r.body));
    expect(sent).not.toContain("Анна");
    expect(sent).not.toContain("123-45-67");
    expect(sent).toContain("устала от всего");
    expect(fake.requests.at(-1)?.body?.model).toBe("safety-test");
  });

  it("answers «no», and counts every outcome", async () => {
    fake.respond({ kind: "content", content: JSON.stringify({ crisis: false }) });
    expect(await tier.ask("просто устала, завтра будет легче")).toBe("no");
    expect(outcomes).toContain("crisis");
    expect(outcomes).toContain("no");
  });

  it("gives up within its timeout when the model hangs, and never throws on errors or garbage", async () => {
    fake.respond({ kind: "hang" });
    const impatient = createSafetyTier({
      provider: createOpenAiSafetyProvider({ baseUrl: fake.baseUrl, model: "safety-test", timeoutMs: 300 }),
      timeoutMs: 300,
    });
    expect(await impatient.ask("всё бессмысленно")).toBe("timeout");
    fake.respond({ kind: "error", status: 500 });
    expect(await tier.ask("всё бессмысленно")).toBe("error");
    fake.respond({ kind: "content", content: "не JSON" });
    expect(await tier.ask("всё бессмысленно")).toBe("error");
    fake.respond({ kind: "content", content: JSON.stringify({ crisis: "maybe" }) });
    expect(await tier.ask("всё бессмысленно")).toBe("error");
  });
});
