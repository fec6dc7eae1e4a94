/**
 * The shape the code keeps (README «Layout», src/services/README.md): what ships is the bot — the
 * sandbox lives outside `src/` and is reached only by the one dynamic import of `BOT_MODE=sandbox`;
 * services and domain logic import neither grammY nor Fastify.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../../..");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith(".ts") ? [path] : [];
  });
}

const IMPORT = /(?:from|import)\s*\(?\s*["']([^"']+)["']/g;

function importsOf(file: string): string[] {
  return [...readFileSync(file, "utf8").matchAll(IMPORT)].map((m) => m[1]!);
}

describe("layers", () => {
  const src = sourceFiles(join(ROOT, "src"));

  it("production code reaches the sandbox only through the dynamic import of BOT_MODE=sandbox", () => {
    const reaching = src.flatMap((file) =>
      importsOf(file)
        .filter((spec) => spec.includes("/sandbox/"))
        .map((spec) => `${relative(ROOT, file)} → ${spec}`),
    );
    expect(reaching).toEqual(["src/wiring/bot.ts → ../../sandbox/index.ts"]);
    const wiring = readFileSync(join(ROOT, "src/wiring/bot.ts"), "utf8");
    expect(wiring).toMatch(/await import\("\.\.\/\.\.\/sandbox\/index\.ts"\)/);
  });

  it("services and the domain import neither grammY nor Fastify", () => {
    const offending = src
      .filter((f) => /src\/(services|domain)\//.test(f))
      .flatMap((file) =>
        importsOf(file)
          .filter((spec) => /^(grammy|@grammyjs\/|fastify|@fastify\/)/.test(spec))
          .map((spec) => `${relative(ROOT, file)} → ${spec}`),
      );
    expect(offending).toEqual([]);
  });
});
