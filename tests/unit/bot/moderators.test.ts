import { Api } from "grammy";
import { describe, expect, it } from "vitest";
import { createI18n } from "../../../src/bot/create-bot.ts";
import { createModeratorAlerts } from "../../../src/bot/moderators.ts";
import { createLogger } from "../../../src/logger.ts";

describe("moderator alerts without a moderators' chat", () => {
  it("log only which alert it was: no nickname, comment or appeal text", async () => {
    const lines: string[] = [];
    const logger = createLogger({
      level: "info",
      destination: { write: (line: string) => lines.push(line) },
    });
    const mods = createModeratorAlerts({
      api: new Api("0:unused"),
      i18n: createI18n(),
      chatId: null,
      logger,
    });
    const posted = await mods.post("mod-alert-toxic", {
      target: 42,
      nickname: "Тихая Сова",
      until: "2026-11-23 18:00 UTC",
      labels: "insult",
    });
    await mods.post("mod-alert-appeal", {
      appealId: 7,
      target: 42,
      text: "Я погорячился: прошу пересмотреть",
    });
    expect(posted).toBeNull();
    expect(lines).toHaveLength(2);
    expect(lines.map((l) => JSON.parse(l).alert)).toEqual(["mod-alert-toxic", "mod-alert-appeal"]);
    const all = lines.join("\n");
    expect(all).not.toContain("Тихая Сова");
    expect(all).not.toContain("погорячился");
  });
});
