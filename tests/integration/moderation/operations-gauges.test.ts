import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMetrics } from "../../../src/metrics.ts";
import { MATCH_DEAD_STREAM, MATCH_GROUP, MATCH_STREAM } from "../../../src/services/matching/index.ts";
import { operationsGaugesJob } from "../../../src/workers/jobs/operations-gauges.ts";
import { startChat } from "../../helpers/fixtures.ts";
import { createServiceWorld, MINUTE, type ServiceWorld } from "../../helpers/service-world.ts";

describe("the gauges on-call alerts read", () => {
  let w: ServiceWorld;
  beforeAll(async () => {
    w = await createServiceWorld();
  });
  afterAll(async () => {
    await w.close();
  });

  it("dead letters, the biggest wave of open reports against one person, and the webhook backlog", async () => {
    const metrics = createMetrics({ collectDefault: false });
    // Two different people report the same person; a third report, against someone else.
    const [target, r1, r2, other, r3] = (await w.people(5, ["pregnancy-loss", "loss"])) as number[];
    for (const [reporter, reported] of [
      [r1, target],
      [r2, target],
      [r3, other],
    ] as const) {
      w.clock.advance(2 * MINUTE);
      await startChat(w.services, { between: [reporter!, reported!] });
      const res = await w.moderation.report({ reporterId: reporter!, reason: "abuse" });
      expect(res.ok).toBe(true);
    }
    await w.infra.stream.ensureGroup(MATCH_STREAM, MATCH_GROUP);
    await w.infra.stream.add(MATCH_STREAM, { user_id: "1" });
    const [entry] = await w.infra.stream.read(MATCH_STREAM, MATCH_GROUP, "c", { count: 1, blockMs: 0 });
    await w.infra.stream.deadLetter(MATCH_STREAM, MATCH_GROUP, entry!, "boom", MATCH_DEAD_STREAM);

    const job = operationsGaugesJob({
      stream: w.infra.stream,
      moderation: w.moderation,
      metrics,
      webhookInfo: async () => ({ pending_update_count: 250, last_error_date: 1_800_000_000 }),
    });
    await job.run();
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^match_dead_letters 1$/m);
    expect(text).toMatch(/^reports_open_max_per_person 2$/m);
    expect(text).toMatch(/^telegram_webhook_pending_updates 250$/m);
    expect(text).toMatch(/^telegram_webhook_last_error_timestamp_seconds 1800000000$/m);
  });
});
