import cluster from "node:cluster";
import { fileURLToPath } from "node:url";

/**
 * Two (or API_REPLICAS) `api` replicas behind one port, the load stand's production shape: Node's
 * cluster primary accepts connections and hands them to the replicas round-robin. Each replica is
 * `src/main.ts api`, unchanged. The primary forwards SIGTERM and, when a replica dies (the chaos test
 * kills one with -9), starts a new one — like a process manager would.
 *
 *   node --import tsx bench/stand/api-cluster.ts   (env: the bot's own, plus API_REPLICAS)
 */
const replicas = Number(process.env.API_REPLICAS ?? 2);
const main = fileURLToPath(new URL(`../../${process.env.API_ENTRY ?? "src/main.ts"}`, import.meta.url));

if (cluster.isPrimary) {
  cluster.schedulingPolicy = cluster.SCHED_RR;
  // NODE_PROFILE_ARGS: extra Node flags for the replicas (e.g. `--cpu-prof`, from `npm run load -- --profile`).
  const extra = (process.env.NODE_PROFILE_ARGS ?? "").split(" ").filter(Boolean);
  cluster.setupPrimary({ exec: main, args: ["api"], execArgv: ["--import", "tsx", ...extra] });
  let stopping = false;
  const fork = () => {
    const worker = cluster.fork();
    process.stdout.write(`replica ${worker.process.pid} started\n`);
  };
  // A second apart: the load stand tells replicas' /metrics apart by their start time (whole seconds).
  for (let i = 0; i < replicas; i++) setTimeout(fork, i * 1_100);
  cluster.on("exit", (worker, code, signal) => {
    process.stdout.write(`replica ${worker.process.pid} exited (${signal ?? code})\n`);
    if (!stopping) fork();
    else if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
  });
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill(signal);
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGTERM"));
}
