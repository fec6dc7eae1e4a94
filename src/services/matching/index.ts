import type { Clock } from "../../clock.ts";
import type { Db } from "../../db/client.ts";
import type { Stream } from "../../infra/ports.ts";
import type { ProfileService } from "../profile.ts";
import type { CandidateFinder } from "./candidates.ts";
import { createDecisions } from "./decisions.ts";
import { createExperimentStats } from "./experiment.ts";
import { createProposals } from "./proposals.ts";
import { type MatchingMetrics, noMetrics } from "./rules.ts";
import { createSearch } from "./search.ts";

export { MATCH_EXPERIMENT, variantFor } from "./experiment.ts";
export { isUniqueViolation } from "./proposals.ts";
export * from "./rules.ts";

/**
 * 1-on-1 matching: the search (search.ts), proposals (proposals.ts), mutual consent and the start of
 * a chat (decisions.ts), the A/B experiment (experiment.ts); candidates come from candidates.ts.
 */
export function createMatchingService(deps: {
  db: Db;
  clock: Clock;
  stream: Stream;
  finder: CandidateFinder;
  profiles: ProfileService;
  metrics?: MatchingMetrics;
  /** Topics count only with at least this weight (1–3), on both sides; default 1. */
  minTopicWeight?: number;
  /**
   * Brings a cached candidate index up to date. Called when a search finds nobody, so that someone who
   * started searching a moment ago (after the last refresh) is not missed for a whole retry period.
   */
  refreshCandidates?: () => Promise<void>;
  /** A person started a new search (the weekly digest counts its effect). */
  onSearchStarted?: (userId: number) => Promise<void>;
}) {
  const { db, clock, stream, finder, profiles } = deps;
  const metrics = deps.metrics ?? noMetrics;
  const base = { db, clock, stream };
  return {
    ...createSearch({
      ...base,
      profiles,
      ...(deps.onSearchStarted ? { onStarted: deps.onSearchStarted } : {}),
    }),
    ...createProposals({
      ...base,
      finder,
      metrics,
      ...(deps.minTopicWeight !== undefined ? { minTopicWeight: deps.minTopicWeight } : {}),
      ...(deps.refreshCandidates ? { refreshCandidates: deps.refreshCandidates } : {}),
    }),
    ...createDecisions({ ...base, metrics }),
    ...createExperimentStats({ db, clock }),
  };
}

export type MatchingService = ReturnType<typeof createMatchingService>;
