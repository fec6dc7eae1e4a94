import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatEntry, SandboxUserHandle } from "../../sandbox/index.ts";
import { type E2E, startE2E } from "../helpers/bot-process.ts";
import { dumpDatabase } from "../helpers/db-dump.ts";
import { matchedPair } from "../helpers/people.ts";

/** Everything people wrote in this file: none of it may reach the database or the logs. */
const WRITTEN: string[] = [];
function say(text: string): string {
  WRITTEN.push(text);
  return text;
}

async function received(person: SandboxUserHandle, after: number) {
  return (await person.chat(after)).filter((m) => m.from === "bot");
}

/** The id of the last message the bot sent this person: pass it to `received` to see what comes next. */
async function lastFromBot(person: SandboxUserHandle): Promise<number> {
  return (await person.lastBotMessage())?.message_id ?? 0;
}

describe("the conversation, through the sandbox", () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await startE2E({ mode: "polling" });
  });
  afterAll(async () => {
    await e2e?.close();
  });

  describe("one matched pair, one kind of message per test", () => {
    let anna: SandboxUserHandle;
    let boris: SandboxUserHandle;
    /** Anna's first message, and Boris's copy of it: the edit and the reply below use them. */
    let hello: { message_id: number };
    let helloCopy: ChatEntry;
    beforeAll(async () => {
      [anna, boris] = await matchedPair(e2e.client, ["Анна", "Борис"], ["Тихая Сова", "Смелый Кит"]);
      hello = await anna.send(say("Привет! Мне сейчас тяжело после переезда"));
      helloCopy = await boris.expectMessage(/тяжело после переезда/);
    });

    it("a text reaches the peer as a copy, without the sender's name", async () => {
      expect(helloCopy.text).toBe("Привет! Мне сейчас тяжело после переезда");
      expect(helloCopy.forwarded).toBeFalsy();
      expect(helloCopy.text).not.toContain("Анна");
    });

    it("every kind of media reaches the peer as a copy with its caption, never as a forward", async () => {
      const start = await lastFromBot(boris);
      const kinds = [
        "photo",
        "voice",
        "video",
        "video_note",
        "sticker",
        "animation",
        "document",
        "audio",
      ] as const;
      for (const kind of kinds) {
        await anna.sendMedia(kind, {}, kind === "photo" ? { caption: say("Это мой город") } : {});
      }
      await expect
        .poll(async () => (await received(boris, start)).filter((m) => m.media).length, { timeout: 10_000 })
        .toBe(kinds.length);
      const media = (await received(boris, start)).filter((m) => m.media);
      expect(media.map((m) => m.media?.type)).toEqual([...kinds]);
      expect(media[0]?.caption).toBe("Это мой город");
      // Copies, never forwards: nothing leads back to the sender.
      expect((await e2e.client.calls("forwardMessage")).length).toBe(0);
      expect(media.every((m) => !m.forwarded)).toBe(true);
    });

    it("an album reaches the peer as one album: the copies share a media group", async () => {
      const start = await lastFromBot(boris);
      const album = `album-${Date.now()}`;
      await anna.sendMedia("photo", {}, { mediaGroupId: album });
      await anna.sendMedia("photo", {}, { mediaGroupId: album });
      await expect
        .poll(async () => (await received(boris, start)).filter((m) => m.media).length, { timeout: 10_000 })
        .toBe(2);
      const copies = (await received(boris, start)).filter((m) => m.media);
      expect(copies.map((m) => m.media?.type)).toEqual(["photo", "photo"]);
      expect(copies[0]?.media_group_id).toBeDefined();
      expect(copies[0]?.media_group_id).toBe(copies[1]?.media_group_id);
    });

    it("an edit updates the peer's copy", async () => {
      await anna.edit(hello.message_id, say("Привет! Мне сейчас очень тяжело после переезда"));
      await expect
        .poll(async () => (await boris.chat()).find((m) => m.message_id === helloCopy.message_id)?.text)
        .toBe("Привет! Мне сейчас очень тяжело после переезда");
    });

    it("a reply points at the peer's copy of the message replied to", async () => {
      await boris.send(say("Понимаю тебя, я тоже переезжал"), { replyTo: helloCopy.message_id });
      const reply = await anna.expectMessage(/я тоже переезжал/);
      expect(reply.reply_to_message_id).toBe(hello.message_id);
    });

    it("a contact card is refused with the reason, and the peer gets nothing", async () => {
      const start = await lastFromBot(boris);
      await anna.sendContact({ phone_number: "+79991234567", first_name: "Анна" });
      await anna.expectMessage(/Контакты не пересылаю/);
      expect(await received(boris, start)).toEqual([]);
    });

    it("a location is refused with the reason, and the peer gets nothing", async () => {
      const start = await lastFromBot(boris);
      await anna.sendLocation(55.75, 37.62);
      await anna.expectMessage(/Геолокацию не пересылаю/);
      expect(await received(boris, start)).toEqual([]);
    });

    it("a contact in text is held behind a privacy nudge until confirmed, and the nudge comes only once", async () => {
      const start = await lastFromBot(boris);
      await anna.send(say("Мой номер +7 999 765-43-21"));
      await anna.expectMessage(/раскрывает анонимность/);
      expect(await received(boris, start)).toEqual([]);
      await anna.click("Отправить всё равно");
      await boris.expectMessage(/765-43-21/);
      await anna.send(say("И почта anna.test@example.com"));
      await boris.expectMessage(/anna\.test@example\.com/);
    });
  });

  it("delivers every message exactly once and in order through 429 and 5xx bursts", async () => {
    const [vera, gleb] = await matchedPair(e2e.client, ["Вера", "Глеб"], ["Ясная Лань", "Добрый Барсук"]);
    const start = (await gleb.lastBotMessage())?.message_id ?? 0;
    await e2e.client.fault({ method: "copyMessage", error_code: 429, count: 3, retry_after: 1 });
    await e2e.client.fault({ method: "copyMessage", error_code: 502, count: 2 });
    for (let i = 1; i <= 15; i++) await vera.send(say(`сообщение номер ${i}`));
    await expect.poll(async () => (await received(gleb, start)).length, { timeout: 30_000 }).toBe(15);
    const texts = (await received(gleb, start)).map((m) => m.text);
    expect(texts).toEqual(Array.from({ length: 15 }, (_, i) => `сообщение номер ${i + 1}`));
    // The 16th within a minute is not delivered, and the sender is told.
    await vera.send(say("сообщение номер 16"));
    await vera.expectMessage(/очень быстро/);
    expect((await received(gleb, start)).length).toBe(15);
  });

  it("/end ends the chat for both with a goodbye, a rating and the tips call-to-action", async () => {
    const [dina, egor] = await matchedPair(e2e.client, ["Дина", "Егор"], ["Северная Рысь", "Тёплый Лис"]);
    await dina.send(say("Спасибо, что выслушал"));
    await egor.expectMessage(/выслушал/);
    await dina.send("/end");
    await dina.expectMessage(/Завершить разговор\?/);
    await dina.click("Да, завершить");
    await dina.expectMessage(/Разговор завершён/);
    // Goodbye, rating and the tip in one message: one notification, nothing held back by pacing.
    const goodbye = await egor.expectMessage(/Собеседник завершил разговор/);
    expect(goodbye.text).toMatch(/Насколько этот разговор тебе помог[\s\S]*\/tips/);
    expect((await egor.click("🤗 5")).text).toMatch(/Спасибо за оценку/);
    // The stars go once rated; the tip button stays.
    // (The edit and the callback's answer go out together: the edit may land a moment later.)
    const markup = async () =>
      JSON.stringify(
        (await egor.chat()).find((m) => m.message_id === goodbye.message_id)?.reply_markup ?? null,
      );
    await expect.poll(markup).not.toMatch(/🤗 5/);
    expect(await markup()).toMatch(/Поблагодарить/);
    // After the end, messages are not relayed: a hint instead.
    await egor.send(say("Ты тут?"));
    await egor.expectMessage(/\/find/);
    await dina.send("/end");
    await dina.expectMessage(/Сейчас нет разговора/);
  });

  describe("another matched pair: order, dice, service messages and venues", () => {
    let kseniya: SandboxUserHandle;
    let lavr: SandboxUserHandle;
    beforeAll(async () => {
      [kseniya, lavr] = await matchedPair(e2e.client, ["Ксения", "Лавр"], ["Синяя Цапля", "Рыжий Кот"]);
    });

    it("a text sent after an album arrives after the album", async () => {
      const start = await lastFromBot(lavr);
      const album = `album-order-${Date.now()}`;
      await kseniya.sendMedia("photo", {}, { mediaGroupId: album });
      await kseniya.sendMedia("photo", {}, { mediaGroupId: album });
      await kseniya.send(say("а это уже после фотографий"));
      await expect.poll(async () => (await received(lavr, start)).length, { timeout: 10_000 }).toBe(3);
      const got = await received(lavr, start);
      expect(got.map((m) => m.media?.type ?? m.text)).toEqual([
        "photo",
        "photo",
        "а это уже после фотографий",
      ]);
    });

    it("a dice roll is relayed", async () => {
      const start = await lastFromBot(lavr);
      await kseniya.sendDice("🎯");
      await expect.poll(async () => (await received(lavr, start)).at(-1)?.dice?.emoji).toBe("🎯");
    });

    it("a pin is Telegram's service message, not her words: nothing is relayed and nothing is said to her", async () => {
      const pinned = await kseniya.send(say("Хочу запомнить этот разговор"));
      await lavr.expectMessage(/запомнить этот разговор/);
      const [senderStart, peerStart] = [await lastFromBot(kseniya), await lastFromBot(lavr)];
      await kseniya.pin(pinned.message_id);
      // Updates of one chat are handled in order: once this arrives, the pin has been handled.
      await kseniya.send(say("Как прошла твоя неделя?"));
      await lavr.expectMessage(/прошла твоя неделя/);
      expect(await received(kseniya, senderStart)).toEqual([]);
      expect((await received(lavr, peerStart)).map((m) => m.text)).toEqual(["Как прошла твоя неделя?"]);
    });

    it("a venue is refused with the reason, and the peer gets nothing", async () => {
      const [senderStart, peerStart] = [await lastFromBot(kseniya), await lastFromBot(lavr)];
      await kseniya.sendVenue({ latitude: 55.75, longitude: 37.62, title: "Кафе", address: "Тверская, 1" });
      await kseniya.expectMessage(/Геолокацию не пересылаю/);
      const toSender = (await received(kseniya, senderStart)).map((m) => m.text);
      expect(toSender).toEqual([expect.stringMatching(/Геолокацию не пересылаю/)]);
      expect(await received(lavr, peerStart)).toEqual([]);
    });
  });

  it("an edit passes the same screen as a message: a rude edit is withheld, a crisis edit brings support to both", async () => {
    const [marta, nil] = await matchedPair(e2e.client, ["Марта", "Нил"], ["Белая Чайка", "Старый Ворон"]);
    const first = await marta.send(say("Привет, как ты?"));
    const copy = await nil.expectMessage(/как ты/);
    await marta.edit(first.message_id, say("ты тупая тварь"));
    await marta.expectMessage(/не доставлено/);
    expect((await nil.chat()).find((m) => m.message_id === copy.message_id)?.text).toBe("Привет, как ты?");

    await marta.edit(first.message_id, say("Привет. Я больше не хочу жить"));
    await expect
      .poll(async () => (await nil.chat()).find((m) => m.message_id === copy.message_id)?.text)
      .toBe("Привет. Я больше не хочу жить");
    await marta.expectMessage(/8-800-2000-122/);
    await nil.expectMessage(/просто будь рядом/);
  });

  it("a crisis message with swearing at life is delivered; one that also abuses the peer brings support but is not delivered", async () => {
    const [olga, pavel] = await matchedPair(e2e.client, ["Ольга", "Павел"], ["Тихий Олень", "Серый Заяц"]);
    const start = (await pavel.lastBotMessage())?.message_id ?? 0;
    await olga.send(say("бля, всё достало, я сегодня повешусь"));
    await pavel.expectMessage(/повешусь/);
    await olga.expectMessage(/8-800-2000-122/);
    await pavel.expectMessage(/просто будь рядом/);
    // Crisis is not a pass for abuse: the text stays. Help and the note were given a moment ago, so
    // they are not repeated (30 minutes, or a more severe signal).
    await olga.send(say("да пошёл ты нахуй, урод, я всё равно повешусь"));
    await olga.expectMessage(/не доставлено/);
    // A later message reaches Pavel after anything the withheld one brought him.
    await olga.send(say("прости, сорвалась"));
    await pavel.expectMessage(/сорвалась/);
    const toPavel = await received(pavel, start);
    expect(toPavel.some((m) => /урод/.test(m.text ?? ""))).toBe(false);
    expect(toPavel.filter((m) => /просто будь рядом/.test(m.text ?? ""))).toHaveLength(1);
  });

  it("a peer who blocked the bot ends the session cleanly", async () => {
    const [zhanna, ilya] = await matchedPair(
      e2e.client,
      ["Жанна", "Илья"],
      ["Мудрая Черепаха", "Быстрый Заяц"],
    );
    await ilya.block();
    await zhanna.send(say("Как ты сегодня?"));
    await zhanna.expectMessage(/Собеседник больше недоступен/);
    await zhanna.send("/find");
    await zhanna.expectMessage(/Ищу собеседника/);
  });

  it("keeps message text out of the database and the logs", async () => {
    await e2e.bot.stop();
    const dump = await dumpDatabase({ ...(e2e.dbUrl ? { url: e2e.dbUrl } : {}), dataDir: e2e.dataDir });
    const logs = e2e.allOutput().join("\n");
    expect(dump.length).toBeGreaterThan(1000);
    expect(logs.length).toBeGreaterThan(100);
    for (const text of WRITTEN) {
      expect(dump, `database holds «${text}»`).not.toContain(text);
      expect(logs, `logs hold «${text}»`).not.toContain(text);
    }
    // Counters are there, though.
    expect(dump).toMatch(/"msg_count_[ab]":[1-9]/);
  });
});
