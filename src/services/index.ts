import type { Clock } from "../clock.ts";
import type { Db } from "../db/client.ts";
import type { Infra } from "../infra/ports.ts";
import { createProfileService } from "./profile.ts";

/** Every use case, built once per process over the same database, infra and clock. */
export function createServices(deps: { db: Db; infra: Infra; clock: Clock }) {
  return {
    profiles: createProfileService({ db: deps.db, clock: deps.clock }),
  };
}

export type Services = ReturnType<typeof createServices>;
