import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..", "..");

function run(
  script: string,
  input: string,
  args: string[] = [],
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(root, "scripts", script), ...args], {
      cwd: root,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (d: string) => {
      out += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, out }));
    child.stdin.end(input);
  });
}

describe("safety CLI", () => {
  it("prints one verdict per input line with exactly the agreed keys, and exits 0 at EOF", async () => {
    const { code, out } = await run("safety-cli.ts", "ты тупая\n\nхочу выйти в окно\nблин, устала\n");
    expect(code).toBe(0);
    const lines = out.trimEnd().split("\n");
    expect(lines).toHaveLength(4);
    const verdicts = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const v of verdicts) expect(Object.keys(v)).toEqual(["toxic", "crisis", "labels", "severity"]);
    expect(verdicts[0]).toMatchObject({ toxic: true, crisis: false, labels: ["insult"] });
    expect(lines[1]).toBe('{"toxic":false,"crisis":false,"labels":[],"severity":0}');
    expect(verdicts[2]).toMatchObject({ toxic: false, crisis: true, severity: 3 });
    expect(verdicts[3]).toEqual({ toxic: false, crisis: false, labels: [], severity: 0 });
  });

  it("handles a last line without a newline and CRLF line ends", async () => {
    const { code, out } = await run("safety-cli.ts", "привет\r\nты дура");
    expect(code).toBe(0);
    const lines = out.trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[1]!)).toMatchObject({ toxic: true });
  });
});

describe("anonymize CLI", () => {
  it("prints each line anonymised, keeps empty lines, takes pseudonyms, exits 0", async () => {
    const { code, out } = await run(
      "anonymize-cli.ts",
      "Меня зовут Анна, +7 999 123-45-67\n\nРомашка, привет\n",
      ["--peer=Ромашка"],
    );
    expect(code).toBe(0);
    expect(out).toBe("Меня зовут [ИМЯ], [ТЕЛЕФОН]\n\n[СОБЕСЕДНИК], привет\n");
  });
});
