/**
 * What `npm start` prints: readable lines for a person at a terminal (LOG_FORMAT=auto with a TTY, or
 * LOG_FORMAT=pretty), JSON for machines (auto without a TTY, or json). Redaction holds either way.
 * A child process, because the format depends on the process's own stdout.
 */
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";

const SCRIPT = `
import { createLogger } from "./src/logger.ts";
const format = process.env.FORMAT;
const logger = createLogger({ level: "info", format });
logger.info({ text: "мне очень плохо", step: "ready" }, "bot ready");
`;

function run(format: string): string {
  return execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", SCRIPT], {
    cwd: process.cwd(),
    env: { ...process.env, FORMAT: format, FORCE_COLOR: "0", NO_COLOR: "1" },
    encoding: "utf8",
  });
}

describe("log format", () => {
  it("pretty: one readable line per entry, with the personal text still redacted", () => {
    const out = run("pretty");
    expect(out.trimStart().startsWith("{")).toBe(false);
    expect(out).toMatch(/INFO.*bot ready/);
    expect(out).toContain("[redacted]");
    expect(out).not.toContain("мне очень плохо");
  });

  it("auto without a terminal (CI, containers, pipes) and json: one JSON object per line", () => {
    for (const format of ["auto", "json"]) {
      const lines = run(format).trim().split("\n");
      expect(lines).toHaveLength(1);
      const entry = JSON.parse(lines[0]!);
      expect(entry).toMatchObject({ level: 30, msg: "bot ready", text: "[redacted]", step: "ready" });
    }
  });
});
