import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

/**
 * The deploy step `npm run db:migrate` (compose `migrate`, the Helm pre-install Job) run as a real
 * process, with the exact launcher the containers use.
 */

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "tno-migrate-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const SECRETS = {
  LOG_HASH_SECRET: "log-hash-secret-0123456789",
  INTERNAL_API_SECRET: "internal-secret-0123456789",
  ADMIN_TOKEN: "admin-token-0123456789abcd",
  TIP_PAYLOAD_SECRET: "tip-payload-secret-0123456789",
};

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runMigrate(env: Record<string, string>): Promise<Run> {
  // Only what node needs from the parent: the developer's own .env-style variables must not leak in.
  const base: Record<string, string> = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? scratch };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "scripts/migrate.ts"],
      { cwd: ROOT, env: { ...base, ...env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe("npm run db:migrate", () => {
  it("stops with the readable list of problems and exit code 2 on a wrong configuration", async () => {
    const dataDir = join(scratch, "bad");
    const run = await runMigrate({ NODE_ENV: "production", PORT: "abc", DATA_DIR: dataDir });
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/^Configuration is invalid \(\d+ problems\):\n/);
    expect(run.stderr).toMatch(/PORT: expected an integer 0–65535, got "abc"/);
    for (const name of Object.keys(SECRETS)) {
      expect(run.stderr).toMatch(
        new RegExp(`${name}: expected a secret \\(required when NODE_ENV=production\\), got \\(not set\\)`),
      );
    }
    expect(run.stderr).toContain("See .env.example and the configuration table in README.md.");
    expect(run.stderr).not.toMatch(/\bat \S+\.ts:\d+/); // no stack trace
    expect(run.stderr).not.toMatch(/ConfigError|node:internal/);
    expect(run.stdout).toBe("");
    expect(existsSync(dataDir), "nothing is touched before the config is valid").toBe(false);
  });

  it("names only the missing secret when the rest of a production config is right", async () => {
    const run = await runMigrate({
      NODE_ENV: "production",
      ...SECRETS,
      TIP_PAYLOAD_SECRET: "",
      DATA_DIR: join(scratch, "one-missing"),
    });
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/^Configuration is invalid \(1 problem\):\n {2}- TIP_PAYLOAD_SECRET: /);
    expect(run.stderr).not.toMatch(/\bat \S+\.ts:\d+/);
  });

  it("with the secrets the docs list, applies the migrations once and exits 0", async () => {
    const env = { NODE_ENV: "production", ...SECRETS, DATA_DIR: join(scratch, "ok") };
    const first = await runMigrate(env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^Applied: /);
    const second = await runMigrate(env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toBe("Database is up to date.\n");
  });
});
