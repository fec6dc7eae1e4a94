import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import type { Db } from "./client.ts";

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), "migrations");
/** Any constant works; it only has to be the same for every replica. */
const MIGRATION_LOCK_KEY = 7_210_451_001;

interface Migration {
  tag: string;
  hash: string;
  statements: string[];
}

const cache = new Map<string, Migration[]>();

export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const cached = cache.get(dir);
  if (cached) return cached;
  const journal = JSON.parse(readFileSync(join(dir, "meta", "_journal.json"), "utf8")) as {
    entries: Array<{ tag: string }>;
  };
  const migrations = journal.entries.map(({ tag }) => {
    const text = readFileSync(join(dir, `${tag}.sql`), "utf8");
    return {
      tag,
      hash: createHash("sha256").update(text).digest("hex"),
      statements: text
        .split("--> statement-breakpoint")
        .map((s) => s.trim())
        .filter(Boolean),
    };
  });
  cache.set(dir, migrations);
  return migrations;
}

/**
 * Applies pending migrations in one transaction under a transaction-level advisory lock, so two
 * replicas starting together apply them once: the second waits, then sees them applied.
 * Returns the tags it applied.
 */
export async function migrate(db: Db, dir = MIGRATIONS_DIR): Promise<string[]> {
  const migrations = readMigrations(dir);
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    await tx.execute(sql`create table if not exists schema_migrations (
      tag text primary key,
      hash text not null,
      applied_at timestamptz not null default now()
    )`);
    const done = (await tx.execute(sql`select tag, hash from schema_migrations`)) as unknown as {
      rows: Array<{ tag: string; hash: string }>;
    };
    const applied = new Map((done.rows as Array<{ tag: string; hash: string }>).map((r) => [r.tag, r.hash]));
    const ran: string[] = [];
    for (const m of migrations) {
      const prior = applied.get(m.tag);
      if (prior !== undefined) {
        if (prior !== m.hash) throw new Error(`migration ${m.tag} was changed after it was applied`);
        continue;
      }
      for (const statement of m.statements) await tx.execute(sql.raw(statement));
      await tx.execute(sql`insert into schema_migrations (tag, hash) values (${m.tag}, ${m.hash})`);
      ran.push(m.tag);
    }
    return ran;
  });
}

/** True when every migration in the repo is applied — for /ready. */
export async function isMigrated(db: Db, dir = MIGRATIONS_DIR): Promise<boolean> {
  try {
    const res = (await db.execute(sql`select tag from schema_migrations`)) as unknown as { rows: unknown[] };
    const applied = new Set((res.rows as Array<{ tag: string }>).map((r) => r.tag));
    return readMigrations(dir).every((m) => applied.has(m.tag));
  } catch {
    return false;
  }
}
