import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createManualClock } from "../../src/clock.ts";
import { readMigrations } from "../../src/db/migrate.ts";
import { createMemoryInfra } from "../../src/infra/memory.ts";
import { createServices } from "../../src/services/index.ts";
import { createTestDatabase, dropScratchDatabase, type TestDatabase } from "../helpers/db.ts";
import { makePerson, startChat } from "../helpers/fixtures.ts";

/**
 * `scripts/backup-restore-check.sh`, the backup and restore procedure of docs/runbook.md, run as the
 * operator runs it against a real PostgreSQL: a database with people, a chat, a report and an erasure
 * in it is dumped, restored into a scratch database and compared. Without DATABASE_URL (the embedded
 * CI run) or without pg_dump on PATH there is no server to dump, and those tests are skipped.
 */

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SCRIPT = join(ROOT, "scripts", "backup-restore-check.sh");
const BASE_URL = process.env.DATABASE_URL;
const HAS_PG_TOOLS = ["pg_dump", "pg_restore", "psql"].every(
  (tool) => spawnSync(tool, ["--version"], { stdio: "ignore" }).status === 0,
);
const NO_POSTGRES = !BASE_URL || !HAS_PG_TOOLS;
const NEEDS = "(needs DATABASE_URL and pg_dump, pg_restore, psql on PATH)";

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runScript(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      "bash",
      [SCRIPT, ...args],
      // Only what the tools need: no PG* variables of the developer's shell leak in.
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? tmpdir() },
        timeout: 80_000,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

async function query<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

/** Row count of every table of the public schema, as the manifest writes it. */
async function rowCounts(url: string): Promise<Map<string, number>> {
  const tables = await query<{ name: string }>(
    url,
    "select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1",
  );
  const counts = new Map<string, number>();
  for (const { name } of tables) {
    const [row] = await query<{ n: string }>(url, `select count(*) as n from "${name}"`);
    counts.set(`public.${name}`, Number(row!.n));
  }
  return counts;
}

function manifestOf(text: string) {
  const tables = new Map<string, number>();
  const migrations: string[] = [];
  for (const line of text.trim().split("\n")) {
    const [kind, name, value] = line.split(" ");
    if (kind === "table") tables.set(name!, Number(value));
    else if (kind === "migration") migrations.push(`${name} ${value}`);
    else throw new Error(`unexpected manifest line: ${line}`);
  }
  return { tables, migrations };
}

/** The database the script restored into, from its output. */
const restoredInto = (run: Run) => /restoring into database (\S+)/.exec(run.stdout)?.[1];

async function databaseExists(name: string): Promise<boolean> {
  const rows = await query(BASE_URL!, `select 1 from pg_database where datname = '${name}'`);
  return rows.length > 0;
}

const scratch = mkdtempSync(join(tmpdir(), "tno-backup-"));
let source: TestDatabase | undefined;
let dumped: Promise<Run> | undefined;
const dumpFile = join(scratch, "tno.dump");

/** The first form of the script, once per file: the backup the other tests restore. */
function backupOnce(): Promise<Run> {
  dumped ??= runScript(["--dump", dumpFile, source!.url!]);
  return dumped;
}

beforeAll(async () => {
  if (NO_POSTGRES) return;
  source = await createTestDatabase();
  const clock = createManualClock(new Date("2026-05-01T10:00:00Z"));
  const infra = createMemoryInfra({ now: () => clock.now().getTime() });
  const services = createServices({ db: source.db, infra, clock });
  // Rows in many tables, written the way the bot writes them.
  await services.sos.seedFromFile();
  const chat = await startChat(services, { topics: ["burnout", "anxiety"] });
  const reported = await services.moderation.report({ reporterId: chat.a, reason: "abuse" });
  if (!reported.ok) throw new Error(`report refused: ${reported.reason}`);
  await makePerson(services, { topics: ["divorce", "loss"], receiveProposals: true });
  const erased = await services.privacy.erase(chat.b);
  if (!erased.ok) throw new Error("erase refused");
  await infra.close();
});

