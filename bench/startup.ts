import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../tests/helpers/bot-process.ts";
import { flag, ms, numFlag, ROOT, stats, uptime, writeResults } from "./lib/common.ts";

/**
 * Start-up on the embedded database (PGlite + in-process queue, sandbox mode — what `npm start` does
 * with no configuration): time from spawning the process to its ready line, on a fresh DATA_DIR
 * (migrations + seed) and on a warm restart of the same DATA_DIR. Baselines in the same run: Node's own
 * start (`node -e "console.log('ready')"`) and Node with the tsx loader.
 *
 *   npx tsx bench/run.ts startup [--runs=5] [--npm]
 *
 * `--npm` also times `npm start` itself (npm → tsx CLI → node), fresh and warm.
 */

const READY = /is ready .*?in ([\d.]+)s: API (http:\/\/\S+?),?(\s|$)/;

interface Timed {
  readyMs: number;
  /** What the process itself printed ("ready … in X s"), from main() start to listening. */
  selfReportedMs?: number;
  stopMs?: number;
  exitCode: number | null;
  /** Spawn → the log line saying migrations were applied (first start only). */
  migrationsMs?: number;
  /** Spawn → the HTTP server's «Server listening» log line. */
  listeningMs?: number;
}

const MARKS: Record<"migrationsMs" | "listeningMs", RegExp> = {
  migrationsMs: /"applied":\[/,
  listeningMs: /Server listening/,
};

/** Environment of an unconfigured `npm start`: nothing but ports and a data directory. */
function cleanEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined) continue;
    if (k === "NODE_OPTIONS" || k.startsWith("VITEST") || k.startsWith("npm_")) continue;
    if (
      [
        "DATABASE_URL",
        "REDIS_URL",
        "REDIS_PREFIX",
        "TELEGRAM_BOT_TOKEN",
        "TELEGRAM_API_ROOT",
        "BOT_MODE",
        "WEBHOOK_URL",
        "WEBHOOK_SECRET",
        "PORT",
        "SANDBOX_PORT",
        "DATA_DIR",
        "NODE_ENV",
      ].includes(k)
    )
      continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

