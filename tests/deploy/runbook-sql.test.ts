import { readFileSync } from "node:fs";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/db.ts";

/**
 * The SQL the person on call pastes from docs/runbook.md must run against the schema as it is now: every
 * statement of its ```sql blocks is planned (EXPLAIN, nothing executed) on a freshly migrated database —
 * PGlite in the embedded run, PostgreSQL with DATABASE_URL. A renamed column fails here, not at night.
 */

const runbook = readFileSync(new URL("../../docs/runbook.md", import.meta.url), "utf8");
const statements = [...runbook.matchAll(/^\s*```sql\n([\s\S]*?)^\s*```/gm)].flatMap((m) =>
  m[1]!
    .split(/;\s*$/m)
    .map((s) => s.replace(/^\s*--.*$/gm, "").trim())
    .filter(Boolean),
);

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.destroy();
});

describe("SQL in docs/runbook.md", () => {
  it("is there to check, and only reads", () => {
    expect(statements.length).toBeGreaterThan(10);
    for (const s of statements) expect(s, s).toMatch(/^select\b/i);
  });

  it("plans every statement against the migrated schema", async () => {
    const failures: string[] = [];
    for (const statement of statements) {
      try {
        await t.db.execute(sql.raw(`explain ${statement}`));
      } catch (err) {
        const cause = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
        failures.push(`${statement.split("\n")[0]} … → ${cause}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
