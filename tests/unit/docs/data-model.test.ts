/**
 * docs/data-model.md stays the schema's: its ER diagram is what scripts/data-model.ts renders from
 * src/db/schema.ts now, and every table has its own section. Fix a failure with
 * `npx tsx scripts/data-model.ts`, then describe any new table or column by hand.
 */
import { readFileSync } from "node:fs";
import { getTableConfig, pgTable, serial, varchar } from "drizzle-orm/pg-core";
import { describe, expect, it } from "vitest";
import {
  DOC_PATH,
  END_MARKER,
  renderDataModel,
  renderErDiagram,
  STALE_MESSAGE,
  START_MARKER,
  schemaTables,
} from "../../../scripts/data-model.ts";

const doc = readFileSync(DOC_PATH, "utf8");

describe("docs/data-model.md", () => {
  it("holds the ER diagram the schema gives now", () => {
    // Equal means `npx tsx scripts/data-model.ts --check` passes.
    expect(renderDataModel(doc), STALE_MESSAGE).toBe(doc);
  });

  it("has a section for every table in the schema", () => {
    const sections = new Set([...doc.matchAll(/^## (\S+)\s*$/gm)].map((m) => m[1]));
    const missing = schemaTables()
      .map((t) => getTableConfig(t).name)
      .filter((name) => !sections.has(name));
    expect(missing, "tables without a «## <table>» section in docs/data-model.md").toEqual([]);
  });
});

describe("the diagram generator", () => {
  const groups = pgTable("groups", {
    slug: varchar("slug", { length: 8 }).primaryKey(),
  });
  const things = pgTable("things", {
    id: serial("id").primaryKey(),
    code: varchar("code", { length: 4 }).notNull().unique(),
    groupSlug: varchar("group_slug", { length: 8 })
      .notNull()
      .references(() => groups.slug),
    spareSlug: varchar("spare_slug", { length: 8 }).references(() => groups.slug),
  });

  it("renders columns with types and keys, and one line per foreign key", () => {
    expect(renderErDiagram([things, groups])).toBe(
      [
        "erDiagram",
        "  groups {",
        "    varchar(8) slug PK",
        "  }",
        "  things {",
        "    serial id PK",
        "    varchar(4) code UK",
        "    varchar(8) group_slug FK",
        "    varchar(8) spare_slug FK",
        "  }",
        '  groups ||--o{ things : "group_slug"',
        '  groups |o--o{ things : "spare_slug"',
      ].join("\n"),
    );
  });

  it("replaces only what lies between the markers, and refuses a document without them", () => {
    const before = `# Title\n\n${START_MARKER}\nold\n${END_MARKER}\n\n## after\n`;
    const after = renderDataModel(before, [groups]);
    expect(after.startsWith(`# Title\n\n${START_MARKER}\n`)).toBe(true);
    expect(after.endsWith(`${END_MARKER}\n\n## after\n`)).toBe(true);
    expect(after).toContain("```mermaid\nerDiagram\n  groups {");
    expect(after).not.toContain("old");
    expect(renderDataModel(after, [groups])).toBe(after);
    expect(() => renderDataModel("# no markers\n")).toThrow(/markers/);
  });
});
