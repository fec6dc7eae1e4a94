import { flag, numFlag, uptime, writeResults } from "./lib/common.ts";
import { privateServicesAvailable } from "./lib/private-services.ts";
import { ALL_FAULTS, type FaultName, type FaultResult, runChaos } from "./stand/chaos.ts";

/**
 * Faults under load (issue 18): `npm run chaos [-- --faults=worker-kill,api-kill,…] [--rate=100]
 * [--seconds=60] [--outage=30] [--pairs=1000]`. The stand runs on its own PostgreSQL and Redis (AOF on),
 * started here, so restarting them touches nothing else. Prints, per fault, what was lost, duplicated
 * and reordered among the relayed messages — all must be zero — and the time to recover. The short form
 * runs in CI as tests/chaos/chaos.test.ts.
 */
/** Duplicates beyond the one copy a replica kill may repeat (no Bot API idempotency key exists). */
function excess(r: FaultResult): number {
  return Math.max(0, r.duplicated - (r.fault === "api-kill" ? Math.max(1, r.duplicatedAtKill) : 0));
}

export async function main(argv: string[]): Promise<void> {
  const available = privateServicesAvailable();
  if (!available.postgres || !available.redis)
    throw new Error(`chaos needs PostgreSQL and Redis binaries: ${available.reason}`);
  const faults = (flag(argv, "faults")?.split(",") ?? ALL_FAULTS) as FaultName[];
  const rate = numFlag(argv, "rate", 100);
  const seconds = numFlag(argv, "seconds", 60);
  const outageSeconds = numFlag(argv, "outage", 30);
  const pairs = numFlag(argv, "pairs", 1000);
  console.log(
    `chaos: ${faults.join(", ")} at ${rate} updates/s, ${seconds} s each, outages ${outageSeconds} s`,
  );
  console.log(`  ${uptime()}`);
  const results = await runChaos({ faults, rate, seconds, outageSeconds, pairs, log: (l) => console.log(l) });
  for (const r of results) {
    if (r.lostSamples.length) console.log(`  ${r.fault} lost, e.g.: ${r.lostSamples.join("; ")}`);
    if (r.lost + excess(r) + r.reordered > 0) for (const l of r.logLines) console.log(`    ${l}`);
  }
  const bad = results.filter((r) => r.lost + excess(r) + r.reordered > 0);
  const file = writeResults("chaos", { rate, seconds, outageSeconds, pairs, results });
  console.log(`results → ${file}`);
  if (bad.length) {
    console.log(`FAILED: ${bad.map((r) => r.fault).join(", ")} lost, duplicated or reordered messages`);
    process.exitCode = 1;
  }
}
