import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { digestRuns, matchQueue, users } from "../../../src/db/schema.ts";
import { weeklyDigestJob } from "../../../src/workers/jobs/weekly-digest.ts";
import { type BotWorld, createBotWorld } from "../../helpers/bot-world.ts";
import { callbackUpdate, type RecordedCall } from "../../helpers/fake-telegram.ts";
import { makePerson } from "../../helpers/fixtures.ts";
import { DAY, HOUR } from "../../helpers/service-world.ts";

describe("the weekly digest in the bot (manual clock)", () => {
  let t: BotWorld;
  /** Telegram ids whose chats answer 403, as for a person who blocked the bot. */
  const blocked = new Set<number>();
  beforeAll(async () => {
    t = await createBotWorld({
      failWith: (c) =>
        c.method === "sendMessage" && blocked.has(Number(c.payload.chat_id))
          ? { error_code: 403, description: "Forbidden: bot was blocked by the user" }
          : undefined,
    });
  });
  afterAll(async () => {
    await t.close();
  });

  const textOf = (c: RecordedCall) => String(c.payload.text ?? "");
  const buttonsOf = (c: RecordedCall) =>
    (
      c.payload.reply_markup as { inline_keyboard: Array<Array<{ text: string; callback_data: string }>> }
    ).inline_keyboard.flat();
  const job = () =>
    weeklyDigestJob({ digest: t.world.services.digest, send: t.appBot.sendDigest, everyMs: 60_000 });
  const nextAt = async (id: number) =>
    (await t.world.db.select().from(users).where(eq(users.id, id)))[0]!.digestNextAt!;

  it("says how many and which topics, never who; its button starts a search, which is counted", async () => {
    const { world } = t;
    const ana = await makePerson(world.services, { topics: ["emigration", "adaptation"] });
    await world.services.profiles.setDigest(ana, true);
    world.clock.advance(5 * DAY);
    const names = ["Тёплая Свеча", "Тихий Клён", "Светлая Река"];
    for (const nickname of names)
      await makePerson(world.services, {
        topics: ["emigration", "adaptation"],
        nickname,
        receiveProposals: true,
      });
    world.clock.set(await nextAt(ana));
    const from = t.calls.length;
    await job().run();
    const tg = await t.tgOf(ana);
    const sent = t.sentTo(tg.id, from);
    expect(sent).toHaveLength(1);
    const text = textOf(sent[0]!);
    expect(text).toMatch(/которые тебе подходят: 3\./);
    expect(text).toMatch(/Общие темы: (Эмиграция|Адаптация)/);
    for (const n of names) expect(text).not.toContain(n);
    const buttons = buttonsOf(sent[0]!);
    expect(buttons.map((b) => b.text)).toEqual(["🔍 Найти собеседника", "Больше не присылать"]);

    // Run again at once: nothing more (claimed once).
    await job().run();
    expect(t.sentTo(tg.id, from)).toHaveLength(1);

    world.clock.advance(2 * HOUR);
    await t.appBot.bot.handleUpdate(callbackUpdate(tg, buttons[0]!.callback_data) as never);
    expect(t.textsTo(tg.id, from).join("\n")).toMatch(/Ищу собеседника/);
    const [queued] = await world.db.select().from(matchQueue).where(eq(matchQueue.userId, ana));
    expect(queued).toBeDefined();
    const [run] = await world.db.select().from(digestRuns).where(eq(digestRuns.userId, ana));
    expect(run!.searchedAt).toEqual(world.clock.now());
  });

  /** Someone opted in to the digest, someone new who fits them, and the job at their digest time. */
  async function digestDueFor(topics: string[], before?: (tgId: number) => void) {
    const { world } = t;
    const id = await makePerson(world.services, { topics });
    await world.services.profiles.setDigest(id, true);
    world.clock.advance(5 * DAY);
    await makePerson(world.services, { topics, receiveProposals: true });
    const tg = await t.tgOf(id);
    before?.(tg.id);
    world.clock.set(await nextAt(id));
    const from = t.calls.length;
    await job().run();
    return { id, tg, from };
  }

  it("«Больше не присылать» turns it off in one tap", async () => {
    const { world } = t;
    const { id: bo, tg, from } = await digestDueFor(["caregiving", "parenting"]);
    const [digest] = t.sentTo(tg.id, from);
    const stop = buttonsOf(digest!).find((b) => b.text === "Больше не присылать")!;
    await t.appBot.bot.handleUpdate(callbackUpdate(tg, stop.callback_data) as never);
    expect(t.textsTo(tg.id, from).join("\n")).toMatch(/больше не буду напоминать/);
    const [row] = await world.db.select().from(users).where(eq(users.id, bo));
    expect(row).toMatchObject({ digestEnabled: false, digestNextAt: null });
    expect((await world.services.profiles.getProfile(bo)).digest).toBe(false);
  });

  it("a person who blocked the bot is marked unreachable, and is reachable again once they write", async () => {
    const { world } = t;
    const { id: vera, tg } = await digestDueFor(["loss", "pet-loss"], (tgId) => blocked.add(tgId));
    const [row] = await world.db.select().from(users).where(eq(users.id, vera));
    expect(row!.unreachableSince).not.toBeNull();
    const [run] = await world.db.select().from(digestRuns).where(eq(digestRuns.userId, vera));
    expect(run!.outcome).toBe("unreachable");

    blocked.delete(tg.id);
    await t.appBot.bot.handleUpdate(callbackUpdate(tg, "m:cancel") as never);
    const [back] = await world.db.select().from(users).where(eq(users.id, vera));
    expect(back!.unreachableSince).toBeNull();
  });
});
