import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tips, users } from "../../../src/db/schema.ts";
import { LEDGER_CSV_HEADER, type LedgerRow } from "../../../src/services/tips/index.ts";
import { createTestDatabase, type TestDatabase } from "../../helpers/db.ts";
import { addSession, addUser, createHarness, HOUR, nextChargeId } from "./fixtures.ts";

let t: TestDatabase;
let h: ReturnType<typeof createHarness>;
const R: Record<"r1" | "r2" | "r3", number> = { r1: 0, r2: 0, r3: 0 };
const JAN = new Date("2026-01-01T00:00:00Z");
const FEB = new Date("2026-02-01T00:00:00Z");
const MAR = new Date("2026-03-01T00:00:00Z");

/** A fresh payer thanks `recipient` at `at` for a chat that ended an hour earlier; returns the charge id. */
async function pay(recipient: number, amount: number, at: Date): Promise<string> {
  h.clock.set(at);
  const payer = await addUser(t.db);
  const sessionId = await addSession(t.db, at, {
    a: payer,
    b: recipient,
    startedAgo: 2 * HOUR,
    endedAgo: HOUR,
  });
  const created = await h.service.createTip(payer, sessionId, amount);
  if (!created.ok) throw new Error(created.reason);
  const input = { payload: created.payload, currency: "XTR", totalAmount: amount, fromUserId: payer };
  expect(await h.service.checkPreCheckout(input)).toEqual({ ok: true });
  const chargeId = nextChargeId();
  const recorded = await h.service.recordPayment({ ...input, telegramPaymentChargeId: chargeId });
  expect(recorded).toMatchObject({ ok: true, duplicate: false });
  return chargeId;
}

async function refund(chargeId: string, at: Date): Promise<void> {
  h.clock.set(at);
  expect(await h.service.recordRefundUpdate(chargeId)).toMatchObject({ ok: true, alreadyRefunded: false });
}

const row = (
  recipientUserId: number,
  paidCount: number,
  received: number,
  refundedCount: number,
  refunded: number,
) =>
  ({
    recipientUserId,
    paidCount,
    received,
    refundedCount,
    refunded,
    net: received - refunded,
  }) satisfies LedgerRow;

beforeAll(async () => {
  t = await createTestDatabase();
  h = createHarness(t.db); // 10%
  R.r1 = await addUser(t.db);
  R.r2 = await addUser(t.db);
  R.r3 = await addUser(t.db);

  // Recipient shares at 10%, rounded down commission: 50→45, 25→23, 10→9, 5→5, 2500→2250.
  await pay(R.r1, 50, new Date("2026-01-05T10:00:00Z"));
  const r1Refunded = await pay(R.r1, 25, new Date("2026-01-10T10:00:00Z"));
  const r2Refunded = await pay(R.r2, 10, new Date("2026-01-12T10:00:00Z"));
  await refund(r1Refunded, new Date("2026-01-20T10:00:00Z"));
  await pay(R.r1, 10, FEB); // exactly on the boundary: February
  await pay(R.r2, 5, new Date("2026-02-02T10:00:00Z"));
  await refund(r2Refunded, new Date("2026-02-03T10:00:00Z"));
  await pay(R.r3, 2500, new Date("2026-02-10T10:00:00Z"));
  // Created but never paid: not money.
  h.clock.set(new Date("2026-02-11T10:00:00Z"));
  const payer = await addUser(t.db);
  const s = await addSession(t.db, h.clock.now(), { a: payer, b: R.r3 });
  expect(await h.service.createTip(payer, s, 50)).toMatchObject({ ok: true });
});
afterAll(async () => {
  await h.infra.close();
  await t.destroy();
});

describe("ledger per recipient", () => {
  const periods: Array<[string, () => { from?: Date; to?: Date }, () => LedgerRow[]]> = [
    [
      "all time",
      () => ({}),
      () => [row(R.r1, 3, 45 + 23 + 9, 1, 23), row(R.r2, 2, 9 + 5, 1, 9), row(R.r3, 1, 2250, 0, 0)],
    ],
    ["January", () => ({ from: JAN, to: FEB }), () => [row(R.r1, 2, 45 + 23, 1, 23), row(R.r2, 1, 9, 0, 0)]],
    [
      "February: a January tip refunded now makes the net negative",
      () => ({ from: FEB, to: MAR }),
      () => [row(R.r1, 1, 9, 0, 0), row(R.r2, 1, 5, 1, 9), row(R.r3, 1, 2250, 0, 0)],
    ],
    [
      "from February on",
      () => ({ from: FEB }),
      () => [row(R.r1, 1, 9, 0, 0), row(R.r2, 1, 5, 1, 9), row(R.r3, 1, 2250, 0, 0)],
    ],
    [
      "up to February (exclusive)",
      () => ({ to: FEB }),
      () => [row(R.r1, 2, 68, 1, 23), row(R.r2, 1, 9, 0, 0)],
    ],
    ["March: nothing", () => ({ from: MAR }), () => []],
  ];

  it.each(periods)("%s", async (_name, period, expected) => {
    expect(await h.service.ledger(period())).toEqual(expected());
  });

  it("January plus February equals all time, and net equals paid − refunded shares in the table", async () => {
    const all = await h.service.ledger();
    const jan = await h.service.ledger({ from: JAN, to: FEB });
    const feb = await h.service.ledger({ from: FEB, to: MAR });
    const rows = await t.db.select().from(tips);
    for (const r of all) {
      const of = (rs: LedgerRow[]) => rs.find((x) => x.recipientUserId === r.recipientUserId)?.net ?? 0;
      expect(of(jan) + of(feb)).toBe(r.net);
      const mine = rows.filter((x) => x.toUser === r.recipientUserId);
      const paid = mine.filter((x) => x.paidAt !== null).reduce((sum, x) => sum + x.recipientShare, 0);
      const refunded = mine
        .filter((x) => x.status === "refunded")
        .reduce((sum, x) => sum + x.recipientShare, 0);
      expect(r.net).toBe(paid - refunded);
    }
  });
});

describe("CSV report", () => {
  it("has a header and one row per recipient, in user id order", async () => {
    const csv = await h.service.reportCsv({ from: FEB, to: MAR });
    expect(csv).toBe(
      [LEDGER_CSV_HEADER, `${R.r1},1,9,0,0,9`, `${R.r2},1,5,1,9,-4`, `${R.r3},1,2250,0,0,2250`, ""].join(
        "\r\n",
      ),
    );
    expect(LEDGER_CSV_HEADER).toBe("recipient_user_id,paid_count,received,refunded_count,refunded,net");
  });

  it("an empty period is just the header", async () => {
    expect(await h.service.reportCsv({ from: MAR })).toBe(`${LEDGER_CSV_HEADER}\r\n`);
  });

  it("never contains a Telegram id", async () => {
    const csv = await h.service.reportCsv();
    const tgIds = (await t.db.select({ tgId: users.tgId }).from(users))
      .map((u) => u.tgId)
      .filter((x) => x !== null);
    expect(tgIds.length).toBeGreaterThan(3);
    for (const tgId of tgIds) expect(csv).not.toContain(String(tgId));
    expect(csv.trim().split("\r\n")).toHaveLength(4);
  });
});
