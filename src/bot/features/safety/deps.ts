import type { Composer } from "grammy";
import type { Clock } from "../../../clock.ts";
import type { KeyValue } from "../../../infra/ports.ts";
import type { Logger } from "../../../logger.ts";
import type { ChatService } from "../../../services/chats.ts";
import type { CrisisContext } from "../../../services/crisis-context.ts";
import type { EvidenceOrigin, ModerationService } from "../../../services/moderation/index.ts";
import type { PrivacyService } from "../../../services/privacy/index.ts";
import type { ProfileService } from "../../../services/profile.ts";
import type { SafetyTier } from "../../../services/safety-tier.ts";
import type { BotContext } from "../../context.ts";
import type { ModeratorAlerts } from "../../moderators.ts";
import type { Notifier } from "../../notifier.ts";
import type { CrisisFeature } from "../crisis.ts";

export const DRAFT_TTL_MS = 30 * 60 * 1000;
export const TOXIC_LABELS = new Set(["insult", "obscene", "harassment", "sexual_demand", "threat", "hate"]);

export interface ReportDraft {
  reason: string;
  sessionId: number;
  comment: string;
  /** Messages forwarded to the bot while reporting, with who wrote them as the forward tells. */
  evidence: Array<{ id: number; origin: EvidenceOrigin }>;
}

export interface SafetyFeatureDeps {
  moderation: ModerationService;
  crisis: CrisisFeature;
  crisisContext: CrisisContext;
  safetyTier: SafetyTier;
  privacy: PrivacyService;
  profiles: ProfileService;
  chats: ChatService;
  notifier: Notifier;
  mods: ModeratorAlerts;
  kv: KeyValue;
  clock: Clock;
  logger: Logger;
  pseudonymize: (id: number) => string;
  /** Called when a person's data is erased, to drop conversation context kept elsewhere (AI coach). */
  onErase?: (userId: number, sessionId: number | null) => Promise<void>;
  /** Deletes evidence copies from the moderators' chat (their reporter erased their data). */
  takeDownEvidence?: (copies: ReadonlyArray<{ modChatMessageId: number | null }>) => Promise<void>;
}

/** The registered people's side of the feature, where the handlers of each file go. */
export type Registered = Composer<BotContext>;
