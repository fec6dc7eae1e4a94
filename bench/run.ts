/**
 * Benchmark entry: `npx tsx bench/run.ts <name> [flags]` (or `npm run bench -- <name> [flags]`).
 * Each benchmark prints a table and writes JSON to bench/results/.
 */
const benches: Record<string, () => Promise<{ main(argv: string[]): Promise<void> }>> = {
  matching: () => import("./matching.ts"),
  coach: () => import("./coach.ts"),
  relay: () => import("./relay.ts"),
  find: () => import("./find.ts"),
  startup: () => import("./startup.ts"),
  safety: () => import("./safety.ts"),
  digest: () => import("./digest.ts"),
  load: () => import("./load.ts"),
  chaos: () => import("./chaos.ts"),
};

const [name, ...rest] = process.argv.slice(2);
const load = name ? benches[name] : undefined;
if (!load) {
  console.error(`usage: npx tsx bench/run.ts <${Object.keys(benches).join("|")}> [flags]`);
  process.exit(2);
}
const mod = await load();
await mod.main(rest);
