import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AppBot, createBot } from "../../../src/bot/create-bot.ts";
import { users } from "../../../src/db/schema.ts";
import { createLogger, createPseudonymizer } from "../../../src/logger.ts";
import { createMetrics } from "../../../src/metrics.ts";
import {
  callbackUpdate,
  type RecordedCall,
  recordTelegramCalls,
  TEST_BOT_INFO,
  textUpdate,
} from "../../helpers/fake-telegram.ts";
import { startChat } from "../../helpers/fixtures.ts";
import { createWorld } from "../moderation/world.ts";

type World = Awaited<ReturnType<typeof createWorld>>;
type From = { id: number; first_name: string };

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
  let world: World;
  let appBot: AppBot;
  let calls: RecordedCall[];
  const tgOf = async (userId: number): Promise<From> => {
    const [row] = await world.db.select({ tgId: users.tgId }).from(users).where(eq(users.id, userId));
    return { id: Number(row!.tgId), first_name: "Человек" };
  };
  const copiesTo = (chatId: number, from: number) =>
    calls
      .slice(from)
      .filter(
        (c) => (c.method === "copyMessage" || c.method === "copyMessages") && c.payload.chat_id === chatId,
      );
  const textsTo = (chatId: number, from: number) =>
    calls
      .slice(from)
      .filter((c) => c.method === "sendMessage" && c.payload.chat_id === chatId)
      .map((c) => String(c.payload.text));

  beforeAll(async () => {
    world = await createWorld();
    appBot = createBot({
      token: "7000000001:TESTTOKEN-abcdefghij",
      apiRoot: "http://127.0.0.1:9",
      botInfo: TEST_BOT_INFO,
      logger: createLogger({ level: "silent" }),
      pseudonymize: createPseudonymizer("hidden-text-secret"),
      kv: world.infra.kv,
      rateLimiters: world.infra.rateLimiters,
      metrics: createMetrics({ collectDefault: false }),
      services: world.services,
      clock: world.clock,
      perChatMinMs: 0,
    });
    calls = recordTelegramCalls(appBot.bot);
  });
  afterAll(async () => {
    await world.close();
  });

  it("a link hidden behind ordinary words gets the contact nudge", async () => {
    const { a, b } = await startChat(world.services, { topics: ["loss", "loneliness"] });
    const [writer, peer] = [await tgOf(a), await tgOf(b)];
    const from = calls.length;
    await appBot.bot.handleUpdate(
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
    expect(copiesTo(peer.id, from)).toEqual([]);
    expect(textsTo(writer.id, from).join("\n")).toMatch(/анонимност/);
  });

  it("a poll whose question insults the peer is not delivered", async () => {
    const { a, b } = await startChat(world.services, { topics: ["divorce", "relocation"] });
    const [writer, peer] = [await tgOf(a), await tgOf(b)];
    const from = calls.length;
    await appBot.bot.handleUpdate(
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
    expect(copiesTo(peer.id, from)).toEqual([]);
    expect(textsTo(writer.id, from).join("\n")).toMatch(/не доставлено/);
  });

  it("a held message edited into abuse is not released by «Отправить всё равно»", async () => {
    const { a, b } = await startChat(world.services, { topics: ["burnout", "anxiety"] });
    const [writer, peer] = [await tgOf(a), await tgOf(b)];
    const from = calls.length;
    await appBot.bot.handleUpdate(
      messageUpdate(writer, { text: "мой номер +7 999 765-43-21" }, 301) as never,
    );
    expect(textsTo(writer.id, from).join("\n")).toMatch(/анонимност/);
    await appBot.bot.handleUpdate(
      messageUpdate(writer, { text: "ты тупая дура, заткнись" }, 301, true) as never,
    );
    expect(textsTo(writer.id, from).join("\n")).toMatch(/не доставлено/);
    await appBot.bot.handleUpdate(callbackUpdate(writer, "c:pii:send:301") as never);
    expect(copiesTo(peer.id, from)).toEqual([]);
  });

  it("a held message edited into something harmless is released as it is", async () => {
    const { a, b } = await startChat(world.services, { topics: ["caregiving", "chronic-illness"] });
    const [writer, peer] = [await tgOf(a), await tgOf(b)];
    const from = calls.length;
    await appBot.bot.handleUpdate(messageUpdate(writer, { text: "пиши на anna@example.com" }, 401) as never);
    await appBot.bot.handleUpdate(messageUpdate(writer, { text: "пиши сюда, в бот" }, 401, true) as never);
    await appBot.bot.handleUpdate(callbackUpdate(writer, "c:pii:send:401") as never);
    expect(copiesTo(peer.id, from)).toHaveLength(1);
  });
});
