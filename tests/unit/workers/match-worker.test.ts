import { describe, expect, it } from "vitest";
import { createMemoryInfra } from "../../../src/infra/memory.ts";
import { createLogger } from "../../../src/logger.ts";
import { MATCH_GROUP, MATCH_STREAM, type MatchingService } from "../../../src/services/matching/index.ts";
import { startMatchWorker } from "../../../src/workers/match-worker.ts";

describe("match worker", () => {
  it("lets timers run while it works through a backlog that never waits on I/O", async () => {
    const infra = createMemoryInfra();
    await infra.stream.ensureGroup(MATCH_STREAM, MATCH_GROUP);
    const total = 2000;
    for (let i = 1; i <= total; i++) await infra.stream.add(MATCH_STREAM, { user_id: String(i) });
    let handled = 0;
    // A search step that resolves at once, as PGlite and the in-process stream can.
    const matching = {
      processSearch: async () => {
        handled++;
        return null;
      },
    } as unknown as MatchingService;
    let handledWhenTimerFired = -1;
    const timer = new Promise<void>((resolve) =>
      setTimeout(() => {
        handledWhenTimerFired = handled;
        resolve();
      }, 0),
    );
    const worker = startMatchWorker({
      stream: infra.stream,
      matching,
      onProposal: async () => {},
      logger: createLogger({ level: "silent" }),
      consumer: "w1",
      blockMs: 10,
      batch: 16,
    });
    await timer;
    await worker.stop();
    await infra.close();
    // Without yielding, the timer (a health check, SIGTERM handling) would wait for the whole backlog.
    expect(handledWhenTimerFired).toBeLessThan(total);
  });

  it("recreates its group when Redis lost the stream, and goes on handling searches", async () => {
    const infra = createMemoryInfra();
    let groupsMade = 0;
    let lost = true;
    // Redis restarted empty: the first read finds no group (as XREADGROUP answers NOGROUP).
    const stream = {
      ...infra.stream,
      ensureGroup: async (name: string, group: string) => {
        groupsMade++;
        if (groupsMade > 1) lost = false;
        await infra.stream.ensureGroup(name, group);
      },
      read: async (...args: Parameters<typeof infra.stream.read>) => {
        if (lost) throw new Error(`NOGROUP No such key '${args[0]}' or consumer group '${args[1]}'`);
        return infra.stream.read(...args);
      },
    };
    const handled: string[] = [];
    const matching = {
      processSearch: async (userId: number) => {
        handled.push(String(userId));
        return null;
      },
    } as unknown as MatchingService;
    const worker = startMatchWorker({
      stream,
      matching,
      onProposal: async () => {},
      logger: createLogger({ level: "silent" }),
      consumer: "w1",
      blockMs: 10,
    });
    while (groupsMade < 2) await new Promise((r) => setTimeout(r, 5));
    await infra.stream.add(MATCH_STREAM, { user_id: "7" });
    for (let i = 0; i < 200 && handled.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    await worker.stop();
    await infra.close();
    expect(groupsMade).toBe(2);
    expect(handled).toEqual(["7"]);
  });
});
