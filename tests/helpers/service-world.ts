import { createManualClock } from "../../src/clock.ts";
import { createMemoryInfra } from "../../src/infra/memory.ts";
import { createServices, type Services } from "../../src/services/index.ts";
import type { MatchingMetrics } from "../../src/services/matching/index.ts";
import { createTestDatabase } from "./db.ts";
import { makePerson } from "./fixtures.ts";

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export interface ServiceWorldOptions {
  /** Open reports from this many different people suspend someone (the app's default when left out). */
  reportThreshold?: number;
  matchingMetrics?: MatchingMetrics;
}

/**
 * What service-level tests run against: a test database, in-memory infra and the app's services,
 * all on one manual clock that starts at 2026-05-01 10:00 UTC.
 */
export async function createServiceWorld(opts: ServiceWorldOptions = {}) {
  const clock = createManualClock(new Date("2026-05-01T10:00:00Z"));
  const infra = createMemoryInfra({ now: () => clock.now().getTime() });
  const t = await createTestDatabase();
  const services: Services = createServices({
    db: t.db,
    infra,
    clock,
    ...(opts.matchingMetrics ? { matchingMetrics: opts.matchingMetrics } : {}),
    ...(opts.reportThreshold !== undefined ? { reportThreshold: opts.reportThreshold } : {}),
  });

  /** Fresh people sharing `topics` (use topics no other test of the file uses). */
  async function people(n: number, topics: string[]): Promise<number[]> {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(await makePerson(services, { topics }));
    return out;
  }

  /** Whether `x`, searching now, is proposed `y` (both are put in the search and taken out after). */
  async function wouldBeProposed(x: number, y: number): Promise<boolean> {
    await services.matching.requestSearch(x);
    await services.matching.requestSearch(y);
    const p = await services.matching.processSearch(x);
    // Withdrawn quietly: a decline would add its own cooldown and change what later checks see.
    if (p) await services.matching.withdrawProposal(p.matchId);
    await services.matching.cancelSearch(x);
    await services.matching.cancelSearch(y);
    return p !== null && [p.a.userId, p.b.userId].includes(y);
  }

  return {
    clock,
    infra,
    t,
    db: t.db,
    services,
    /** Shorthand for `services.moderation`, the world's one moderation service. */
    moderation: services.moderation,
    people,
    wouldBeProposed,
    async close() {
      await infra.close();
      await t.destroy();
    },
  };
}

export type ServiceWorld = Awaited<ReturnType<typeof createServiceWorld>>;
