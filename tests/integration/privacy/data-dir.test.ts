import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../../src/db/client.ts";

/** Every folder and file under `dir` whose mode lets the group or others in. */
function readableByOthers(dir: string): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    const st = statSync(p);
    if ((st.mode & 0o077) !== 0) out.push(`${p} ${(st.mode & 0o777).toString(8)}`);
    if (st.isDirectory()) for (const e of readdirSync(p)) walk(join(p, e));
  };
  walk(dir);
  return out;
}

describe("DATA_DIR is owner-only", () => {
  const root = mkdtempSync(join(tmpdir(), "tno-data-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("the embedded database and everything it writes can be read by its owner only, old permissions fixed", async () => {
    const dir = join(root, "data");
    // What an older version left behind: world-readable folders and files.
    mkdirSync(join(dir, "pglite"), { recursive: true, mode: 0o755 });
    chmodSync(dir, 0o755);
    chmodSync(join(dir, "pglite"), 0o755);
    writeFileSync(join(dir, "old-notes.txt"), "x", { mode: 0o644 });
    chmodSync(join(dir, "old-notes.txt"), 0o644);
    expect(readableByOthers(dir).length).toBeGreaterThan(0);

    const db = await openDatabase({ dataDir: dir });
    // While it runs, the folder itself keeps everyone else out.
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    await db.db.execute(sql`create table t (x text)`);
    await db.db.execute(sql`insert into t values ('a bio')`);
    await db.close();
    expect(readableByOthers(dir)).toEqual([]);
  });
});
