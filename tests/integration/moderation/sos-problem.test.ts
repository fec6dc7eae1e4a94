import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sosHotlines } from "../../../src/db/schema.ts";
import { type BotWorld, createBotWorld } from "../../helpers/bot-world.ts";
import { callbackUpdate, type RecordedCall, textUpdate } from "../../helpers/fake-telegram.ts";

describe("«☎️ Номер не сработал?» under the help list", () => {
  let t: BotWorld;
  beforeAll(async () => {
    t = await createBotWorld({ seedSos: true });
  });
  afterAll(async () => {
    await t.close();
  });

  const buttons = (c: RecordedCall) =>
    (
      c.payload.reply_markup as { inline_keyboard: Array<Array<{ text: string; callback_data: string }>> }
    ).inline_keyboard.flat();

  it("asks which number, counts it once per person until an operator verifies it again", async () => {
    const person = { id: 7_700_001, first_name: "Гость" };
    const from = t.calls.length;
    await t.appBot.bot.handleUpdate(textUpdate(person, "/sos") as never);
    const list = t.sentTo(person.id, from)[0]!;
    const problem = buttons(list).find((b) => b.text === "☎️ Номер не сработал?")!;
    expect(problem.callback_data).toBe("s:bad:RU");

    const asked = t.calls.length;
    await t.appBot.bot.handleUpdate(callbackUpdate(person, problem.callback_data) as never);
    const which = t.sentTo(person.id, asked)[0]!;
    expect(String(which.payload.text)).toMatch(/Какой номер не сработал/);
    const first = buttons(which)[0]!;
    const entryId = Number(first.callback_data.split(":")[3]);

    for (let i = 0; i < 2; i++)
      await t.appBot.bot.handleUpdate(callbackUpdate(person, first.callback_data) as never);
    expect(t.textsTo(person.id, asked).join("\n")).toMatch(
      /модераторы проверят этот номер[\s\S]*findahelpline/,
    );
    const [row] = await t.world.db.select().from(sosHotlines).where(eq(sosHotlines.id, entryId));
    expect(row!.problemReports).toBe(1);
    expect(row!.problemReportedAt).not.toBeNull();

    const other = { id: 7_700_002, first_name: "Ещё" };
    await t.appBot.bot.handleUpdate(callbackUpdate(other, first.callback_data) as never);
    const verified = await t.world.services.sos.markVerified(entryId, {
      source: "https://example.org/called",
    });
    expect(verified.ok).toBe(true);
    const [after] = await t.world.db.select().from(sosHotlines).where(eq(sosHotlines.id, entryId));
    expect(after!.problemReports).toBe(0);
  });
});
