/**
 * The ER diagram of docs/data-model.md, generated from the Drizzle schema (src/db/schema.ts).
 *
 *   npx tsx scripts/data-model.ts           rewrites the diagram between the markers
 *   npx tsx scripts/data-model.ts --check   writes nothing; exits 1 when the doc is stale
 *
 * Only the part between `<!-- generated:er:start -->` and `<!-- generated:er:end -->` is generated;
 * the prose around it is written by hand. Output is deterministic: tables sorted by name, columns in
 * declaration order, relationships sorted.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { is } from "drizzle-orm";
import { getTableConfig, PgTable } from "drizzle-orm/pg-core";
import * as schema from "../src/db/schema.ts";

export const DOC_PATH = fileURLToPath(new URL("../docs/data-model.md", import.meta.url));
export const START_MARKER = "<!-- generated:er:start -->";
export const END_MARKER = "<!-- generated:er:end -->";
export const STALE_MESSAGE = "docs/data-model.md is stale: run npx tsx scripts/data-model.ts";

/** Code-unit order: the same on every machine, whatever its locale. */
const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Every table the schema module exports, sorted by SQL name. */
export function schemaTables(): PgTable[] {
  const exported: unknown[] = Object.values(schema);
  return exported
    .filter((v): v is PgTable => is(v, PgTable))
    .sort((a, b) => byText(getTableConfig(a).name, getTableConfig(b).name));
}

/** A SQL type as one Mermaid attribute word (letters, digits, `_`, `-`, brackets, parentheses). */
function mermaidType(sqlType: string): string {
  const short = sqlType.replace(/^timestamp with time zone$/, "timestamptz");
  return short.replace(/[^A-Za-z0-9_\-()[\]]+/g, "_");
}

interface Relationship {
  parent: string;
  child: string;
  label: string;
  line: string;
}

/** The Mermaid `erDiagram` for these tables (the whole schema by default), without the code fence. */
export function renderErDiagram(tables: readonly PgTable[] = schemaTables()): string {
  const configs = tables.map((t) => getTableConfig(t)).sort((a, b) => byText(a.name, b.name));
  const lines = ["erDiagram"];
  const relationships: Relationship[] = [];

  for (const table of configs) {
    const compositePk = new Set(table.primaryKeys.flatMap((pk) => pk.columns.map((c) => c.name)));
    const fkColumns = new Set(table.foreignKeys.flatMap((fk) => fk.reference().columns.map((c) => c.name)));
    const uniqueColumns = new Set([
      ...table.uniqueConstraints.filter((u) => u.columns.length === 1).map((u) => u.columns[0]!.name),
      ...table.indexes
        .filter((i) => i.config.unique && i.config.where === undefined && i.config.columns.length === 1)
        .flatMap((i) => i.config.columns.map((c) => ("name" in c ? String(c.name) : ""))),
    ]);
    const isPk = (name: string) =>
      compositePk.has(name) || table.columns.some((c) => c.name === name && c.primary);
    const isUnique = (name: string) =>
      uniqueColumns.has(name) || table.columns.some((c) => c.name === name && c.isUnique);

    lines.push(`  ${table.name} {`);
    for (const column of table.columns) {
      const keys = [
        ...(isPk(column.name) ? ["PK"] : []),
        ...(fkColumns.has(column.name) ? ["FK"] : []),
        ...(isUnique(column.name) && !isPk(column.name) ? ["UK"] : []),
      ];
      const attribute = `${mermaidType(column.getSQLType())} ${column.name}`;
      lines.push(`    ${keys.length > 0 ? `${attribute} ${keys.join(", ")}` : attribute}`);
    }
    lines.push("  }");

    for (const fk of table.foreignKeys) {
      const ref = fk.reference();
      const parent = getTableConfig(ref.foreignTable).name;
      const names = ref.columns.map((c) => c.name);
      // Parent side: exactly one when the reference is required, zero or one when it may be null.
      const required = ref.columns.every((c) => c.notNull);
      // Child side: at most one row per parent when the reference is itself unique (a 1:1 extension).
      const single =
        names.length === 1 && ((isPk(names[0]!) && compositePk.size === 0) || isUnique(names[0]!));
      const shape = `${required ? "||" : "|o"}--${single ? "o|" : "o{"}`;
      const label = names.join(", ");
      relationships.push({
        parent,
        child: table.name,
        label,
        line: `  ${parent} ${shape} ${table.name} : "${label}"`,
      });
    }
  }

  relationships.sort(
    (a, b) => byText(a.parent, b.parent) || byText(a.child, b.child) || byText(a.label, b.label),
  );
  lines.push(...relationships.map((r) => r.line));
  return lines.join("\n");
}

/** The generated block as it stands between the markers. */
export function renderGeneratedBlock(tables?: readonly PgTable[]): string {
  return `${START_MARKER}\n\n\`\`\`mermaid\n${renderErDiagram(tables)}\n\`\`\`\n\n${END_MARKER}`;
}

/**
 * The document with its generated block replaced by what the schema gives now; everything outside
 * the markers is kept as it is. Throws when the markers are missing or out of order.
 */
export function renderDataModel(current: string, tables?: readonly PgTable[]): string {
  const start = current.indexOf(START_MARKER);
  const end = current.indexOf(END_MARKER);
  if (start === -1 || end === -1 || end < start) {
    throw new Error(`docs/data-model.md needs the markers ${START_MARKER} and ${END_MARKER}, in this order`);
  }
  return current.slice(0, start) + renderGeneratedBlock(tables) + current.slice(end + END_MARKER.length);
}

/** The CLI: returns the exit code. */
export function main(args: readonly string[], path = DOC_PATH): number {
  const check = args.includes("--check");
  const current = readFileSync(path, "utf8");
  const next = renderDataModel(current);
  if (next === current) {
    process.stdout.write("docs/data-model.md is up to date.\n");
    return 0;
  }
  if (check) {
    process.stderr.write(`${STALE_MESSAGE}\n`);
    return 1;
  }
  writeFileSync(path, next);
  process.stdout.write("docs/data-model.md: diagram regenerated.\n");
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = main(process.argv.slice(2));
}
