import type { Services } from "../../services/index.ts";
import type { Job } from "../scheduler.ts";

type Copies = ReadonlyArray<{ modChatMessageId: number | null }>;

/**
 * Evidence copies leave the moderators' chat after 47 h (a bot can delete only within 48 h;
 * moderators can show them again), and the evidence itself 30 days after its report closes.
 */
export function evidenceRetentionJob(deps: {
  moderation: Pick<
    Services["moderation"],
    "evidenceToTakeDown" | "markEvidenceTakenDown" | "evidenceToDelete" | "deleteEvidence"
  >;
  takeDown: (copies: Copies) => Promise<void>;
}): Job {
  const { moderation, takeDown } = deps;
  return {
    name: "evidence-retention",
    everyMs: 15 * 60_000,
    run: async () => {
      const shown = await moderation.evidenceToTakeDown();
      await takeDown(shown);
      await moderation.markEvidenceTakenDown(shown.map((e) => e.id));
      const due = await moderation.evidenceToDelete();
      await takeDown(due);
      await moderation.deleteEvidence(due.map((e) => e.id));
    },
  };
}
