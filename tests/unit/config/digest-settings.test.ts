import { describe, expect, it } from "vitest";
import { processClock, systemClock } from "../../../src/clock.ts";
import { ConfigError, loadConfig } from "../../../src/config.ts";

const PRODUCTION = {
  NODE_ENV: "production",
  BOT_MODE: "polling",
  TELEGRAM_BOT_TOKEN: "123456:abcdefghijklmnopqrstuvwxyz",
  LOG_HASH_SECRET: "a".repeat(32),
  INTERNAL_API_SECRET: "b".repeat(32),
  ADMIN_TOKEN: "c".repeat(32),
  TIP_PAYLOAD_SECRET: "d".repeat(32),
};

describe("the weekly digest's settings and the test clock", () => {
  it("defaults: everyone opted in gets the digest, looked for every minute, the clock not shifted", () => {
    const c = loadConfig({});
    expect(c.DIGEST_ROLLOUT).toBe(100);
    expect(c.DIGEST_EVERY_MS).toBe(60_000);
    expect(c.CLOCK_OFFSET_MS).toBe(0);
    expect(processClock(c.CLOCK_OFFSET_MS)).toBe(systemClock);
  });

  it("refuses a rollout outside 0–100 with the variable named", () => {
    for (const bad of ["150", "-1", "abc"]) {
      let error: unknown = null;
      try {
        loadConfig({ DIGEST_ROLLOUT: bad });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).issues.map((i) => i.name)).toEqual(["DIGEST_ROLLOUT"]);
    }
  });

  it("refuses a shifted clock in production, allows it in tests", () => {
    expect(() => loadConfig({ ...PRODUCTION, CLOCK_OFFSET_MS: "604800000" })).toThrow(/CLOCK_OFFSET_MS/);
    expect(loadConfig(PRODUCTION).CLOCK_OFFSET_MS).toBe(0);
    const week = 7 * 24 * 3600_000;
    const c = loadConfig({ NODE_ENV: "test", CLOCK_OFFSET_MS: String(week) });
    const ahead = processClock(c.CLOCK_OFFSET_MS).now().getTime() - Date.now();
    expect(ahead).toBeGreaterThan(week - 1000);
    expect(ahead).toBeLessThanOrEqual(week);
  });
});
