import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type E2E, startE2E } from "../helpers/bot-process.ts";

/** Debian's chromium package (installed by .ci/run); playwright's own browser download cannot work here. */
function findChromium(): string | undefined {
  try {
    const path = execFileSync("sh", ["-c", "command -v chromium || command -v chromium-browser"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
    return path || undefined;
  } catch {
    return undefined; // `command -v` exits 1 when neither is on PATH
  }
}

const CHROMIUM = findChromium();
// .ci/run exports CI=true and installs chromium, so there a missing browser is a broken CI, not a skip.
const IS_CI = Boolean(process.env.CI) && !["0", "false"].includes(process.env.CI!.toLowerCase());
if (!CHROMIUM && !IS_CI) {
  console.warn(
    "SKIPPED the playground browser test: no `chromium` on PATH (Debian: apt-get install chromium). " +
      "It runs in CI (.ci/run installs chromium), where a missing browser fails the run.",
  );
}

it.runIf(!CHROMIUM && IS_CI)("Chromium is installed where CI runs the browser test", () => {
  throw new Error(
    "CI is set but `command -v chromium` found nothing: .ci/run should have installed Debian's chromium package.",
  );
});

describe.skipIf(!CHROMIUM)("the sandbox playground in a real browser", () => {
  let e2e: E2E;
  let browser: Browser;
  beforeAll(async () => {
    e2e = await startE2E({ mode: "polling" });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--no-first-run",
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await e2e?.close();
  });

  it("adds two people, runs /start for both, presses a button and shows the result live", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(e2e.sandbox.url);
    for (const name of ["Алиса", "Борис"]) {
      await page.getByTestId("new-user-name").fill(name);
      await page.getByTestId("add-user").click();
    }
    const chats = page.getByTestId("chat");
    await expect.poll(() => chats.count()).toBe(2);
    for (const name of ["Алиса", "Борис"]) {
      const chat = page.locator("[data-testid=chat]", { has: page.getByTestId("user-name").getByText(name) });
      await chat.getByTestId("composer-input").fill("/start");
      await chat.getByTestId("send").click();
      await chat.getByText(/не психотерапия/).waitFor({ timeout: 10_000 });
    }
    const alice = page.locator("[data-testid=chat]", {
      has: page.getByTestId("user-name").getByText("Алиса"),
    });
    await alice.getByTestId("inline-button").getByText("Дальше →").click();
    // The bot edits the card in place; the page applies the edit live.
    await alice.getByText(/Как говорить бережно/).waitFor({ timeout: 10_000 });
    const bob = page.locator("[data-testid=chat]", { has: page.getByTestId("user-name").getByText("Борис") });
    expect(await bob.getByText(/Как говорить бережно/).count()).toBe(0);
    mkdirSync("test-results", { recursive: true });
    await page.screenshot({ path: "test-results/playground.png", fullPage: true });
  });
});
