import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { ROOT } from "./common.ts";

/**
 * Summarises V8 CPU profiles (`.cpuprofile`, as written by `node --cpu-prof` or `npm run load --
 * --profile=DIR`): where the time went by function (self time), by source area (src/…, node_modules
 * package, node internals) and — inclusive — by our own functions.
 *
 *   npx tsx bench/lib/profile-top.ts DIR|FILE… [--top=30]
 */
interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

function area(url: string): string {
  if (!url) return "(native/gc)";
  if (url.startsWith("node:")) return "node internals";
  const path = url.replace(/^file:\/\//, "");
  const nm = path.lastIndexOf("node_modules/");
  if (nm >= 0) {
    const rest = path.slice(nm + "node_modules/".length).split("/");
    return `npm ${rest[0]!.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  const rel = relative(ROOT, path);
  const parts = rel.split("/");
  return parts.length > 2 ? `${parts[0]}/${parts[1]}` : rel;
}

export function summarise(files: string[], top = 30): string {
  const self = new Map<string, number>();
  const areas = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  for (const file of files) {
    const p = JSON.parse(readFileSync(file, "utf8")) as Profile;
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const name = (n: Node) =>
      `${n.callFrame.functionName || "(anonymous)"} ${area(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
    p.samples.forEach((id, i) => {
      const dt = (p.timeDeltas[i] ?? 0) / 1000;
      const n = byId.get(id);
      if (!n || n.callFrame.functionName === "(idle)" || n.callFrame.functionName === "(program)") return;
      total += dt;
      self.set(name(n), (self.get(name(n)) ?? 0) + dt);
      areas.set(area(n.callFrame.url), (areas.get(area(n.callFrame.url)) ?? 0) + dt);
      // Inclusive time of our own code: every distinct src/ frame on the stack.
      const seen = new Set<string>();
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const f = byId.get(at)!;
        if (!f.callFrame.url.includes("/src/") || f.callFrame.url.includes("node_modules")) continue;
        const k = name(f);
        if (seen.has(k)) continue;
        seen.add(k);
        inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
      }
    });
  }
  const table = (m: Map<string, number>, n: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(
        ([k, v]) => `  ${v.toFixed(0).padStart(7)} ms ${((100 * v) / total).toFixed(1).padStart(5)} %  ${k}`,
      )
      .join("\n");
  return [
    `busy ${total.toFixed(0)} ms over ${files.length} profile(s)`,
    "by area (self):",
    table(areas, 25),
    "by function (self):",
    table(self, top),
    "our functions (inclusive):",
    table(inclusive, top),
  ].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const top = Number(args.find((a) => a.startsWith("--top="))?.slice(6) ?? 30);
  const files = args
    .filter((a) => !a.startsWith("--"))
    .flatMap((a) =>
      statSync(a).isDirectory()
        ? readdirSync(a)
            .filter((f) => f.endsWith(".cpuprofile"))
            .map((f) => join(a, f))
        : [a],
    );
  if (files.length === 0) {
    console.error("usage: npx tsx bench/lib/profile-top.ts DIR|FILE… [--top=30]");
    process.exit(2);
  }
  console.log(summarise(files, top));
}
