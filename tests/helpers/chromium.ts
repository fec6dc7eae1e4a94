import { execFileSync } from "node:child_process";

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

export const CHROMIUM = findChromium();
/** .ci/run exports CI=true and installs chromium, so there a missing browser is a broken CI, not a skip. */
export const IS_CI = Boolean(process.env.CI) && !["0", "false"].includes(process.env.CI!.toLowerCase());
