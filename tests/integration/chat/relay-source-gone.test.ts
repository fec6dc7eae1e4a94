import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BotWorld, createBotWorld } from "../../helpers/bot-world.ts";
import { textUpdate } from "../../helpers/fake-telegram.ts";
import { startChat } from "../../helpers/fixtures.ts";

/**
 * A message can be gone before the bot copies it: deleted at once by its writer, or the bot was late
 * behind a backlog. Telegram then answers copyMessage with 400 «message to copy not found». Nothing
 * reached the peer, so the writer is told it was not delivered (not «у нас что-то сломалось»), and the
 * chat goes on.
 */
describe("a message gone before it is copied", () => {
  let t: BotWorld;
  let sourceGone = false;
  beforeAll(async () => {
    t = await createBotWorld({
      failWith: (call) =>
        sourceGone && call.method === "copyMessage"
          ? { error_code: 400, description: "Bad Request: message to copy not found" }
          : undefined,
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it("tells the writer it was not delivered, and the next message goes through", async () => {
    const { a, b } = await startChat(t.world.services, { topics: ["burnout", "anxiety"] });
    const [writer, peer] = [await t.tgOf(a), await t.tgOf(b)];
    const from = t.calls.length;
    sourceGone = true;
    await t.appBot.bot.handleUpdate(textUpdate(writer, "хотела рассказать, как прошла неделя") as never);
    sourceGone = false;
    const told = t.sentTo(writer.id, from).map((c) => String(c.payload.text));
    expect(told).toEqual(["Не получилось доставить сообщение — попробуй отправить ещё раз."]);
    expect(t.sentTo(peer.id, from)).toHaveLength(0);
    // One attempt, refused by Telegram; not retried, since the message is not there to copy.
    expect(t.copiesTo(peer.id, from)).toHaveLength(1);

    t.world.clock.advance(1_000);
    await t.appBot.bot.handleUpdate(textUpdate(writer, "попробую ещё раз: неделя была трудной") as never);
    expect(t.copiesTo(peer.id, from)).toHaveLength(2);
    expect(t.textsTo(writer.id, from)).toHaveLength(1);
  });
});
