import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createMemoryInfra } from "../../../src/infra/memory.ts";
import { createLogger } from "../../../src/logger.ts";
import {
  MATCH_DEAD_STREAM,
  MATCH_GROUP,
  MATCH_STREAM,
  type MatchingService,
} from "../../../src/services/matching/index.ts";
import { RECLAIM_IDLE_MS, startMatchWorker } from "../../../src/workers/match-worker.ts";

/** What Drizzle throws when the database fails: the query and its parameters in the message. */
function drizzleLikeError(tgId: number): Error {
  const cause = Object.assign(new Error("terminating connection due to administrator command"), {
    code: "57P01",
    severity: "FATAL",
  });
  const err = new Error(`Failed query: select * from users where tg_id = $1\nparams: ${tgId}`, { cause });
  return Object.assign(err, {
    name: "DrizzleQueryError",
    query: "select * from users where tg_id = $1",
    params: [tgId],
  });
}

describe("a poisoned queue entry during a database outage", () => {
  it("is dead-lettered and logged with the driver's code only, never the query's parameters", async () => {
    let clock = 1_000_000;
    const infra = createMemoryInfra({ now: () => clock });
    await infra.stream.ensureGroup(MATCH_STREAM, MATCH_GROUP);
    await infra.stream.add(MATCH_STREAM, { user_id: "42" });
    const tgId = 987654321;
    const matching = {
      processSearch: async () => {
        throw drizzleLikeError(tgId);
      },
    } as unknown as MatchingService;
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const worker = startMatchWorker({
      stream: infra.stream,
      matching,
      onProposal: async () => {},
      logger: createLogger({ level: "trace", destination: sink }),
      consumer: "w1",
      blockMs: 5,
      now: () => clock,
    });
    for (let i = 0; i < 40 && (await infra.stream.deadLetters(MATCH_DEAD_STREAM, 10)).length === 0; i++) {
      clock += RECLAIM_IDLE_MS + 6_000;
      await new Promise((r) => setTimeout(r, 20));
    }
    await worker.stop();
    const dead = await infra.stream.deadLetters(MATCH_DEAD_STREAM, 10);
    await infra.close();
    expect(dead).toHaveLength(1);
    expect(JSON.stringify(dead)).toContain("database error 57P01");
    expect(JSON.stringify(dead)).not.toContain(String(tgId));
    const log = lines.join("");
    expect(log).toContain("database error 57P01");
    expect(log).not.toContain(String(tgId));
    expect(log).not.toContain("Failed query");
  });
});
