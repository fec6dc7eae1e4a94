import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { personKeys } from "../../../src/services/person-keys.ts";
import { type BotWorld, createBotWorld, type From } from "../../helpers/bot-world.ts";
import { textUpdate } from "../../helpers/fake-telegram.ts";
import { startChat } from "../../helpers/fixtures.ts";

/**
 * The spec's relay limit, 15 messages a minute per person: the 16th within a minute of the first is not
 * screened or delivered, the writer is told once (with «🆘 Помощь»), and after the minute it opens again. With a
 * webhook the count goes with the update's "done" mark, so a message given back to Telegram (a
 * dependency was down) is not counted twice when it comes again.
 */
describe("the relay limit", () => {
  // A second apart: a burst of identical timing would look like flooding.
  const send = async (t: BotWorld, from: From, text: string, update = textUpdate(from, text)) => {
    // A given-back update fails here as it fails the webhook (5xx); the caller checks what it left.
    await t.appBot.bot.handleUpdate(update as never).catch(() => {});
    t.world.clock.advance(1_000);
    return update;
  };

  describe("written at once (long polling)", () => {
    let t: BotWorld;
    beforeAll(async () => {
      t = await createBotWorld();
    });
    afterAll(async () => {
      await t.close();
    });

    it("delivers 15 a minute, tells the writer once, and opens again when the minute is over", async () => {
      const { a, b } = await startChat(t.world.services, { topics: ["burnout", "anxiety"] });
      const [writer, peer] = [await t.tgOf(a), await t.tgOf(b)];
      const from = t.calls.length;
      for (let i = 1; i <= 17; i++) {
        await send(t, writer, `сообщение номер ${i}, просто рассказываю, как прошёл день`);
      }
      expect(t.copiesTo(peer.id, from)).toHaveLength(15);
      const notices = t
        .sentTo(writer.id, from)
        .filter((c) => /пишешь очень быстро/.test(String(c.payload.text)));
      expect(notices).toHaveLength(1);
      // The minute started with the first message; the 16th came 15 s later: 45 s to wait, and help
      // is one tap away.
      expect(String(notices[0]!.payload.text)).toMatch(/45 сек/);
      expect(JSON.stringify(notices[0]!.payload.reply_markup)).toMatch(/Помощь/);
      t.world.clock.advance(60_000);
      await send(t, writer, "новая минута, новое сообщение");
      expect(t.copiesTo(peer.id, from)).toHaveLength(16);
      // The peer's own budget is theirs alone.
      await send(t, peer, "а я отвечаю");
      expect(t.copiesTo(writer.id, from)).toHaveLength(1);
    });
  });

  describe("with a webhook (counted with the done mark)", () => {
    let t: BotWorld;
    let telegramDown = false;
    beforeAll(async () => {
      t = await createBotWorld({
        canGiveBack: true,
        failWith: (call) =>
          telegramDown && call.method === "copyMessage"
            ? { error_code: 502, description: "Bad Gateway" }
            : undefined,
      });
    });
    afterAll(async () => {
      await t.close();
    });

    it("a message given back is not counted; its redelivery is, once", async () => {
      const { a, b } = await startChat(t.world.services, { topics: ["divorce", "loneliness"] });
      const [writer, peer] = [await t.tgOf(a), await t.tgOf(b)];
      const countKey = personKeys.relayCount(writer.id);
      const from = t.calls.length;
      for (let i = 1; i <= 14; i++) await send(t, writer, `рассказываю дальше, как прошёл день, часть ${i}`);
      expect(await t.world.infra.kv.get(countKey)).toBe("14");
      telegramDown = true;
      const givenBack = await send(t, writer, "а вечером мы гуляли в парке у реки");
      telegramDown = false;
      // Given back: the claim is released for the redelivery, and nothing was counted.
      expect(await t.world.infra.kv.get(`upd:${t.appBot.bot.botInfo.id}:${givenBack.update_id}`)).toBeNull();
      expect(await t.world.infra.kv.get(countKey)).toBe("14");
      await send(t, writer, "", givenBack);
      expect(await t.world.infra.kv.get(countKey)).toBe("15");
      await send(t, writer, "рассказываю дальше, как прошёл день, часть 16");
      const copies = t.copiesTo(peer.id, from).filter((c) => c !== undefined);
      // 14, the failed try, its redelivery; the 16th is not sent.
      expect(copies).toHaveLength(16);
      expect(await t.world.infra.kv.get(countKey)).toBe("15");
    });
  });
});