/** Spawns, resolves when a stdout/stderr line matches `ready`, then stops it (SIGTERM to the group). */
async function timeToLine(
  cmd: string,
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
  exitsByItself = false,
): Promise<Timed> {
  const t0 = performance.now();
  const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const output: string[] = [];
  let buffered = "";
  const marks: Partial<Record<keyof typeof MARKS, number>> = {};
  const hit = await new Promise<{ at: number; line: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready in 60 s:\n${output.join("\n")}`)), 60_000);
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) {
        output.push(line);
        for (const [k, re] of Object.entries(MARKS) as Array<[keyof typeof MARKS, RegExp]>)
          if (marks[k] === undefined && re.test(line)) marks[k] = performance.now() - t0;
        if (ready.test(line)) {
          clearTimeout(timer);
          resolve({ at: performance.now(), line });
        }
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    void exited.then((code) => {
      clearTimeout(timer);
      // A process that prints its line and exits (the baselines) resolves above first.
      setTimeout(() => reject(new Error(`exited with ${code} before ready:\n${output.join("\n")}`)), 50);
    });
  });
  const readyMs = hit.at - t0;
  const m = READY.exec(hit.line);
  let stopMs: number | undefined;
  if (!exitsByItself) {
    const s0 = performance.now();
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch {}
    const code = await Promise.race([
      exited,
      new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 20_000)),
    ]);
    if (code === "timeout") {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {}
      await exited;
    }
    // npm start: npm exits on the signal at once; wait for the whole group (tsx, node) to be gone,
    // so the next start never overlaps with a previous process holding the same DATA_DIR.
    const groupUntil = performance.now() + 20_000;
    while (performance.now() < groupUntil) {
      try {
        process.kill(-child.pid!, 0);
        await new Promise((r) => setTimeout(r, 20));
      } catch {
        break;
      }
    }
    stopMs = performance.now() - s0;
  }
  const exitCode = await exited;
  return {
    readyMs,
    ...(m ? { selfReportedMs: Number(m[1]) * 1000 } : {}),
    ...(stopMs !== undefined ? { stopMs } : {}),
    ...marks,
    exitCode,
  };
}

export async function main(argv: string[]): Promise<void> {
  const runs = numFlag(argv, "runs", 5);
  const withNpm = argv.includes("--npm") || flag(argv, "npm") === "1";
  const loadBefore = uptime();
  console.log(`startup bench: ${runs} runs${withNpm ? " (with npm start)" : ""}`);
  console.log(`  ${loadBefore}`);

  const samples: Record<string, Timed[]> = {};
  const add = (k: string, t: Timed) => {
    const list = samples[k];
    if (list) list.push(t);
    else samples[k] = [t];
  };
  const readyLine = /is ready /;
  const node = process.execPath;

  for (let r = 0; r < runs; r++) {
    // Baselines: the Node start floor, and Node with the tsx loader (what the app starts with).
    add(
      "baseline: node -e",
      await timeToLine(node, ["-e", "console.log('ready')"], cleanEnv({}), /^ready$/, true),
    );
    add(
      "baseline: node --import tsx -e",
      await timeToLine(
        node,
        ["--import", "tsx", "-e", "console.log('ready')"],
        cleanEnv({}),
        /^ready$/,
        true,
      ),
    );

    const variants: Array<{ name: string; cmd: string; args: string[] }> = [
      {
        name: "node --import tsx src/main.ts all",
        cmd: node,
        args: ["--import", "tsx", "src/main.ts", "all"],
      },
      ...(withNpm ? [{ name: "npm start", cmd: "npm", args: ["start", "--silent"] }] : []),
    ];
    for (const v of variants) {
      const dataDir = mkdtempSync(join(tmpdir(), "tno-bench-startup-"));
      try {
        const env = cleanEnv({
          DATA_DIR: dataDir,
          HOST: "127.0.0.1",
          PORT: String(await freePort()),
          SANDBOX_PORT: String(await freePort()),
        });
        const first = await timeToLine(v.cmd, v.args, env, readyLine);
        add(`${v.name} — first start (fresh DATA_DIR: migrations)`, first);
        const warm = await timeToLine(v.cmd, v.args, env, readyLine);
        add(`${v.name} — warm restart`, warm);
        console.log(
          `  run ${r + 1}: ${v.name}: first ${ms(first.readyMs)} ms, warm ${ms(warm.readyMs)} ms (exit codes ${first.exitCode}/${warm.exitCode})`,
        );
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    }
  }
  const loadAfter = uptime();

  const table = Object.entries(samples).map(([name, list]) => {
    const ready = stats(list.map((t) => t.readyMs));
    const self = list.some((t) => t.selfReportedMs !== undefined)
      ? stats(list.filter((t) => t.selfReportedMs !== undefined).map((t) => t.selfReportedMs!))
      : undefined;
    const stop = list.some((t) => t.stopMs !== undefined)
      ? stats(list.filter((t) => t.stopMs !== undefined).map((t) => t.stopMs!))
      : undefined;
    const mark = (k: "migrationsMs" | "listeningMs") =>
      list.some((t) => t[k] !== undefined)
        ? stats(list.filter((t) => t[k] !== undefined).map((t) => t[k]!))
        : undefined;
    return {
      name,
      ready,
      self,
      stop,
      migrations: mark("migrationsMs"),
      listening: mark("listeningMs"),
      exitCodes: list.map((t) => t.exitCode),
    };
  });
  const floor = table.find((t) => t.name === "baseline: node -e")!.ready.p50;
  console.log(`\n${loadAfter}`);
  console.log("\nspawn → ready line, embedded database (PGlite), sandbox mode\n");
  console.log(
    "| process | n | median | max | min | × node floor (median) | self-reported start (median) | → migrations applied (median) | → server listening (median) | SIGTERM → exit (median) |",
  );
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const t of table) {
    console.log(
      `| ${t.name} | ${t.ready.n} | ${ms(t.ready.p50)} ms | ${ms(t.ready.max)} ms | ${ms(t.ready.min)} ms | ${(t.ready.p50 / floor).toFixed(1)}× | ${t.self ? `${ms(t.self.p50)} ms` : "—"} | ${t.migrations ? `${ms(t.migrations.p50)} ms` : "—"} | ${t.listening ? `${ms(t.listening.p50)} ms` : "—"} | ${t.stop ? `${ms(t.stop.p50)} ms` : "—"} |`,
    );
  }
  const file = writeResults("startup", { runs, withNpm, loadBefore, loadAfter, results: table });
  console.log(`\nwritten ${file}`);
}
