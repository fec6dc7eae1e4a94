import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type E2E, startE2E } from "../helpers/bot-process.ts";
import { buttonsOf, registeredPerson } from "../helpers/people.ts";

const DAY = 24 * 3600_000;
const HOUR = 3600_000;

/**
 * The weekly digest end to end: the real bot process against the sandbox. «A week later» is the
 * process restarted with its clock ahead (CLOCK_OFFSET_MS, a test-only setting refused in production).
 */
describe("the weekly digest, through the sandbox", () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await startE2E({ mode: "polling", env: { DIGEST_EVERY_MS: "300" } });
  });
  afterAll(async () => {
    await e2e?.close();
  });

  async function restartWithClockAhead(ms: number): Promise<void> {
    e2e.env.CLOCK_OFFSET_MS = String(ms);
    await e2e.restart();
  }

  it("opt in → a week later → «N новых людей» with shared topics → the button → a search and a proposal", async () => {
    const topics: Array<[string, string]> = [
      ["Переезд и новая жизнь", "Эмиграция"],
      ["Переезд и новая жизнь", "Одиночество"],
    ];
    const ana = await registeredPerson(e2e.client, "Аня", { nickname: "Тихая Сосна", topics });
    await ana.send("/profile");
    await ana.expectMessage(/Темы:/);
    await ana.click("✏️ Напоминание раз в неделю");
    await ana.expectMessage(/Раз в неделю напоминать, кто мне подходит/);
    await ana.click("Да, раз в неделю");
    await ana.expectMessage(/Раз в неделю — кто мне подходит: да/);

    // A day later Borya arrives and may be proposed any time (proposals on, any time of day).
    await restartWithClockAhead(DAY);
    const borya = await registeredPerson(e2e.client, "Боря", { nickname: "Светлый Дуб", topics });
    await borya.send("/profile");
    await borya.expectMessage(/Темы:/);
    await borya.click("✏️ Время");
    await borya.click("Любое время");
    await borya.click("Готово ✓");
    await borya.expectMessage(/Время: Любое время/);
    await borya.click("✏️ Предложения");
    await borya.click("Да, можно");
    await borya.expectMessage(/Предложения, когда не ищу: да/);

    // A week after Ana said yes (her digest is due within 6–7.5 days, in the evening by Moscow time).
    await restartWithClockAhead(7 * DAY + 13 * HOUR);
    const digest = await ana.expectMessage(/За эту неделю появились люди/, { timeoutMs: 20_000 });
    expect(digest.text).toMatch(/которые тебе подходят: 1\./);
    expect(digest.text).toMatch(/Общие темы: (Эмиграция, Одиночество|Одиночество, Эмиграция)\./);
    expect(digest.text).not.toContain("Светлый Дуб");
    expect(buttonsOf(digest)).toEqual(["🔍 Найти собеседника", "Больше не присылать"]);
    // Borya, not opted in to the digest, gets nothing of the kind.
    expect((await borya.chat()).map((m) => m.text ?? "").join("\n")).not.toMatch(/За эту неделю/);

    await ana.click("🔍 Найти собеседника");
    await ana.expectMessage(/Нашёлся человек/, { timeoutMs: 15_000 });
    await borya.expectMessage(/Нашёлся человек/, { timeoutMs: 15_000 });
  });
});