afterAll(async () => {
  await source?.destroy();
  rmSync(scratch, { recursive: true, force: true });
});

describe("scripts/backup-restore-check.sh", () => {
  it("prints its usage and exits 2 without a database URL", async () => {
    const run = await runScript([]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("usage:");
    expect(run.stderr).toContain("--from-dump FILE");
  });

  it.skipIf(NO_POSTGRES)(
    `dumps, restores into a scratch database, finds the same row counts and migrations, and drops it ${NEEDS}`,
    async () => {
      const run = await backupOnce();
      expect(run.code, run.stderr + run.stdout).toBe(0);
      expect(run.stdout).toMatch(/OK: \d+ tables \(\d+ rows\) and \d+ migrations match/);

      // The manifest is the source as it is: every table with its rows, every migration applied.
      const manifest = manifestOf(readFileSync(`${dumpFile}.manifest`, "utf8"));
      const counts = await rowCounts(source!.url!);
      expect(manifest.tables).toEqual(counts);
      for (const table of [
        "public.users",
        "public.matches",
        "public.reports",
        "public.kept_apart_identities",
      ]) {
        expect(counts.get(table), table).toBeGreaterThan(0);
      }
      expect(manifest.migrations.map((m) => m.split(" ")[0])).toEqual(readMigrations().map((m) => m.tag));
      expect(manifest.migrations.map((m) => m.split(" ")[1])).toEqual(readMigrations().map((m) => m.hash));

      // The scratch copy is gone, and no URL credentials were printed.
      const name = restoredInto(run);
      expect(name).toMatch(/^tno_restore_check_/);
      expect(await databaseExists(name!)).toBe(false);
      expect(run.stdout).not.toMatch(/:\/\/[^/\s]*@/);
    },
  );

  it.skipIf(NO_POSTGRES)(
    `restores a dump into a kept database with --from-dump --keep, equal to the source ${NEEDS}`,
    async () => {
      expect((await backupOnce()).code).toBe(0);
      const name = `tno_test_restored_${process.pid}_${Date.now().toString(36)}`;
      const url = new URL(BASE_URL!);
      url.pathname = `/${name}`;
      try {
        const run = await runScript(["--from-dump", dumpFile, "--keep", name, BASE_URL!]);
        expect(run.code, run.stderr + run.stdout).toBe(0);
        expect(run.stdout).toContain(`kept database ${name}`);
        expect(await rowCounts(url.toString())).toEqual(await rowCounts(source!.url!));
        const [user] = await query<{ n: string }>(
          url.toString(),
          "select count(*) as n from users where status = 'deleted' and tg_id is null",
        );
        expect(Number(user!.n)).toBe(1);
      } finally {
        await dropScratchDatabase(BASE_URL!, url.toString());
      }
    },
  );

  it.skipIf(NO_POSTGRES)(
    `exits 1 and names the table when the restored copy differs from the manifest ${NEEDS}`,
    async () => {
      expect((await backupOnce()).code).toBe(0);
      const tampered = join(scratch, "tampered.dump");
      writeFileSync(tampered, readFileSync(dumpFile));
      writeFileSync(
        `${tampered}.manifest`,
        readFileSync(`${dumpFile}.manifest`, "utf8").replace(
          /^table public\.users \d+$/m,
          "table public.users 999",
        ),
      );
      const run = await runScript(["--from-dump", tampered, BASE_URL!]);
      expect(run.code, run.stderr + run.stdout).toBe(1);
      expect(run.stdout).toContain("MISMATCH");
      expect(run.stdout).toMatch(/^< table public\.users 999$/m);
      expect(await databaseExists(restoredInto(run)!)).toBe(false);
    },
  );

  it.skipIf(NO_POSTGRES)(`refuses to restore into a database that exists ${NEEDS}`, async () => {
    expect((await backupOnce()).code).toBe(0);
    const existing = new URL(source!.url!).pathname.slice(1);
    const run = await runScript(["--from-dump", dumpFile, "--keep", existing, BASE_URL!]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`database ${existing} already exists`);
    // …and the source is untouched.
    expect(await databaseExists(existing)).toBe(true);
  });
});
