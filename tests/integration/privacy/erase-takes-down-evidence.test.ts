import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BotWorld, createBotWorld } from "../../helpers/bot-world.ts";
import { callbackUpdate } from "../../helpers/fake-telegram.ts";
import { startChat } from "../../helpers/fixtures.ts";

const MOD_CHAT = -100500;

describe("/delete and the evidence a person forwarded to moderators", () => {
  let t: BotWorld;
  beforeAll(async () => {
    t = await createBotWorld({ modChatId: MOD_CHAT });
  });
  afterAll(async () => {
    await t.close();
  });

  it("takes down the copies still shown in the moderators' chat (their rows are erased with them)", async () => {
    const { world } = t;
    const { a: reporter } = await startChat(world.services, { topics: ["war-stress", "bullying"] });
    const report = await world.moderation.report({ reporterId: reporter, reason: "abuse" });
    if (!report.ok) throw new Error("report refused");
    const shown = await world.moderation.attachEvidence(report.reportId, reporter, 4242, {
      sourceMessageId: 17,
    });
    if (!shown.ok) throw new Error(shown.reason);
    const notShown = await world.moderation.attachEvidence(report.reportId, reporter, 4343, {
      sourceMessageId: 18,
    });
    if (!notShown.ok) throw new Error(notShown.reason);
    await world.moderation.markEvidenceTakenDown([notShown.evidenceId]);

    const from = t.calls.length;
    await t.appBot.bot.handleUpdate(callbackUpdate(await t.tgOf(reporter), "del:yes") as never);
    const deleted = t.calls
      .slice(from)
      .filter((c) => c.method === "deleteMessage" && c.payload.chat_id === MOD_CHAT)
      .map((c) => c.payload.message_id);
    expect(deleted).toEqual([4242]);
  });
});
