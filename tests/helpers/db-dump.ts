import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import pg from "pg";
import type { Db } from "../../src/db/client.ts";

const TABLES_SQL =
  "select table_name from information_schema.tables where table_schema = 'public' order by 1";

/** Every row of every table as JSON text: to assert what the database does NOT contain. */
export async function dumpDatabase(opts: { url?: string; dataDir: string }): Promise<string> {
  if (opts.url) {
    const client = new pg.Client({ connectionString: opts.url });
    await client.connect();
    try {
      const tables = (await client.query<{ table_name: string }>(TABLES_SQL)).rows.map((r) => r.table_name);
      const parts: string[] = [];
      for (const t of tables) parts.push(JSON.stringify((await client.query(`select * from "${t}"`)).rows));
      return parts.join("\n");
    } finally {
      await client.end();
    }
  }
  const db = await PGlite.create(join(opts.dataDir, "pglite"));
  try {
    const tables = (await db.query<{ table_name: string }>(TABLES_SQL)).rows.map((r) => r.table_name);
    const parts: string[] = [];
    for (const t of tables) parts.push(JSON.stringify((await db.query(`select * from "${t}"`)).rows));
    return parts.join("\n");
  } finally {
    await db.close();
  }
}

/** Every row of every table of the public schema of a running test database, as JSON text. */
export async function dumpAllTables(db: Db): Promise<string> {
  const res = (await db.execute(
    sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`,
  )) as unknown as { rows: Array<{ table_name: string }> };
  const parts: string[] = [];
  for (const { table_name } of res.rows) {
    const rows = (await db.execute(sql.raw(`select * from "${table_name}"`))) as unknown as {
      rows: unknown[];
    };
    parts.push(
      `${table_name}: ${JSON.stringify(rows.rows, (_k, v) => (typeof v === "bigint" ? v.toString() : v))}`,
    );
  }
  return parts.join("\n");
}
