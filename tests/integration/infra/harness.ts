/**
 * Targets for the infra contract tests: the in-process implementation always, Redis when REDIS_URL
 * is set. Each target knows how to let time pass: the memory one moves its injected clock, the
 * Redis one really waits (so Redis cases use short TTLs).
 */
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { createInfra } from "../../../src/infra/create-infra.ts";
import type { Infra } from "../../../src/infra/ports.ts";

export interface InfraUnderTest {
  infra: Infra;
  /** Lets `ms` pass for TTLs, lock expiry, idle times and rate-limit windows. */
  advance(ms: number): Promise<void>;
}

export interface ContractTarget {
  name: "memory" | "redis";
  create(): Promise<InfraUnderTest>;
  /** Removes whatever the run left behind. */
  cleanup(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function memoryTarget(): ContractTarget {
  return {
    name: "memory",
    async create() {
      let t = Date.now();
      const infra = await createInfra({ now: () => t });
      return {
        infra,
        async advance(ms) {
          t += ms;
        },
      };
    },
    async cleanup() {},
  };
}

export function redisTarget(url: string): ContractTarget {
  const prefix = `test:infra:${randomUUID()}`;
  return {
    name: "redis",
    async create() {
      const infra = await createInfra({ redisUrl: url, prefix });
      return { infra, advance: sleep };
    },
    async cleanup() {
      const admin = new Redis(url, { protocol: 2 });
      try {
        let cursor = "0";
        do {
          const [next, keys] = await admin.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
          if (keys.length > 0) await admin.del(...keys);
          cursor = next;
        } while (cursor !== "0");
        const [, left] = await admin.scan("0", "MATCH", `${prefix}:*`, "COUNT", 100000);
        if (left.length > 0) throw new Error(`cleanup left ${left.length} keys under ${prefix}`);
      } finally {
        await admin.quit();
      }
    },
  };
}

export function contractTargets(): ContractTarget[] {
  const targets = [memoryTarget()];
  const url = process.env.REDIS_URL;
  if (url) targets.push(redisTarget(url));
  return targets;
}

/** A name no other test (or earlier run) uses. */
export function uniqueName(label: string): string {
  return `${label}-${randomUUID().slice(0, 8)}`;
}
