import { execFile, execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SandboxUserHandle } from "../../sandbox/index.ts";
import { type E2E, startE2E } from "../helpers/bot-process.ts";
import { CHROMIUM, IS_CI } from "../helpers/chromium.ts";
import { matchedPair } from "../helpers/people.ts";

if (!CHROMIUM && !IS_CI)
  console.warn("SKIPPED the console browser test: no `chromium` on PATH (it runs in CI).");

it.runIf(!CHROMIUM && IS_CI)("Chromium is installed where CI runs the console browser test", () => {
  throw new Error(
    "CI is set but `command -v chromium` found nothing: .ci/run should have installed chromium.",
  );
});

const ROOT = new URL("../../", import.meta.url).pathname;
const PASSWORD = "длинный пароль модератора";
/** axe-core, the accessibility rules engine, injected into each page. */
const AXE = new URL("../../node_modules/axe-core/axe.min.js", import.meta.url).pathname;

describe.runIf(CHROMIUM)("the moderation console in Chromium, acting on people in the sandbox", () => {
  let e2e: E2E;
  let browser: Browser;
  const links = new Map<string, string>();
  let mila: SandboxUserHandle;
  let nikita: SandboxUserHandle;
  /** Paths of the report and person pages the first test opened (audited later). */
  const pagesSeen: string[] = [];

  /** `npm run console:add-user` as an operator runs it (the embedded database needs the bot stopped). */
  async function addUser(login: string, role: string): Promise<string> {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "scripts/console-add-user.ts", login, `--role=${role}`, `--url=${e2e.bot.url}`],
      { cwd: ROOT, env: { ...process.env, ...(e2e.env as Record<string, string>) } },
    );
    const link = /(http\S+\/console\/setup\?token=\S+)/.exec(stdout)?.[1];
    if (!link) throw new Error(`no link in: ${stdout}`);
    return link;
  }

  beforeAll(async () => {
    e2e = await startE2E({ mode: "polling" });
    [mila, nikita] = await matchedPair(e2e.client, ["Мила", "Никита"], ["Тихая Ива", "Ясный Дуб"]);
    await mila.send("/report");
    await mila.click("Оскорбления");
    await mila.click("Отправить жалобу");
    await mila.expectMessage(/Спасибо, жалоба отправлена/);
    await e2e.bot.stop();
    for (const [login, role] of [
      ["lena", "admin"],
      ["oleg", "moderator"],
    ] as const)
      links.set(login, await addUser(login, role));
    await e2e.restart();
    // The link names the port of the process that printed it; the restarted one listens on the same.
    browser = await chromium.launch({ executablePath: CHROMIUM! });
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await e2e?.close();
  });

  async function setPassword(page: Page, login: string) {
    await page.goto(links.get(login)!);
    await page.getByLabel("Пароль", { exact: true }).fill(PASSWORD);
    await page.getByLabel("Ещё раз").fill(PASSWORD);
    await page.getByRole("button", { name: "Сохранить пароль" }).click();
    await page.getByText(`Готово, ${login}`).waitFor();
  }
  async function signIn(page: Page, login: string, password = PASSWORD) {
    await page.goto(`${e2e.bot.url}/console/login`);
    await page.getByLabel("Логин").fill(login);
    await page.getByLabel("Пароль").fill(password);
    await page.getByRole("button", { name: "Войти" }).click();
  }

  it("sets a password by the one-time link, signs in, suspends from the queue, and the person hears it", async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await setPassword(page, "lena");
    await signIn(page, "lena");
    await page.getByRole("heading", { name: "Очередь" }).waitFor();
    // Phone width: nothing scrolls sideways but the tables inside their own box.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page
      .getByRole("link", { name: /^Жалоба \d+$/ })
      .first()
      .click();
    await page.getByText("Оскорбления").first().waitFor();
    pagesSeen.push(new URL(page.url()).pathname);
    await page.getByLabel("приостановить", { exact: true }).check();
    await page.getByLabel(/Дней приостановки/).fill("3");
    await page.getByLabel(/Причина/).fill("оскорбления в разговоре");
    await page.getByRole("button", { name: "Применить" }).click();
    await page.getByText(/Готово: решение записано/).waitFor();
    await nikita.expectMessage(/приостановлен модераторами/);
    // The other decisions, from the person's page, each reaching them through the bot.
    await page
      .getByRole("link", { name: /Ясный Дуб/ })
      .first()
      .click();
    pagesSeen.push(new URL(page.url()).pathname);
    for (const [action, heard] of [
      ["снять приостановку", /Доступ восстановлен/],
      ["предупредить", /Модераторы напоминают о правилах/],
      ["заблокировать", /закрыли для тебя доступ/],
      ["разблокировать", /Доступ восстановлен/],
    ] as const) {
      await page.getByLabel(action, { exact: true }).check();
      await page.getByRole("button", { name: "Применить" }).click();
      await page.getByText(/Готово: решение записано/).waitFor();
      await nikita.expectMessage(heard);
    }
    await page.close();
  });

  it("refuses a form whose CSRF token is not the session's", async () => {
    const page = await browser.newPage();
    await signIn(page, "lena");
    await page.goto(`${e2e.bot.url}/console/sos`);
    const form = page.locator("article").first().locator("form").first();
    await form.locator("input[name=csrf]").evaluate((el) => {
      (el as HTMLInputElement).value = "forged";
    });
    await form.locator("input[name=source]").fill("https://example.org");
    await form.getByRole("button", { name: "Проверено сегодня" }).click();
    await page.getByRole("heading", { name: "Форма устарела" }).waitFor();
    await page.close();
  });

  it("locks an account after five wrong passwords, also against the right one", async () => {
    const page = await browser.newPage();
    await setPassword(page, "oleg");
    for (let i = 0; i < 4; i++) {
      await signIn(page, "oleg", "не тот пароль");
      await page.getByText("Неверный логин или пароль.").waitFor();
    }
    await signIn(page, "oleg", "не тот пароль");
    await page.getByText(/вход закрыт до/).waitFor();
    await signIn(page, "oleg");
    await page.getByText(/вход закрыт до/).waitFor();
    await page.close();
  });

  it("marks an SOS line verified today with its source", async () => {
    const page = await browser.newPage();
    await signIn(page, "lena");
    await page.goto(`${e2e.bot.url}/console/sos`);
    const first = page.locator("article").first();
    const name = await first.locator("h2").textContent();
    await first.locator("input[name=source]").first().fill("https://example.org/checked-today");
    await first.getByRole("button", { name: "Проверено сегодня" }).click();
    await page.getByText("Отмечено: проверено сегодня.").waitFor();
    const today = new Date().toISOString().slice(0, 10);
    const entry = page.locator("article", { hasText: "https://example.org/checked-today" });
    expect(await entry.textContent()).toContain(`проверено: ${today}`);
    expect(name).toBeTruthy();
    await page.close();
  });

  it("every page passes axe's WCAG 2 A and AA rules (no serious or critical violation)", async () => {
    // The console's CSP allows only its own scripts; the audit's injected engine is let in for the test.
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, bypassCSP: true });
    const audit = async (path: string) => {
      await page.goto(`${e2e.bot.url}${path}`);
      await page.addScriptTag({ path: AXE });
      const violations = await page.evaluate(async () => {
        const axe = (
          window as unknown as {
            axe: {
              run: (
                ctx: Document,
                o: unknown,
              ) => Promise<{ violations: Array<{ id: string; impact: string; nodes: unknown[] }> }>;
            };
          }
        ).axe;
        const res = await axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] });
        return res.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }));
      });
      return violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => `${path}: ${v.id} ×${v.nodes}`);
    };
    const found = [...(await audit("/console/login"))];
    await signIn(page, "lena");
    await page.getByRole("heading", { name: "Очередь" }).waitFor();
    // The report and the person pages the first test acted on.
    expect(pagesSeen).toHaveLength(2);
    for (const path of [
      "/console",
      ...pagesSeen,
      "/console/appeals",
      "/console/sos",
      "/console/tips",
      "/console/kpi",
    ])
      found.push(...(await audit(path)));
    expect(found).toEqual([]);
    await page.close();
  });

  it("downloads the tips ledger as CSV", async () => {
    const page = await browser.newPage();
    await signIn(page, "lena");
    await page.goto(`${e2e.bot.url}/console/tips`);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Скачать CSV" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^tips-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync((await download.path())!, "utf8");
    expect(csv.split("\n")[0]).toMatch(/recipient/i);
    await page.close();
  });
});
