import { randomBytes } from "node:crypto";
import pg from "pg";
import { type Database, openDatabase } from "../../src/db/client.ts";
import { migrate } from "../../src/db/migrate.ts";
import { seedTopics } from "../../src/db/seed.ts";

export interface TestDatabase extends Database {
  /** The URL of this test's own database (PostgreSQL runs only). */
  url?: string;
  /** Closes and, on PostgreSQL, drops the database. */
  destroy(): Promise<void>;
}

/**
 * A fresh, migrated and seeded database for one test file: a new PostgreSQL database when
 * DATABASE_URL is set (so parallel files and CI runs never collide), in-memory PGlite otherwise.
 */
export async function createTestDatabase(
  opts: { migrate?: boolean; poolSize?: number } = {},
): Promise<TestDatabase> {
  const base = process.env.DATABASE_URL;
  if (!base) {
    const db = await openDatabase({});
    if (opts.migrate !== false) {
      await migrate(db.db);
      await seedTopics(db.db);
    }
    return { ...db, destroy: () => db.close() };
  }
  const url = await createScratchDatabase(base);
  const db = await openDatabase({ url, poolSize: opts.poolSize ?? 5 });
  if (opts.migrate !== false) {
    await migrate(db.db);
    await seedTopics(db.db);
  }
  return {
    ...db,
    url,
    async destroy() {
      await db.close();
      await dropScratchDatabase(base, url);
    },
  };
}

export async function createScratchDatabase(baseUrl: string): Promise<string> {
  const name = `tno_test_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropScratchDatabase(baseUrl: string, url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${name} with (force)`);
  } finally {
    await admin.end();
  }
}
