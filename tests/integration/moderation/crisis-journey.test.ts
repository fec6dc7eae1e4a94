import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppBot } from "../../../src/bot/create-bot.ts";
import { checkIns, safetyFlags, users } from "../../../src/db/schema.ts";
import { classifyMessage } from "../../../src/domain/safety/index.ts";
import type { Metrics } from "../../../src/metrics.ts";
import { createSafetyTier } from "../../../src/services/safety-tier.ts";
import { checkInsJob } from "../../../src/workers/jobs/check-ins.ts";
import { type BotWorld, botOver, createBotWorld, type From } from "../../helpers/bot-world.ts";
import { eventually } from "../../helpers/eventually.ts";
import { callbackUpdate, type RecordedCall, textUpdate } from "../../helpers/fake-telegram.ts";
import { makePerson, startChat } from "../../helpers/fixtures.ts";
import { DAY, HOUR, MINUTE, type ServiceWorld } from "../../helpers/service-world.ts";

const MOD_CHAT = -100123;

describe("the crisis journey in the bot (manual clock)", () => {
  let world: ServiceWorld;
  let appBot: AppBot;
  let calls: RecordedCall[];
  let metrics: Metrics;
  let t: BotWorld;

  const tgOf = (userId: number) => t.tgOf(userId);
  const sentTo = (chatId: number, from = 0) => t.sentTo(chatId, from);
  const textOf = (c: RecordedCall) => String(c.payload.text ?? "");
  const copiesTo = (chatId: number, from = 0) => t.copiesTo(chatId, from);
  const alerts = (from = 0) => sentTo(MOD_CHAT, from).filter((c) => textOf(c).includes("Признаки кризиса"));
  /** Fire-and-forget work (alerts) settles on the next turns of the event loop. */
  const settle = () => new Promise((r) => setTimeout(r, 20));

  beforeAll(async () => {
    t = await createBotWorld({ modChatId: MOD_CHAT, seedSos: true });
    ({ world, appBot, calls, metrics } = t);
  });
  afterAll(async () => {
    await world.close();
  });

  describe("a crisis message in a chat", () => {
    let writer: From;
    let writerId: number;
    let peer: From;
    /** The call number before the crisis message: what the bot did since is read from here. */
    let from: number;
    beforeAll(async () => {
      const { a, b } = await startChat(world.services, { topics: ["loss", "loneliness"] });
      writerId = a;
      writer = await tgOf(a);
      peer = await tgOf(b);
      from = calls.length;
      await appBot.bot.handleUpdate(
        textUpdate(writer, "я больше не хочу жить, у меня есть таблетки") as never,
      );
      await settle();
    });

    it("still reaches the peer", () => {
      expect(copiesTo(peer.id, from)).toHaveLength(1);
    });

    it("brings the writer one warm message with their country's lines, 112 once, and the menu with «🆘 Помощь»", () => {
      const toWriter = sentTo(writer.id, from);
      expect(toWriter).toHaveLength(1);
      const support = textOf(toWriter[0]!);
      expect(support).toMatch(/в одиночку не нужно/);
      expect(support).toContain("8-800-2000-122");
      expect(support.match(/112/g)).toHaveLength(1);
      expect(support).not.toMatch(/112[^\n]*анонимно|анонимно[^\n]*112/);
      expect(support.match(/позвони/gi)?.length ?? 0).toBeLessThanOrEqual(1);
      const menu = toWriter[0]!.payload.reply_markup as {
        keyboard: Array<Array<{ text: string }>>;
        is_persistent: boolean;
      };
      expect(menu.is_persistent).toBe(true);
      expect(menu.keyboard.flat().map((k) => k.text)).toContain("🆘 Помощь");
    });

    it("brings the peer guidance and «🆘 Помощь», with no phone numbers of anyone's country", () => {
      const toPeer = sentTo(peer.id, from).map(textOf);
      expect(toPeer).toHaveLength(1);
      expect(toPeer[0]).toMatch(/просто будь рядом/);
      expect(toPeer[0]).toMatch(/🆘 Помощь/);
      expect(toPeer[0]).not.toMatch(/\d{3}/);
    });

    // Runs last: it writes more crisis messages to the same chat.
    it("alerts the moderators once per 10 minutes; the writer's message and the peer's note are not repeated for 30", async () => {
      const guidance = () => sentTo(peer.id, from).filter((c) => /просто будь рядом/.test(textOf(c)));
      const flags = async () =>
        (await world.db.select().from(safetyFlags).where(eq(safetyFlags.userId, writerId))).filter(
          (f) => f.source === "crisis",
        ).length;
      const flagsAfterFirst = await flags();
      expect(flagsAfterFirst).toBeGreaterThan(0);
      expect(alerts(from)).toHaveLength(1);
      expect(guidance()).toHaveLength(1);
      world.clock.advance(5 * MINUTE);
      await appBot.bot.handleUpdate(textUpdate(writer, "хочу уснуть и не проснуться, сегодня") as never);
      await settle();
      expect(alerts(from)).toHaveLength(1);
      // Told already, as seriously: the flag is kept, the list of numbers is not sent twice.
      expect(sentTo(writer.id, from)).toHaveLength(1);
      expect(guidance()).toHaveLength(1);
      world.clock.advance(6 * MINUTE);
      await appBot.bot.handleUpdate(textUpdate(writer, "я сегодня повешусь") as never);
      await settle();
      expect(alerts(from)).toHaveLength(2);
      expect(sentTo(writer.id, from)).toHaveLength(1);
      // Each message is still recorded (the gentle /end, the moderators' view).
      expect(await flags()).toBeGreaterThan(flagsAfterFirst);
      // Past the window, a crisis message brings both again.
      world.clock.advance(20 * MINUTE);
      await appBot.bot.handleUpdate(textUpdate(writer, "я сегодня повешусь, всё решено") as never);
      await settle();
      expect(sentTo(writer.id, from)).toHaveLength(2);
      expect(guidance()).toHaveLength(2);
      expect(copiesTo(peer.id, from)).toHaveLength(4);
    });
  });

  it("a more severe signal brings the writer's message again at once", async () => {
    const { a, b } = await startChat(world.services, { topics: ["burnout", "loneliness"] });
    const writer = await tgOf(a);
    await tgOf(b);
    const from = calls.length;
    const help = () => sentTo(writer.id, from).filter((c) => /в одиночку не нужно/.test(textOf(c)));
    await appBot.bot.handleUpdate(textUpdate(writer, "не вижу смысла ни в чём, всё бессмысленно") as never);
    await settle();
    expect(help()).toHaveLength(1);
    await appBot.bot.handleUpdate(textUpdate(writer, "не вижу смысла ни в чём, всё бессмысленно!") as never);
    await settle();
    expect(help()).toHaveLength(1);
    await appBot.bot.handleUpdate(textUpdate(writer, "я сегодня повешусь") as never);
    await settle();
    expect(help()).toHaveLength(2);
  });

  it("a message that is both crisis and abuse brings support and a peer note, but is not delivered", async () => {
    const { a, b } = await startChat(world.services, { topics: ["divorce", "relocation"] });
    const writer = await tgOf(a);
    const peer = await tgOf(b);
    const from = calls.length;
    await appBot.bot.handleUpdate(textUpdate(writer, "ты тупая дура, а я сегодня повешусь") as never);
    await settle();
    expect(copiesTo(peer.id, from)).toEqual([]);
    const toWriter = sentTo(writer.id, from).map(textOf);
    expect(toWriter.some((t) => /в одиночку не нужно/.test(t))).toBe(true);
    expect(toWriter.some((t) => /не доставлено/.test(t))).toBe(true);
    expect(
      sentTo(peer.id, from)
        .map(textOf)
        .some((t) => /просто будь рядом/.test(t)),
    ).toBe(true);
  });

  it("after /end the person in crisis gets no rating and no tip prompt, and a check-in 24 h later if they want it", async () => {
    const { a, b } = await startChat(world.services, { topics: ["caregiving", "chronic-illness"] });
    const writer = await tgOf(a);
    const peer = await tgOf(b);
    await appBot.bot.handleUpdate(textUpdate(writer, "всё бессмысленно, не хочу больше жить") as never);
    await settle();
    const from = calls.length;
    // The peer ends the chat.
    await appBot.bot.handleUpdate(callbackUpdate(peer, "c:end:yes") as never);
    const toWriter = sentTo(writer.id, from);
    expect(
      toWriter.map(textOf).some((t) => /напишу тебе завтра|напиши завтра|Хочешь, я напишу/.test(t)),
    ).toBe(true);
    expect(toWriter.some((c) => JSON.stringify(c.payload.reply_markup ?? {}).includes("c:rate:"))).toBe(
      false,
    );
    expect(toWriter.some((c) => JSON.stringify(c.payload.reply_markup ?? {}).includes("t:menu:"))).toBe(
      false,
    );
    // The peer still rates and may thank.
    const toPeer = sentTo(peer.id, from);
    expect(toPeer.some((c) => JSON.stringify(c.payload.reply_markup ?? {}).includes("c:rate:"))).toBe(true);

    await appBot.bot.handleUpdate(callbackUpdate(writer, "ci:yes") as never);
    const [row] = await world.db.select().from(checkIns).where(eq(checkIns.userId, a));
    expect(row?.status).toBe("scheduled");
    const job = checkInsJob({
      checkIns: world.services.checkIns,
      send: appBot.sendCheckIns,
      everyMs: 60_000,
    });
    const beforeJob = calls.length;
    world.clock.advance(23 * HOUR);
    await job.run();
    expect(sentTo(writer.id, beforeJob)).toEqual([]);
    world.clock.advance(HOUR + MINUTE);
    await job.run();
    await job.run();
    const asks = sentTo(writer.id, beforeJob);
    expect(asks).toHaveLength(1);
    expect(textOf(asks[0]!)).toMatch(/Как ты сейчас/);
    const buttons = JSON.stringify(asks[0]!.payload.reply_markup);
    const id = row!.id;
    for (const a of ["better", "same", "worse"]) expect(buttons).toContain(`ci:a:${id}:${a}`);

    const beforeAnswer = calls.length;
    await appBot.bot.handleUpdate(callbackUpdate(writer, `ci:a:${id}:worse`) as never);
    expect(sentTo(writer.id, beforeAnswer).map(textOf).join("\n")).toMatch(/8-800-2000-122/);
    const [answered] = await world.db.select().from(checkIns).where(eq(checkIns.id, id));
    expect(answered).toMatchObject({ status: "answered", answer: "worse" });
    // A second tap changes nothing; only the category was kept, and it was counted.
    await appBot.bot.handleUpdate(callbackUpdate(writer, `ci:a:${id}:better`) as never);
    const [still] = await world.db.select().from(checkIns).where(eq(checkIns.id, id));
    expect(still?.answer).toBe("worse");
    const metric = await metrics.registry.getSingleMetricAsString("safety_check_ins_total");
    expect(metric).toMatch(/event="answer_worse"} 1/);
  });

  it("«🆘 Помощь» answers in any state, and is never relayed to the peer", async () => {
    const { a, b } = await startChat(world.services, { topics: ["addiction-recovery", "family-conflict"] });
    const writer = await tgOf(a);
    const peer = await tgOf(b);
    const from = calls.length;
    await appBot.bot.handleUpdate(textUpdate(writer, "🆘 Помощь") as never);
    expect(copiesTo(peer.id, from)).toEqual([]);
    expect(sentTo(writer.id, from).map(textOf).join("\n")).toMatch(/8-800-2000-122/);
  });

  it("«💛 Беспокоюсь за собеседника»: after a confirmation the other person gets help of their own country, the peer guidance, moderators one alert; once per conversation", async () => {
    const { a, b } = await startChat(world.services, { topics: ["relocation", "loneliness"] });
    const worried = await tgOf(a);
    const person = await tgOf(b);
    // The person lives in Georgia, the one who worries in Russia: each sees only their own country's numbers.
    await world.db.update(users).set({ tz: "Asia/Tbilisi" }).where(eq(users.id, b));
    await world.db.update(users).set({ tz: "Europe/Moscow" }).where(eq(users.id, a));
    const from = calls.length;
    const keyboardOf = (c: RecordedCall) => JSON.stringify(c.payload.reply_markup ?? {});

    // The button is under the help list in a chat…
    await appBot.bot.handleUpdate(textUpdate(worried, "🆘 Помощь") as never);
    const help = sentTo(worried.id, from).find((c) => /8-800-2000-122/.test(textOf(c)));
    const session = /s:worry:ask:(\d+)/.exec(keyboardOf(help!))?.[1];
    expect(session).toBeDefined();
    // …and a second thought sends nothing.
    await appBot.bot.handleUpdate(callbackUpdate(worried, `s:worry:ask:${session}`) as never);
    const confirm = sentTo(worried.id, from).find((c) => /Написать собеседнику/.test(textOf(c)));
    expect(keyboardOf(confirm!)).toContain(`s:worry:yes:${session}`);
    await appBot.bot.handleUpdate(callbackUpdate(worried, `s:worry:no:${session}`) as never);
    await settle();
    expect(sentTo(person.id, from)).toEqual([]);

    const beforeYes = calls.length;
    await appBot.bot.handleUpdate(callbackUpdate(worried, `s:worry:yes:${session}`) as never);
    await settle();
    const toPerson = sentTo(person.id, beforeYes);
    expect(toPerson).toHaveLength(1);
    const support = textOf(toPerson[0]!);
    expect(support).toMatch(/беспокоится о тебе/);
    expect(support).toContain("116 006");
    expect(support).not.toContain("8-800-2000-122");
    expect(keyboardOf(toPerson[0]!)).toContain("🆘 Помощь");
    const toWorried = sentTo(worried.id, beforeYes).map(textOf).join("\n");
    expect(toWorried).toMatch(/Спасибо за заботу[\s\S]*просто будь рядом/);
    expect(toWorried).not.toMatch(/116 006|8-800-2000-122|Грузи/);
    expect(alerts(beforeYes)).toHaveLength(1);
    const [flag] = await world.db.select().from(safetyFlags).where(eq(safetyFlags.userId, b));
    expect(flag).toMatchObject({
      source: "crisis",
      label: "peer_concern",
      chatSessionId: expect.any(Number),
    });
    const metric = await metrics.registry.getSingleMetricAsString("safety_crisis_support_total");
    expect(metric).toMatch(/source="peer"} 1/);

    // Once per conversation: a second «yes» (an old button, or pressure) reaches no one.
    const beforeAgain = calls.length;
    await appBot.bot.handleUpdate(callbackUpdate(worried, `s:worry:yes:${session}`) as never);
    await settle();
    expect(sentTo(person.id, beforeAgain)).toEqual([]);
    expect(sentTo(worried.id, beforeAgain).map(textOf).join("\n")).toMatch(/уже написали/);
    expect(alerts(beforeAgain)).toEqual([]);

    // The person's /end is the gentle one: no rating, an offer of a check-in.
    const beforeEnd = calls.length;
    await appBot.bot.handleUpdate(callbackUpdate(worried, "c:end:yes") as never);
    const toPersonAtEnd = sentTo(person.id, beforeEnd);
    expect(toPersonAtEnd.map(textOf).join("\n")).toMatch(/Хочешь, я напишу/);
    expect(toPersonAtEnd.some((c) => keyboardOf(c).includes("c:rate:"))).toBe(false);

    // After the chat, the button changes nothing and the help list no longer offers it.
    const afterEnd = calls.length;
    await appBot.bot.handleUpdate(callbackUpdate(worried, `s:worry:yes:${session}`) as never);
    await settle();
    expect(sentTo(person.id, afterEnd)).toEqual([]);
    await appBot.bot.handleUpdate(textUpdate(worried, "/sos") as never);
    expect(sentTo(worried.id, afterEnd).some((c) => keyboardOf(c).includes("s:worry"))).toBe(false);

    // In the next conversation, the old button reaches no one: it belongs to the conversation it came from.
    const next = await makePerson(world.services, { topics: ["relocation", "loneliness"] });
    await startChat(world.services, { between: [a, next] });
    const nextPeer = await tgOf(next);
    const inNext = calls.length;
    await appBot.bot.handleUpdate(callbackUpdate(worried, `s:worry:yes:${session}`) as never);
    await settle();
    expect(sentTo(nextPeer.id, inNext)).toEqual([]);
    expect(alerts(inNext)).toEqual([]);
  });

  it("context: a farewell after hopelessness brings support though neither message alone does", async () => {
    const { a } = await startChat(world.services, { topics: ["pet-loss", "panic"] });
    const writer = await tgOf(a);
    const from = calls.length;
    await appBot.bot.handleUpdate(textUpdate(writer, "ничего уже не изменится, я устала") as never);
    await appBot.bot.handleUpdate(textUpdate(writer, "ладно") as never);
    const supportBefore = sentTo(writer.id, from).filter((c) => /в одиночку не нужно/.test(textOf(c))).length;
    await appBot.bot.handleUpdate(textUpdate(writer, "спасибо тебе за всё. прощай") as never);
    await settle();
    const supportAfter = sentTo(writer.id, from).filter((c) => /в одиночку не нужно/.test(textOf(c))).length;
    expect(supportAfter).toBeGreaterThan(supportBefore);
    const metric = await metrics.registry.getSingleMetricAsString("safety_crisis_support_total");
    expect(metric).toMatch(/source="(context|message)"/);
  });

  it("an uncertain message is delivered at once; the model tier's «crisis» brings support afterwards", async () => {
    let release: () => void = () => {};
    const answered = new Promise<void>((r) => {
      release = r;
    });
    const asked: string[] = [];
    world.services.safetyTier = createSafetyTier({
      provider: {
        judge: async (text) => {
          asked.push(text);
          await answered;
          return true;
        },
      },
      timeoutMs: 5000,
    });
    const { appBot: tierBot, calls: tierCalls } = botOver(world);
    const candidates = [
      "не знаю, сколько ещё так протяну",
      "мне кажется, я больше не выдержу",
      "устала от всего, сил совсем не осталось",
      "всё как-то потеряло смысл",
      "иногда хочется просто исчезнуть",
    ];
    const uncertain = candidates.find((t) => {
      const v = classifyMessage(t);
      return world.services.safetyTier.isUncertain(v.crisisScore / v.crisisThreshold, v.crisis);
    });
    expect(uncertain, "one of the candidates scores in the uncertain band").toBeDefined();
    const { a, b } = await startChat(world.services, { topics: ["breakup", "insomnia"] });
    const writer = await tgOf(a);
    const peer = await tgOf(b);
    await tierBot.bot.handleUpdate(textUpdate(writer, uncertain!) as never);
    // Delivered while the model has not answered yet.
    expect(tierCalls.filter((c) => c.method === "copyMessage" && c.payload.chat_id === peer.id)).toHaveLength(
      1,
    );
    expect(asked).toHaveLength(1);
    release();
    // The follow-up writes a crisis flag and reads the person before it sends: with PostgreSQL that takes
    // more than a turn of the event loop, so the support is waited for, not assumed after a fixed pause.
    await eventually(() => {
      const toWriter = tierCalls.filter((c) => c.method === "sendMessage" && c.payload.chat_id === writer.id);
      expect(toWriter.map((c) => String(c.payload.text)).join("\n")).toMatch(/в одиночку не нужно/);
    });
    world.services.safetyTier = createSafetyTier({ provider: null, timeoutMs: 1000 });
  });

  it("the check-in is one per person at a time and disappears with /delete", async () => {
    const [x] = await world.people(1, ["job-loss", "money-worries"]);
    expect((await world.services.checkIns.schedule(x!)).scheduled).toBe(true);
    expect((await world.services.checkIns.schedule(x!)).scheduled).toBe(false);
    world.clock.advance(DAY + MINUTE);
    // Another worker claiming at the same time gets nothing twice.
    const [first, second] = await Promise.all([
      world.services.checkIns.claimDue(),
      world.services.checkIns.claimDue(),
    ]);
    expect([...(first ?? []), ...(second ?? [])].filter((c) => c.userId === x)).toHaveLength(1);
    await world.services.checkIns.schedule(x!);
    await world.services.privacy.erase(x!);
    expect(await world.db.select().from(checkIns).where(eq(checkIns.userId, x!))).toEqual([]);
  });
});
