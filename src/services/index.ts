import type { Clock } from "../clock.ts";
import type { Db } from "../db/client.ts";
import type { Infra } from "../infra/ports.ts";
import { createChatService } from "./chats.ts";
import { createCandidateFinder } from "./matching/candidates.ts";
import { createMatchingService, type MatchingMetrics } from "./matching.ts";
import { createProfileService } from "./profile.ts";

/** Every use case, built once per process over the same database, infra and clock. */
export function createServices(deps: {
  db: Db;
  infra: Infra;
  clock: Clock;
  matchingMetrics?: MatchingMetrics;
}) {
  const profiles = createProfileService({ db: deps.db, clock: deps.clock });
  const finder = createCandidateFinder({ db: deps.db, clock: deps.clock });
  const matching = createMatchingService({
    db: deps.db,
    clock: deps.clock,
    stream: deps.infra.stream,
    finder,
    profiles,
    ...(deps.matchingMetrics ? { metrics: deps.matchingMetrics } : {}),
  });
  const chats = createChatService({ db: deps.db, clock: deps.clock, kv: deps.infra.kv });
  return { profiles, matching, chats };
}

export type Services = ReturnType<typeof createServices>;
