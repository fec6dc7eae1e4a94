import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BotWorld, createBotWorld, type From } from "../../helpers/bot-world.ts";
import { callbackUpdate } from "../../helpers/fake-telegram.ts";
import { startChat } from "../../helpers/fixtures.ts";

/** A message update with entities or a poll, as Telegram sends them. */
function messageUpdate(from: From, fields: Record<string, unknown>, messageId: number, edited = false) {
  const message = {
    message_id: messageId,
    date: Math.floor(Date.now() / 1000),
    chat: { id: from.id, type: "private", first_name: from.first_name },
    from: { id: from.id, is_bot: false, first_name: from.first_name },
    ...(edited ? { edit_date: Math.floor(Date.now() / 1000) } : {}),
    ...fields,
  };
  return {
    update_id: 900_000 + messageId * 2 + (edited ? 1 : 0),
    [edited ? "edited_message" : "message"]: message,
  };
}

describe("the screen reads hidden text and what is released", () => {
  let t: BotWorld;
  beforeAll(async () => {
    t = await createBotWorld();
  });
  afterAll(async () => {
    await t.close();
  });

  it("a link hidden behind ordinary words gets the contact nudge", async () => {
    const { a, b } = await startChat(t.world.services, { topics: ["loss", "loneliness"] });
    const [writer, peer] = [await t.tgOf(a), await t.tgOf(b)];
    const from = t.calls.length;
    await t.appBot.bot.handleUpdate(
      messageUpdate(
        writer,
        {
          text: "вот тут мои фотки",
          entities: [
            { type: "text_link", offset: 0, length: 7, url: "https://instagram.com/anna.petrova.1990" },
          ],
        },
        101,
      ) as never,
    );
    expect(t.copiesTo(peer.id, from)).toEqual([]);
    expect(t.textsTo(writer.id, from).join("\n")).toMatch(/анонимност/);
  });

  it("a poll whose question insults the peer is not delivered", async () => {
    const { a, b } = await startChat(t.world.services, { topics: ["divorce", "relocation"] });
    const [writer, peer] = [await t.tgOf(a), await t.tgOf(b)];
    const from = t.calls.length;
    await t.appBot.bot.handleUpdate(
      messageUpdate(
        writer,
        {
          poll: {
            id: "p1",
            question: "ты тупая дура?",
            options: [
              { text: "да", voter_count: 0 },
              { text: "конечно", voter_count: 0 },
            ],
            total_voter_count: 0,
            is_closed: false,
            is_anonymous: true,
            type: "regular",
            allows_multiple_answers: false,
          },
        },
        201,
      ) as never,
    );
    expect(t.copiesTo(peer.id, from)).toEqual([]);
    expect(t.textsTo(writer.id, from).join("\n")).toMatch(/не доставлено/);
  });

  it("a held message edited into abuse is not released by «Отправить всё равно»", async () => {
    const { a, b } = await startChat(t.world.services, { topics: ["burnout", "anxiety"] });
    const [writer, peer] = [await t.tgOf(a), await t.tgOf(b)];
    const from = t.calls.length;
    await t.appBot.bot.handleUpdate(
      messageUpdate(writer, { text: "мой номер +7 999 765-43-21" }, 301) as never,
    );
    expect(t.textsTo(writer.id, from).join("\n")).toMatch(/анонимност/);
    await t.appBot.bot.handleUpdate(
      messageUpdate(writer, { text: "ты тупая дура, заткнись" }, 301, true) as never,
    );
    expect(t.textsTo(writer.id, from).join("\n")).toMatch(/не доставлено/);
    await t.appBot.bot.handleUpdate(callbackUpdate(writer, "c:pii:send:301") as never);
    expect(t.copiesTo(peer.id, from)).toEqual([]);
  });

  it("a held message edited into something harmless is released as it is", async () => {
    const { a, b } = await startChat(t.world.services, { topics: ["caregiving", "chronic-illness"] });
    const [writer, peer] = [await t.tgOf(a), await t.tgOf(b)];
    const from = t.calls.length;
    await t.appBot.bot.handleUpdate(
      messageUpdate(writer, { text: "пиши на anna@example.com" }, 401) as never,
    );
    await t.appBot.bot.handleUpdate(messageUpdate(writer, { text: "пиши сюда, в бот" }, 401, true) as never);
    await t.appBot.bot.handleUpdate(callbackUpdate(writer, "c:pii:send:401") as never);
    expect(t.copiesTo(peer.id, from)).toHaveLength(1);
  });

  it("a forwarded story is refused with the reason (it shows whose channel it came from)", async () => {
    const { a, b } = await startChat(t.world.services, { topics: ["pet-loss", "family-conflict"] });
    const [writer, peer] = [await t.tgOf(a), await t.tgOf(b)];
    const from = t.calls.length;
    await t.appBot.bot.handleUpdate(
      messageUpdate(
        writer,
        { story: { chat: { id: -100777, type: "channel", title: "Мой канал" }, id: 5 } },
        501,
      ) as never,
    );
    expect(t.copiesTo(peer.id, from)).toEqual([]);
    expect(t.textsTo(writer.id, from).join("\n")).toMatch(/Истории не пересылаю/);
  });

  it("a photo sent as a file waits for «Отправить всё равно» (its EXIF may hold the place)", async () => {
    const { a, b } = await startChat(t.world.services, { topics: ["breakup", "panic"] });
    const [writer, peer] = [await t.tgOf(a), await t.tgOf(b)];
    const from = t.calls.length;
    const document = {
      file_id: "doc-1",
      file_unique_id: "u-doc-1",
      file_name: "IMG_2041.JPG",
      mime_type: "image/jpeg",
    };
    await t.appBot.bot.handleUpdate(messageUpdate(writer, { document }, 601) as never);
    expect(t.copiesTo(peer.id, from)).toEqual([]);
    expect(t.textsTo(writer.id, from).join("\n")).toMatch(/место и время съёмки/);
    await t.appBot.bot.handleUpdate(callbackUpdate(writer, "c:pii:send:601") as never);
    expect(t.copiesTo(peer.id, from)).toHaveLength(1);
    // Any other file goes straight through.
    const pdf = {
      file_id: "doc-2",
      file_unique_id: "u-doc-2",
      file_name: "справка.pdf",
      mime_type: "application/pdf",
    };
    await t.appBot.bot.handleUpdate(messageUpdate(writer, { document: pdf }, 602) as never);
    expect(t.copiesTo(peer.id, from)).toHaveLength(2);
  });
});
