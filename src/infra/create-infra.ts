import { createMemoryInfra } from "./memory.ts";
import type { Infra } from "./ports.ts";
import { createRedisInfra } from "./redis.ts";

export interface CreateInfraOptions {
  /** Redis when set; the in-process implementation otherwise (embedded mode). */
  redisUrl?: string;
  /** Key namespace in Redis. Default "tno". */
  prefix?: string;
  /** Clock for the in-process implementation (Redis keeps time itself). */
  now?: () => number;
}

export async function createInfra(opts: CreateInfraOptions = {}): Promise<Infra> {
  if (opts.redisUrl) return createRedisInfra({ url: opts.redisUrl, prefix: opts.prefix ?? "tno" });
  return createMemoryInfra(opts.now ? { now: opts.now } : {});
}
