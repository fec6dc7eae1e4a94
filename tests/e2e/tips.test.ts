import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type E2E, startE2E } from "../helpers/bot-process.ts";
import { dumpDatabase } from "../helpers/db-dump.ts";
import { matchedPair } from "../helpers/people.ts";

describe("tips in Telegram Stars, through the sandbox", () => {
  let e2e: E2E;
  /** The tips table as JSON (the process keeps running only on PostgreSQL; PGlite is read after a stop). */
  async function dumpTips(): Promise<string> {
    if (e2e.dbUrl) return dumpDatabase({ url: e2e.dbUrl, dataDir: e2e.dataDir });
    await e2e.bot.stop();
    const dump = await dumpDatabase({ dataDir: e2e.dataDir });
    await e2e.restart();
    return dump;
  }
  beforeAll(async () => {
    e2e = await startE2E({ mode: "polling" });
  });
  afterAll(async () => {
    await e2e?.close();
  });

  it("pays a tip end to end after /end: split shown, invoice in XTR, receipt, anonymous thanks; a duplicate update records once", async () => {
    const [olga, pavel] = await matchedPair(e2e.client, ["Ольга", "Павел"], ["Тихая Сова", "Смелый Кит"]);
    await olga.send("Спасибо тебе");
    await pavel.expectMessage(/Спасибо тебе/);
    await olga.send("/end");
    await olga.click("Да, завершить");
    await olga.expectMessage(/\/tips/);
    await olga.click("⭐ Поблагодарить");
    await olga.expectMessage(/комиссию 10%/);
    await olga.click("10 ⭐");
    await olga.expectMessage(/Сумма: 10 ⭐. Комиссия сервиса: 1 ⭐. Собеседнику: 9 ⭐/);
    const invoice = await olga.expectMessage((m) => m.invoice !== undefined);
    expect(invoice.invoice).toMatchObject({ currency: "XTR", total_amount: 10 });
    const sent = (await e2e.client.calls("sendInvoice")).at(-1);
    expect(sent?.params).toMatchObject({ currency: "XTR" });
    expect(sent?.params.provider_token ?? "").toBe("");
    expect(String(sent?.params.payload).length).toBeLessThanOrEqual(128);
    // A second click on the same amount: one invoice, and the person is told where it is.
    const invoicesBefore = (await e2e.client.calls("sendInvoice")).length;
    expect((await olga.click("10 ⭐")).text).toMatch(/уже выше/);
    expect((await e2e.client.calls("sendInvoice")).length).toBe(invoicesBefore);

    const paid = await olga.pay();
    expect(paid.status).toBe("paid");
    // The breakdown is shown once (before paying): the receipt confirms without repeating it.
    const receipt = await olga.expectMessage(/Оплата прошла/);
    expect(receipt.text).toMatch(/10 ⭐/);
    expect(receipt.text).not.toMatch(/Комиссия|9 ⭐/);
    // The person thanked learns how much is theirs and how it reaches them.
    const thanksNote = await pavel.expectMessage(/поблагодарил тебя звёздами/);
    expect(thanksNote.text).toMatch(/Тебе — 9 ⭐ из 10 ⭐/);
    expect(thanksNote.text).toMatch(/выплату проводит оператор/);
    expect(String(invoice.invoice?.description ?? "")).not.toMatch(/комисси/i);

    // Telegram may deliver the same successful_payment twice: it is recorded and announced once.
    const bot = e2e.sandbox.world.defaultBot();
    const chat = bot.chats.get(olga.id);
    const paymentMessage = [...(chat?.messages.values() ?? [])].find((m) => m.msg.successful_payment);
    expect(paymentMessage).toBeDefined();
    e2e.sandbox.world.enqueue(bot, "message", paymentMessage!.msg);
    await olga.send("/help");
    await olga.expectMessage(/Команды/);
    const receipts = (await olga.chat()).filter(
      (m) => m.from === "bot" && /Оплата прошла/.test(m.text ?? ""),
    );
    expect(receipts).toHaveLength(1);
    const thanks = (await pavel.chat()).filter((m) => m.from === "bot" && /поблагодарил/.test(m.text ?? ""));
    expect(thanks).toHaveLength(1);

    // An operator refunds it: the status flips, both are told, and the ledger nets it out.
    const rows = (await dumpTips())
      .split("\n")
      .flatMap((line) => JSON.parse(line) as Array<Record<string, unknown>>);
    const tipId = Number(
      rows.find((r) => r.telegram_payment_charge_id === paid.telegram_payment_charge_id)?.id,
    );
    expect(tipId).toBeGreaterThan(0);
    const admin = { authorization: `Bearer ${e2e.adminToken}` };
    const noAuth = await fetch(`${e2e.bot.url}/admin/tips/${tipId}/refund`, { method: "POST" });
    expect(noAuth.status).toBe(401);
    const report1 = await (await fetch(`${e2e.bot.url}/admin/tips/report`, { headers: admin })).json();
    expect(report1.rows).toEqual([
      expect.objectContaining({ paidCount: 1, received: 9, refunded: 0, net: 9 }),
    ]);
    const refund = await fetch(`${e2e.bot.url}/admin/tips/${tipId}/refund`, {
      method: "POST",
      headers: admin,
    });
    expect(await refund.json()).toEqual({ status: "refunded", already_refunded: false });
    await olga.expectMessage(/Возврат: 10 ⭐/);
    await pavel.expectMessage(/вернули отправителю/);
    const again = await fetch(`${e2e.bot.url}/admin/tips/${tipId}/refund`, {
      method: "POST",
      headers: admin,
    });
    expect(await again.json()).toEqual({ status: "refunded", already_refunded: true });
    const report2 = await (await fetch(`${e2e.bot.url}/admin/tips/report`, { headers: admin })).json();
    expect(report2.rows).toEqual([
      expect.objectContaining({ paidCount: 1, received: 9, refundedCount: 1, refunded: 9, net: 0 }),
    ]);
    const csv = await (await fetch(`${e2e.bot.url}/admin/tips/report?format=csv`, { headers: admin })).text();
    expect(csv.split(/\r?\n/)[0]).toBe("recipient_user_id,paid_count,received,refunded_count,refunded,net");
    expect((await e2e.client.calls("refundStarPayment")).length).toBe(1);

    if (!e2e.dbUrl) await e2e.bot.stop();
    const dump = await dumpDatabase({ ...(e2e.dbUrl ? { url: e2e.dbUrl } : {}), dataDir: e2e.dataDir });
    expect(dump.match(/"status":"refunded"/g)?.length).toBe(1);
    expect(dump).toContain(`"telegram_payment_charge_id":"${paid.telegram_payment_charge_id}"`);
    expect(dump).toMatch(
      /"amount":10,"currency":"XTR","provider":"telegram-stars","provider_fee":0,"our_commission":1,"recipient_share":9/,
    );
    if (!e2e.dbUrl) await e2e.restart();
  });

  it("refuses a forged payload at pre-checkout and a tip with no eligible conversation", async () => {
    const rita = await e2e.client.user("Рита");
    // Rita is not registered: /tips sends her to the rules.
    await rita.send("/tips");
    await rita.expectMessage(/правилами/);
    const [sonya, timur] = await matchedPair(e2e.client, ["Соня", "Тимур"], ["Ясная Лань", "Добрый Барсук"]);
    await sonya.send("/tips");
    await sonya.click("5 ⭐");
    const invoice = await sonya.expectMessage((m) => m.invoice !== undefined);
    // Forge the payload of the invoice the person is about to pay.
    const bot = e2e.sandbox.world.defaultBot();
    const stored = bot.chats.get(sonya.id)?.messages.get(invoice.message_id);
    const inv = stored?.msg.invoice as Record<string, unknown> | undefined;
    expect(inv).toBeDefined();
    const original = String((stored as unknown as { invoicePayload?: string }).invoicePayload ?? "");
    // Another tip amount in the payload: the signature no longer matches.
    const forged = original.replace(/^(t1\.\d+\.\d+\.)5\./, "$11.");
    expect(forged).not.toBe(original);
    (stored as unknown as { invoicePayload?: string }).invoicePayload = forged;
    const res = await sonya.pay({ message_id: invoice.message_id });
    expect(res.status).toBe("declined");
    expect(res.error_message).toMatch(/больше не действует/);
    void timur;
  });
});
