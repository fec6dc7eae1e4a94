import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type E2E, startE2E } from "../helpers/bot-process.ts";
import { CHROMIUM, IS_CI } from "../helpers/chromium.ts";
import { solidPng } from "../helpers/png.ts";

if (!CHROMIUM && !IS_CI) {
  console.warn(
    "SKIPPED the playground browser test: no `chromium` on PATH (Debian: apt-get install chromium). " +
      "It runs in CI (.ci/run installs chromium), where a missing browser fails the run.",
  );
}

/**
 * Screenshots of every step at both widths, kept by CI as artefacts (gitignored): one folder per storage
 * mode, since .ci/run runs the suite embedded and against PostgreSQL + Redis. Emptied at the start of a run.
 */
const SCREENSHOT_DIR = join(
  new URL("../../", import.meta.url).pathname,
  "artifacts",
  "playground",
  process.env.DATABASE_URL ? "servers" : "embedded",
);

it.runIf(!CHROMIUM && IS_CI)("Chromium is installed where CI runs the browser test", () => {
  throw new Error(
    "CI is set but `command -v chromium` found nothing: .ci/run should have installed Debian's chromium package.",
  );
});

/** What a person sees of the bot right now, read from the page. */
interface BotView {
  /** Bot messages, newest first (at most 3), with their inline buttons and command links. */
  recent: Array<{ id: string; text: string; buttons: string[]; commands: string[] }>;
  count: number;
  replyButtons: string[];
}

function readBotView(chat: Locator): Promise<BotView> {
  return chat.evaluate((el) => {
    const msgs = Array.from(el.querySelectorAll("[data-testid=message][data-from=bot]:not(.deleted)"));
    const recent = msgs
      .slice(-3)
      .reverse()
      .map((m) => {
        const id = m.getAttribute("data-message-id") ?? "";
        const kb = el.querySelector(`[data-testid=inline-keyboard][data-message-id="${id}"]`);
        return {
          id,
          text: m.querySelector("[data-testid=text]")?.textContent ?? "",
          buttons: kb
            ? Array.from(kb.querySelectorAll("[data-testid=inline-button]")).map((b) => b.textContent ?? "")
            : [],
          commands: Array.from(m.querySelectorAll("[data-testid=command-link]")).map(
            (a) => a.getAttribute("data-command") ?? "",
          ),
        };
      });
    const replyButtons = Array.from(
      el.querySelectorAll("[data-testid=reply-keyboard]:not([hidden]) [data-testid=reply-button]"),
    ).map((b) => b.textContent ?? "");
    return { recent, count: msgs.length, replyButtons };
  });
}

/**
 * Buttons that move a newcomer forward, in the order they are preferred when a message offers several
 * («Любое время» before «Готово», «Готово» before «Пропустить»). Matched as prefixes, so «Готово ✓»,
 * «Дальше →» and a one-tap «Мне есть 18, принимаю правила» all count. Covers the current onboarding and
 * the shortened one being written (fewer cards, 18+ and rules in one tap, «Найти собеседника» at the end).
 */
const FORWARD_LABELS = [
  "Дальше",
  "Далее",
  "Мне есть 18",
  "Да, мне 18",
  "Понятно, принимаю",
  "Принимаю",
  "Москва",
  "Поддержки",
  "Непростые — да",
  "Любое время",
  "Нет, только когда ищу",
  "Готово",
  "Пропустить",
  "Найти собеседника",
  "🔍 Найти собеседника",
];
/** Topic groups and topics both people pick, so that they match: [group, topic]. */
const SHARED_TOPICS: Array<[string, string]> = [
  ["Работа и деньги", "Выгорание"],
  ["Переезд и новая жизнь", "Переезд"],
];
const SEARCHING = /Ищу собеседника|Я уже ищу/;

/**
 * Gets one person from wherever they are (usually /start) to a running search, only by reading the page
 * and clicking or typing what the bot offers — so it keeps working when onboarding changes. At most
 * `maxSteps` actions; fails with what the bot showed last.
 */
