import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MatchingMetrics, variantFor } from "../../../src/services/matching/index.ts";
import { makePerson } from "../../helpers/fixtures.ts";
import { createServiceWorld, type ServiceWorld } from "../../helpers/service-world.ts";

describe("matching metrics", () => {
  let w: ServiceWorld;
  let services: ServiceWorld["services"];
  let clock: ServiceWorld["clock"];
  const timeToProposal: Array<{ variant: string; ms: number }> = [];
  const metrics: MatchingMetrics = {
    proposalsSent() {},
    accepted() {},
    declined() {},
    expired() {},
    selectMs() {},
    timeToProposalMs: (variant, ms) => void timeToProposal.push({ variant, ms }),
  };

  beforeAll(async () => {
    w = await createServiceWorld({ matchingMetrics: metrics });
    ({ services, clock } = w);
  });
  afterAll(async () => {
    await w.close();
  });

  it("time to proposal runs from the /find that started the search, through every retry", async () => {
    const a = await makePerson(services, { topics: ["pet-loss", "pregnancy-loss"] });
    await services.matching.requestSearch(a);
    // Nobody yet: the search waits and is retried.
    expect(await services.matching.processSearch(a)).toBeNull();
    clock.advance(10 * 60_000);
    expect(await services.matching.processSearch(a)).toBeNull();
    clock.advance(5 * 60_000);
    const b = await makePerson(services, { topics: ["pet-loss", "pregnancy-loss"] });
    await services.matching.requestSearch(b);
    const p = await services.matching.processSearch(a);
    expect(p).not.toBeNull();
    expect(timeToProposal).toEqual([{ variant: variantFor(a), ms: 15 * 60_000 }]);
  });

  it("accept rate per variant comes from the database, so every process reports the same", async () => {
    const before = new Map((await services.matching.acceptRates()).map((r) => [r.variant, r]));
    // One accepted and one declined proposal, each in its searcher's variant.
    const pairs: Array<{ x: number; y: number; accept: boolean }> = [];
    for (const accept of [true, false]) {
      const x = await makePerson(services, { topics: ["divorce", "parenting"] });
      const y = await makePerson(services, { topics: ["divorce", "parenting"] });
      pairs.push({ x, y, accept });
      await services.matching.requestSearch(x);
      await services.matching.requestSearch(y);
      const p = await services.matching.processSearch(y);
      if (!p) throw new Error("no proposal");
      if (accept) {
        await services.matching.decide(x, p.matchId, "accept");
        await services.matching.decide(y, p.matchId, "accept");
      } else {
        await services.matching.decide(x, p.matchId, "decline");
      }
      await services.matching.cancelSearch(x);
      await services.matching.cancelSearch(y);
    }
    const after = await services.matching.acceptRates();
    const delta = (variant: string, key: "accepted" | "decided") =>
      (after.find((r) => r.variant === variant)?.[key] ?? 0) - (before.get(variant)?.[key] ?? 0);
    const variants = [...new Set(after.map((r) => r.variant))];
    expect(variants.reduce((n, v) => n + delta(v, "decided"), 0)).toBe(2);
    expect(variants.reduce((n, v) => n + delta(v, "accepted"), 0)).toBe(1);
    // Outside the window nothing counts.
    clock.advance(8 * 24 * 3600_000);
    expect(await services.matching.acceptRates()).toEqual([]);
  });
});
