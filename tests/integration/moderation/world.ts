import { sql } from "drizzle-orm";
import { createManualClock } from "../../../src/clock.ts";
import type { Db } from "../../../src/db/client.ts";
import { createMemoryInfra } from "../../../src/infra/memory.ts";
import { createServices, type Services } from "../../../src/services/index.ts";
import type { MatchingMetrics } from "../../../src/services/matching/index.ts";
import { createModerationService } from "../../../src/services/moderation/index.ts";
import { createTestDatabase } from "../../helpers/db.ts";
import { makePerson } from "../../helpers/fixtures.ts";

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** A database, the app's services and the moderation service on one manual clock. */
export async function createWorld(
  opts: { reportThreshold?: number; matchingMetrics?: MatchingMetrics } = {},
) {
  const clock = createManualClock(new Date("2026-05-01T10:00:00Z"));
  const infra = createMemoryInfra({ now: () => clock.now().getTime() });
  const t = await createTestDatabase();
  const services: Services = createServices({
    db: t.db,
    infra,
    clock,
    ...(opts.matchingMetrics ? { matchingMetrics: opts.matchingMetrics } : {}),
  });
  const moderation = createModerationService({
    db: t.db,
    clock,
    ...(opts.reportThreshold ? { reportThreshold: opts.reportThreshold } : {}),
  });

  /** Two people searching get proposed to each other, both accept: an active chat. */
  async function startChat(x: number, y: number): Promise<number> {
    const rx = await services.matching.requestSearch(x);
    const ry = await services.matching.requestSearch(y);
    if (!rx.ok || !ry.ok) throw new Error(`search refused: ${JSON.stringify([rx, ry])}`);
    const p = await services.matching.processSearch(y);
    if (!p) throw new Error("no proposal");
    const pair = [p.a.userId, p.b.userId].sort();
    if (pair.join() !== [x, y].sort().join()) throw new Error(`proposed ${pair} instead of ${[x, y]}`);
    await services.matching.decide(x, p.matchId, "accept");
    const started = await services.matching.decide(y, p.matchId, "accept");
    if (started.kind !== "started") throw new Error(`not started: ${started.kind}`);
    return started.sessionId;
  }

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
    moderation,
    startChat,
    people,
    wouldBeProposed,
    async close() {
      await infra.close();
      await t.destroy();
    },
  };
}

export type World = Awaited<ReturnType<typeof createWorld>>;

/** Every row of every table of the public schema, as JSON text. */
export async function dumpAllTables(db: Db): Promise<string> {
  const res = (await db.execute(
    sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`,
  )) as unknown as { rows: Array<{ table_name: string }> };
  const parts: string[] = [];
  for (const { table_name } of res.rows) {
    const rows = (await db.execute(sql.raw(`select * from "${table_name}"`))) as unknown as {
      rows: unknown[];
    };
    parts.push(
      `${table_name}: ${JSON.stringify(rows.rows, (_k, v) => (typeof v === "bigint" ? v.toString() : v))}`,
    );
  }
  return parts.join("\n");
}