async function reachSearch(chat: Locator, nickname: string, maxSteps = 70): Promise<void> {
  const done = new Set<string>(); // message id + text + action: never the same action on the same screen twice
  const chosenTopics = new Set<string>();
  const clickInline = (messageId: string, label: string) =>
    chat
      .locator(`[data-testid=inline-keyboard][data-message-id="${messageId}"]`)
      .getByRole("button", { name: label, exact: true })
      .click();
  let view = await readBotView(chat);
  for (let step = 0; step < maxSteps; step++) {
    if (view.recent.some((m) => SEARCHING.test(m.text))) return;
    const before = JSON.stringify(view);
    const act = await chooseAction(view);
    if (act) await act();
    // Wait for the bot to change what the person sees (a new message, an edit, another keyboard).
    const deadline = Date.now() + (act ? 10_000 : 2_000);
    do {
      await new Promise((r) => setTimeout(r, 50));
      view = await readBotView(chat);
    } while (JSON.stringify(view) === before && Date.now() < deadline);
  }
  throw new Error(
    `${nickname}: no «Ищу собеседника» after ${maxSteps} steps; the bot showed: ${JSON.stringify(view.recent)}`,
  );

  async function chooseAction(v: BotView): Promise<(() => Promise<void>) | undefined> {
    for (const m of v.recent) {
      const once = (action: string, run: () => Promise<void>) => {
        const key = `${m.id}|${m.text}|${action}`;
        if (done.has(key)) return undefined;
        return async () => {
          done.add(key);
          await run();
        };
      };
      if (/Как тебя называть|псевдоним/i.test(m.text) && m === v.recent[0]) {
        const typed = once("nickname", async () => {
          await chat.getByTestId("composer-input").fill(nickname);
          await chat.getByTestId("send").click();
        });
        if (typed) return typed;
      }
      if (m.buttons.length === 0) continue;
      // Topics: open the group of a shared topic, tick the topic, go back to the groups for the next one.
      const missing = SHARED_TOPICS.filter(([, topic]) => !chosenTopics.has(topic));
      for (const [group, topic] of missing) {
        if (m.buttons.includes(topic)) {
          return async () => {
            chosenTopics.add(topic);
            await clickInline(m.id, topic);
          };
        }
        if (m.buttons.includes(`✅ ${topic}`)) chosenTopics.add(topic);
        const groupButton = m.buttons.find((b) => b === group || b.startsWith(`${group} (`));
        if (groupButton && !chosenTopics.has(topic)) return () => clickInline(m.id, groupButton);
      }
      const back = m.buttons.find((b) => b.startsWith("← К разделам"));
      if (back && SHARED_TOPICS.some(([, topic]) => !chosenTopics.has(topic)))
        return () => clickInline(m.id, back);
      for (const label of FORWARD_LABELS) {
        const button = m.buttons.find((b) => b.startsWith(label));
        const action = button && once(button, () => clickInline(m.id, button));
        if (action) return action;
      }
    }
    const find = v.replyButtons.find((b) => /Найти собеседника/.test(b));
    if (find) {
      const key = `reply|${v.count}|${find}`;
      if (!done.has(key)) {
        return async () => {
          done.add(key);
          await chat.getByTestId("reply-button").filter({ hasText: find }).click();
        };
      }
    }
    // «Профиль готов 🎉 Когда захочешь поговорить — /find»: the command in the text is a link.
    const newest = v.recent[0];
    if (newest?.commands.includes("/find")) {
      const key = `${newest.id}|${newest.text}|/find`;
      if (!done.has(key)) {
        return async () => {
          done.add(key);
          await chat
            .locator(`[data-testid=message][data-message-id="${newest.id}"] [data-testid=command-link]`)
            .filter({ hasText: "/find" })
            .first()
            .click();
        };
      }
    }
    return undefined;
  }
}

const chatOf = (page: Page, name: string): Locator =>
  page.locator("[data-testid=chat]", { has: page.getByTestId("user-name").getByText(name, { exact: true }) });

/** The newest bot message (text or caption) matching, as the person sees it. */
const botMessage = (chat: Locator, text: RegExp): Locator =>
  chat.locator("[data-testid=message][data-from=bot]").filter({ hasText: text }).last();

async function noSidewaysScroll(page: Page, width: number): Promise<void> {
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(scrollWidth, "the page must not scroll sideways").toBeLessThanOrEqual(width);
}

/** On a phone one person fills the screen: their tab brings their column into view. */
async function showPerson(page: Page, name: string): Promise<void> {
  await page.getByTestId("person-tab").filter({ hasText: name }).click();
  await expect.poll(async () => (await chatOf(page, name).boundingBox())?.x).toBeLessThan(20);
}

