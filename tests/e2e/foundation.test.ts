import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { afterAll, describe, expect, it } from "vitest";
import { freePort, spawnBotProcess, startE2E } from "../helpers/bot-process.ts";
import { eventually } from "../helpers/eventually.ts";

describe("the real process", () => {
  // How fast it starts is measured in bench/startup.ts, not asserted here.
  it("starts embedded with nothing configured, prints one ready line, and keeps data across restarts", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "tno-start-"));
    const env = {
      DATA_DIR: dataDir,
      PORT: String(await freePort()),
      SANDBOX_PORT: String(await freePort()),
      DATABASE_URL: undefined,
      REDIS_URL: undefined,
      TELEGRAM_BOT_TOKEN: undefined,
      TELEGRAM_API_ROOT: undefined,
      BOT_MODE: undefined,
      NODE_ENV: undefined,
    };
    try {
      const first = await spawnBotProcess({ env });
      const readyLines = first.output.filter((l) => l.includes("is ready"));
      expect(readyLines).toHaveLength(1);
      expect(readyLines[0]).toMatch(/sandbox playground http:\/\/127\.0\.0\.1:\d+\//);
      const health = await fetch(`${first.url}/health`);
      expect(health.status).toBe(200);
      const ready = await fetch(`${first.url}/ready`);
      expect(await ready.json()).toMatchObject({ status: "ok" });
      expect(await first.stop()).toBe(0);

      // Data written between runs is still there after the next run: the database lives in DATA_DIR.
      const pglite = await PGlite.create(join(dataDir, "pglite"));
      await pglite.exec("insert into users (tg_id, nickname) values (123, 'Тихий Ёж')");
      await pglite.close();

      const second = await spawnBotProcess({ env });
      expect(second.output.join("\n")).not.toContain("migrations applied");
      expect(await second.stop()).toBe(0);
      const again = await PGlite.create(join(dataDir, "pglite"));
      const rows = await again.query<{ nickname: string }>("select nickname from users where tg_id = 123");
      await again.close();
      expect(rows.rows).toEqual([{ nickname: "Тихий Ёж" }]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("stops with a readable list and exit code 2 on wrong configuration", async () => {
    const err = await spawnBotProcess({
      env: { PORT: "abc", BOT_MODE: "webhook", REDIS_URL: "http://nope", TELEGRAM_BOT_TOKEN: undefined },
    }).then(
      () => {
        throw new Error("the process should not have started");
      },
      (e: Error) => e.message,
    );
    expect(err).toMatch(/exited with 2/);
    expect(err).toMatch(/PORT: expected an integer 0–65535, got "abc"/);
    expect(err).toMatch(/REDIS_URL: expected a redis:\/\/ URL, got \(hidden/);
    expect(err).toMatch(
      /TELEGRAM_BOT_TOKEN: expected a token \(required when BOT_MODE=webhook\), got \(not set\)/,
    );
    expect(err).toMatch(/WEBHOOK_SECRET/);
    expect(err).not.toMatch(/\bat \S+\.ts:\d+/); // no stack trace
  });

  it("refuses the unauthenticated sandbox in production: with no token, and with BOT_MODE=sandbox", async () => {
    const secrets = {
      NODE_ENV: "production",
      LOG_HASH_SECRET: "production-log-hash-secret-0123456789",
      INTERNAL_API_SECRET: "production-internal-secret-0123456789",
      ADMIN_TOKEN: "production-admin-token-0123456789",
      TIP_PAYLOAD_SECRET: "production-tip-secret-0123456789",
    };
    for (const env of [
      { ...secrets, TELEGRAM_BOT_TOKEN: undefined, BOT_MODE: undefined },
      { ...secrets, TELEGRAM_BOT_TOKEN: "123456:production-token", BOT_MODE: "sandbox" },
    ]) {
      const err = await spawnBotProcess({ env }).then(
        () => {
          throw new Error("the process should not have started");
        },
        (e: Error) => e.message,
      );
      expect(err).toMatch(/exited with 2/);
      expect(err).toMatch(/BOT_MODE: expected webhook or polling[^\n]*refused when NODE_ENV=production/);
    }
  });
});

for (const mode of ["polling", "webhook"] as const) {
  describe(`the bot in ${mode} mode against the sandbox`, () => {
    let e2e: Awaited<ReturnType<typeof startE2E>>;
    afterAll(async () => {
      await e2e?.close();
    });

    it("registers the Russian command menu and answers /help; SIGTERM exits cleanly", async () => {
      e2e = await startE2E({ mode });
      const info = await e2e.client.botInfo();
      expect(info.commands.map((c) => c.command)).toEqual([
        "start",
        "profile",
        "find",
        "end",
        "timer",
        "tips",
        "report",
        "block",
        "sos",
        "help",
        "export",
        "appeal",
        "delete",
      ]);
      const anna = await e2e.client.user("Анна");
      await anna.send("/help");
      await anna.expectMessage(/не психотерапия/);
      await eventually(async () => {
        const metrics = await (await fetch(`${e2e.bot.url}/metrics`)).text();
        expect(metrics).toMatch(/bot_update_duration_seconds_count\{type="message",outcome="ok"\} [1-9]/);
        expect(metrics).toMatch(/telegram_api_calls_total\{method="sendMessage",outcome="ok"\} [1-9]/);
        expect(metrics).toMatch(/telegram_api_call_duration_seconds_count\{method="sendMessage"\} [1-9]/);
      });
      expect(await e2e.bot.stop()).toBe(0);
    });
  });
}
