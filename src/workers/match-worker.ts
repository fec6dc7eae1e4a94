import { isMissingGroup, type Stream, type StreamEntry } from "../infra/ports.ts";
import { type Logger, safeErrorLabel } from "../logger.ts";
import {
  MATCH_DEAD_STREAM,
  MATCH_GROUP,
  MATCH_STREAM,
  type MatchingService,
  type Proposal,
} from "../services/matching/index.ts";

export const MAX_DELIVERIES = 3;
/** Entries a crashed or stuck worker left pending longer than this are taken over (XAUTOCLAIM). */
export const RECLAIM_IDLE_MS = 60_000;

export interface MatchWorkerDeps {
  stream: Stream;
  matching: MatchingService;
  /** Delivers a proposal to both people. */
  onProposal(p: Proposal): Promise<void>;
  logger: Logger;
  consumer: string;
  onLag?(ms: number): void;
  blockMs?: number;
  batch?: number;
  now?: () => number;
}

/**
 * Consumes `match.find` in the consumer group `matchers`. Any number of workers may run: each entry
 * goes to one of them; an entry is acked only after its proposal was delivered, so a worker killed
 * mid-batch loses nothing (another reclaims it after RECLAIM_IDLE_MS); an entry failing
 * MAX_DELIVERIES times goes to `match.dead` with its error.
 */
export function startMatchWorker(deps: MatchWorkerDeps) {
  const { stream, matching, logger } = deps;
  const now = deps.now ?? Date.now;
  let running = true;
  let idle: Promise<void> = Promise.resolve();

  async function handle(entry: StreamEntry): Promise<void> {
    const userId = Number(entry.fields.user_id);
    const requestedAt = Number(entry.fields.requested_at);
    if (!Number.isInteger(userId) || userId <= 0) {
      await stream.deadLetter(MATCH_STREAM, MATCH_GROUP, entry, "malformed user_id", MATCH_DEAD_STREAM);
      return;
    }
    if (Number.isFinite(requestedAt)) deps.onLag?.(Math.max(0, now() - requestedAt));
    try {
      const proposal = await matching.processSearch(userId);
      if (proposal) {
        try {
          await deps.onProposal(proposal);
        } catch (err) {
          // Undelivered: take it back so the retry proposes again rather than finding them "engaged".
          await matching.withdrawProposal(proposal.matchId);
          throw err;
        }
      }
      await stream.ack(MATCH_STREAM, MATCH_GROUP, [entry.id]);
    } catch (err) {
      if (entry.deliveries >= MAX_DELIVERIES) {
        logger.error({ err, entry: entry.id }, "match.find entry failed too often; dead-lettered");
        await stream.deadLetter(
          MATCH_STREAM,
          MATCH_GROUP,
          entry,
          // Never the raw message: a database error's carries the query's parameters (ids).
          safeErrorLabel(err),
          MATCH_DEAD_STREAM,
        );
      } else {
        logger.warn(
          { err, entry: entry.id, deliveries: entry.deliveries },
          "match.find entry failed; will retry",
        );
      }
    }
  }

  async function loop(): Promise<void> {
    await stream.ensureGroup(MATCH_STREAM, MATCH_GROUP);
    let lastReclaim = 0;
    while (running) {
      try {
        if (now() - lastReclaim > 5_000) {
          lastReclaim = now();
          const stuck = await stream.reclaim(MATCH_STREAM, MATCH_GROUP, deps.consumer, {
            minIdleMs: RECLAIM_IDLE_MS,
            count: deps.batch ?? 16,
          });
          for (const entry of stuck) await handle(entry);
        }
        const entries = await stream.read(MATCH_STREAM, MATCH_GROUP, deps.consumer, {
          count: deps.batch ?? 16,
          blockMs: deps.blockMs ?? 1000,
        });
        for (const entry of entries) {
          if (!running) break;
          await handle(entry);
        }
        // Let timers and I/O in: with an in-process stream and PGlite every await above can resolve
        // without touching the event loop, and a long backlog would starve health checks and SIGTERM.
        await new Promise((r) => setImmediate(r));
      } catch (err) {
        if (!running) break;
        if (isMissingGroup(err)) {
          // Searches are not lost with the stream: they live in match_queue, and the wake job announces
          // the waiting ones again. Only the group has to come back.
          logger.warn("match stream group missing (Redis lost its data); recreating it");
          await stream.ensureGroup(MATCH_STREAM, MATCH_GROUP).catch(() => {});
          continue;
        }
        logger.error({ err }, "match worker loop error");
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  idle = loop();
  return {
    /** Stops reading; the entry in hand is finished first. Unacked entries stay for another worker. */
    async stop() {
      running = false;
      await idle;
    },
  };
}