/** Every control of this person's composer lies on screen once their column is shown. */
async function controlsReachable(page: Page, name: string, width: number): Promise<void> {
  await showPerson(page, name);
  const chat = chatOf(page, name);
  for (const id of ["menu-button", "attach", "composer-input", "send", "block"]) {
    const box = await chat.getByTestId(id).boundingBox();
    expect(box, `${id} is shown`).not.toBeNull();
    expect(box!.x, `${id} starts on screen`).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width, `${id} ends on screen`).toBeLessThanOrEqual(width + 0.5);
  }
  await noSidewaysScroll(page, width);
}

describe.skipIf(!CHROMIUM)("the sandbox playground in a real browser", () => {
  let browser: Browser;
  beforeAll(async () => {
    rmSync(SCREENSHOT_DIR, { recursive: true, force: true });
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
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
  });

  for (const viewport of [
    {
      name: "desktop",
      width: 1280,
      height: 800,
      people: ["Алиса", "Борис"],
      nicknames: ["Тихая Сова", "Смелый Кит"],
    },
    {
      name: "phone",
      width: 390,
      height: 844,
      people: ["Вера", "Глеб"],
      nicknames: ["Ясная Лань", "Добрый Барсук"],
    },
  ] as const) {
    it(`${viewport.name} ${viewport.width}×${viewport.height}: two people go from /start to a relayed photo and a tip using only the page`, async () => {
      const e2e: E2E = await startE2E({ mode: "polling" });
      const page = await browser.newPage({ viewport: { width: viewport.width, height: viewport.height } });
      const shot = (step: string) =>
        page.screenshot({ path: join(SCREENSHOT_DIR, `${viewport.name}-${step}.png`) });
      try {
        await page.goto(e2e.sandbox.url);
        const [nameA, nameB] = viewport.people;
        for (const name of viewport.people) {
          await page.getByTestId("new-user-name").fill(name);
          await page.getByTestId("add-user").click();
          await chatOf(page, name).waitFor();
        }
        const a = chatOf(page, nameA);
        const b = chatOf(page, nameB);
        // No reply keyboard, no reply bar and no attachment yet: hidden, not empty strips.
        for (const id of ["reply-keyboard", "replying", "attachment"]) {
          expect(await a.getByTestId(id).isVisible(), `${id} is hidden`).toBe(false);
        }

        // /start from the bot's command menu (setMyCommands), as a newcomer taps it in Telegram.
        for (const chat of [a, b]) {
          await chat.getByTestId("menu-button").click();
          await expect.poll(() => chat.getByTestId("command-item").count()).toBeGreaterThan(5);
          await chat.getByTestId("command-item").filter({ hasText: "/start" }).click();
          await botMessage(chat, /не психотерапия/).waitFor({ timeout: 15_000 });
        }
        if (viewport.width < 600) await controlsReachable(page, nameA, viewport.width);
        await shot("1-start");

        await reachSearch(a, viewport.nicknames[0]);
        await reachSearch(b, viewport.nicknames[1]);
        for (const chat of [a, b]) await botMessage(chat, /Нашёлся человек/).waitFor({ timeout: 20_000 });
        await shot("2-proposal");
        for (const chat of [a, b]) {
          await chat.getByTestId("inline-button").filter({ hasText: "✅ Принять" }).last().click();
        }
        for (const chat of [a, b]) await botMessage(chat, /Собеседник — /).waitFor({ timeout: 15_000 });

        await a.getByTestId("composer-input").fill("Привет! Как ты сегодня?");
        await a.getByTestId("send").click();
        await botMessage(b, /Как ты сегодня/).waitFor({ timeout: 10_000 });

        // A real PNG, chosen in the browser's file dialog, relayed to the other person and drawn there.
        const png = solidPng(64, 48, [51, 144, 236]);
        await a.getByTestId("attach").click();
        const [chooser] = await Promise.all([
          page.waitForEvent("filechooser"),
          a.getByTestId("attach-option").filter({ hasText: "Фото с диска" }).click(),
        ]);
        await chooser.setFiles({ name: "sky.png", mimeType: "image/png", buffer: png });
        await expect.poll(() => a.getByTestId("attachment").textContent()).toContain("sky.png");
        await a.getByTestId("composer-input").fill("Вид из окна");
        await a.getByTestId("send").click();
        const relayed = b.locator("[data-testid=message][data-from=bot] [data-testid=photo]").last();
        await relayed.waitFor({ timeout: 10_000 });
        await expect
          .poll(() => relayed.evaluate((img: HTMLImageElement) => `${img.naturalWidth}×${img.naturalHeight}`))
          .toBe("64×48");
        await botMessage(b, /Вид из окна/).waitFor();
        if (viewport.width < 600) {
          await controlsReachable(page, nameB, viewport.width);
          await shot("3-photo-received");
          await showPerson(page, nameA);
        }
        await shot(viewport.width < 600 ? "3-photo-sent" : "3-photo");
        // What the bot received is what Telegram delivers: photo sizes of the real picture.
        const photoUpdate = e2e.sandbox.world.updates.find(
          (u) => u.type === "message" && "photo" in (u.update.message as object),
        );
        const sizes = (photoUpdate?.update.message as { photo?: Array<{ width: number }> } | undefined)
          ?.photo;
        expect(sizes?.at(-1)?.width).toBe(64);

        // A tip with Stars, from the command menu, paid with the invoice's Pay button.
        await a.getByTestId("menu-button").click();
        await a.getByTestId("command-item").filter({ hasText: "/tips" }).click();
        await a
          .locator("[data-testid=inline-button]")
          .filter({ hasText: /^5 ⭐$/ })
          .last()
          .click({ timeout: 10_000 });
        await a.getByTestId("invoice").last().waitFor({ timeout: 10_000 });
        await a.locator("[data-testid=inline-button].pay").last().click();
        await botMessage(a, /Оплата прошла/).waitFor({ timeout: 15_000 });
        await botMessage(b, /поблагодарил тебя звёздами/).waitFor({ timeout: 15_000 });
        if (viewport.width < 600) {
          await noSidewaysScroll(page, viewport.width);
          await showPerson(page, nameB);
          await shot("4-tip-received");
          await showPerson(page, nameA);
        }
        await shot("4-tip");

        if (viewport.width >= 600) {
          // Report evidence: the command in the bot's text is a link, and a message is forwarded from the page.
          await botMessage(b, /Собеседник — /)
            .getByTestId("command-link")
            .filter({ hasText: "/report" })
            .click();
          await b.getByRole("button", { name: "Оскорбления", exact: true }).last().click();
          await botMessage(b, /переслать сюда сообщения/).waitFor({ timeout: 10_000 });
          await b
            .locator("[data-testid=message]", { has: page.getByTestId("photo") })
            .last()
            .getByTestId("forward")
            .click();
          await botMessage(b, /прикреплено к жалобе/).waitFor({ timeout: 10_000 });
          const forwarded = e2e.sandbox.world.updates.findLast((u) => u.type === "message");
          expect(forwarded?.update.message).toMatchObject({ forward_origin: { type: "user" } });
          await b.getByRole("button", { name: "Отправить жалобу", exact: true }).last().click();
          await botMessage(b, /жалоба отправлена/).waitFor({ timeout: 10_000 });

          // /export: the bot's document opens from the page.
          await a.getByTestId("composer-input").fill("/export");
          await a.getByTestId("send").click();
          const open = a.getByTestId("open-document").last();
          await open.waitFor({ timeout: 10_000 });
          const [tab] = await Promise.all([page.context().waitForEvent("page"), open.click()]);
          await tab.waitForLoadState();
          expect(JSON.parse((await tab.textContent("body")) ?? "")).toBeTypeOf("object");
          await tab.close();
          await shot("5-report-and-export");
        }

        // The developer panel: the calls and updates of this flow, bounded, with their answers.
        await page.getByTestId("raw-panel").locator("summary").first().click();
        const entries = page.getByTestId("raw-entry");
        await expect.poll(() => entries.count()).toBeGreaterThan(20);
        expect(await entries.count()).toBeLessThanOrEqual(200);
        const invoiceCall = entries
          .filter({ has: page.locator("summary", { hasText: "sendInvoice" }) })
          .first();
        await invoiceCall.locator("summary").click();
        await expect.poll(() => invoiceCall.locator("pre").textContent()).toContain('"currency": "XTR"');
        if (viewport.width < 600) await noSidewaysScroll(page, viewport.width);
        await shot("6-raw-panel");
      } catch (err) {
        await shot("failure").catch(() => undefined);
        throw err;
      } finally {
        await page.close();
        await e2e.close();
      }
    }, 240_000);
  }
});
