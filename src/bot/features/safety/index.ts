import { Composer } from "grammy";
import type { BotContext } from "../../context.ts";

import { registerAppeals } from "./appeals.ts";
import { registerBlock } from "./block.ts";
import type { SafetyFeatureDeps } from "./deps.ts";
import { createModeratorsChat } from "./moderators-chat.ts";
import { registerPrivacy } from "./privacy.ts";
import { registerReports } from "./reports.ts";
import { createScreen } from "./screen.ts";

export type { SafetyFeatureDeps } from "./deps.ts";

/**
 * Safety and privacy: /report (with forwarded evidence for moderators), /block, the toxicity and
 * crisis screens on relayed text, moderator actions from the moderators' chat, /appeal, /delete and
 * /export — one file each; registered here in an order that matters (a report draft takes text before
 * an appeal does, and both before the relay).
 */
export function createSafetyFeature(deps: SafetyFeatureDeps) {
  const feature = new Composer<BotContext>();
  const registered = feature.filter((ctx) => ctx.user !== null);
  registerReports(deps, registered);
  registerBlock(deps, registered);
  const screen = createScreen(deps);
  registerAppeals(deps, registered);
  registerPrivacy(deps, registered);
  const { modChat, showReportEvidence } = createModeratorsChat(deps);
  return { feature, modChat, screen, showReportEvidence };
}

export type SafetyFeature = ReturnType<typeof createSafetyFeature>;
