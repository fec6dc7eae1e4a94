import type { Clock } from "../../clock.ts";
import type { Db } from "../../db/client.ts";
import { createAppeals } from "./appeals.ts";
import { createBlocks } from "./blocks.ts";
import { createEvidence } from "./evidence.ts";
import { createModeratorViews } from "./moderator-views.ts";
import { createReports } from "./reports.ts";
import { createRetention } from "./retention.ts";
import { DEFAULT_REPORT_THRESHOLD } from "./rules.ts";
import { createCrisisFlags } from "./safety-flags.ts";
import { createSanctions } from "./sanctions.ts";
import { createStrikes } from "./strikes.ts";

export type { AppealResult, AppealView, DecideAppealResult } from "./appeals.ts";
export type { BlockResult } from "./blocks.ts";
export type { ReportView, UserListItem, UserView } from "./moderator-views.ts";
export { cleanText, lockPeopleIn, type WithdrawnProposal, withdrawProposalsIn } from "./people.ts";
export type { ReportResult } from "./reports.ts";
export * from "./rules.ts";
export type { StrikeInput } from "./safety-flags.ts";
export type { ActRejection, ActResult } from "./sanctions.ts";
export type { StrikeResult } from "./strikes.ts";

/**
 * Reports, evidence, blocks, toxicity strikes and mutes, crisis flags, moderator actions and appeals,
 * one file a seam; this is the one object the bot, the admin API and the workers hold.
 * Only ids, counters and what people wrote to moderators are stored: never chat messages.
 */
export function createModerationService(deps: { db: Db; clock: Clock; reportThreshold?: number }) {
  const { db, clock } = deps;
  const threshold = deps.reportThreshold ?? DEFAULT_REPORT_THRESHOLD;
  return {
    reportThreshold: threshold,
    ...createReports({ db, clock, threshold }),
    ...createEvidence({ db, clock }),
    ...createBlocks({ db, clock }),
    ...createStrikes({ db, clock }),
    ...createCrisisFlags({ db, clock }),
    ...createSanctions({ db, clock, threshold }),
    ...createAppeals({ db, clock }),
    ...createModeratorViews({ db }),
    ...createRetention({ db, clock }),
  };
}

export type ModerationService = ReturnType<typeof createModerationService>;
