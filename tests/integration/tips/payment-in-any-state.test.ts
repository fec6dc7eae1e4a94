import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROFILE_STEPS } from "../../../src/bot/profile-steps.ts";
import { tips, users } from "../../../src/db/schema.ts";
import { type BotWorld, createBotWorld, type From } from "../../helpers/bot-world.ts";
import { callbackUpdate, textUpdate } from "../../helpers/fake-telegram.ts";
import { startChat } from "../../helpers/fixtures.ts";

let charge = 1;

function paymentUpdate(
  from: From,
  payload: string,
  amount: number,
  kind: "successful_payment" | "refunded_payment",
  chargeId: string,
) {
  const body =
    kind === "successful_payment"
      ? {
          currency: "XTR",
          total_amount: amount,
          invoice_payload: payload,
          telegram_payment_charge_id: chargeId,
          provider_payment_charge_id: "",
        }
      : {
          currency: "XTR",
          total_amount: amount,
          invoice_payload: payload,
          telegram_payment_charge_id: chargeId,
        };
  return {
    update_id: 700_000 + charge++,
    message: {
      message_id: 80_000 + charge,
      date: Math.floor(Date.now() / 1000),
      chat: { id: from.id, type: "private", first_name: from.first_name },
      from: { id: from.id, is_bot: false, first_name: from.first_name },
      [kind]: body,
    },
  };
}

describe("a tip paid while a flow is open is never swallowed", () => {
  let t: BotWorld;
  beforeAll(async () => {
    t = await createBotWorld();
  });
  afterAll(async () => {
    await t.close();
  });

  /** Ends a fresh chat, opens `state` for the payer, pays, and checks the receipt, the thanks and the ledger. */
  async function payIn(state: string, open: (payer: From, sessionId: number) => Promise<void>) {
    const { a, b, sessionId } = await startChat(t.world.services, { topics: ["job-loss", "money-worries"] });
    const [payer, peer] = [await t.tgOf(a), await t.tgOf(b)];
    await t.appBot.bot.handleUpdate(callbackUpdate(payer, "c:end:yes") as never);
    const tip = await t.world.services.tips.createTip(a, sessionId, 10);
    if (!tip.ok) throw new Error(`no tip: ${tip.reason}`);
    await open(payer, sessionId);
    const from = t.calls.length;
    const chargeId = `charge-${state}-${charge}`;
    await t.appBot.bot.handleUpdate(
      paymentUpdate(payer, tip.payload, 10, "successful_payment", chargeId) as never,
    );
    const [row] = await t.world.db.select().from(tips).where(eq(tips.id, tip.tipId));
    expect(row?.status, state).toBe("paid");
    expect(t.textsTo(payer.id, from).join("\n"), state).toMatch(/10/);
    expect(t.textsTo(peer.id, from).length, state).toBeGreaterThan(0);
    // The refund notice gets through the same way.
    await t.world.services.tips.refund({ chargeId });
    const beforeRefund = t.calls.length;
    await t.appBot.bot.handleUpdate(
      paymentUpdate(payer, tip.payload, 10, "refunded_payment", chargeId) as never,
    );
    expect(t.calls.length, state).toBeGreaterThanOrEqual(beforeRefund);
  }

  // Every profile edit the card offers (each is a flow with its own text or button step).
  it.each(PROFILE_STEPS.filter((step) => step !== "weights"))(
    "with the profile edit «%s» open",
    async (step) => {
      await payIn(`profile edit ${step}`, async (payer) => {
        await t.appBot.bot.handleUpdate(textUpdate(payer, "/profile") as never);
        await t.appBot.bot.handleUpdate(callbackUpdate(payer, `p:card:edit:${step}`) as never);
      });
    },
  );

  it("with a report draft open", async () => {
    await payIn("report draft", async (payer, sessionId) => {
      await t.appBot.bot.handleUpdate(textUpdate(payer, "/report") as never);
      await t.appBot.bot.handleUpdate(callbackUpdate(payer, `rp:r:${sessionId}:other`) as never);
    });
  });

  it("while typing a custom amount", async () => {
    await payIn("custom amount", async (payer, sessionId) => {
      await t.appBot.bot.handleUpdate(callbackUpdate(payer, `t:c:${sessionId}`) as never);
    });
  });

  it("at the rules gate (outdated rules)", async () => {
    await payIn("rules gate", async (payer) => {
      await t.world.db.update(users).set({ rulesVersion: 0 }).where(eq(users.tgId, payer.id));
    });
  });

  it("during a new conversation", async () => {
    await payIn("in a chat", async (payer) => {
      const [row] = await t.world.db.select({ id: users.id }).from(users).where(eq(users.tgId, payer.id));
      const [other] = await t.world.people(1, ["job-loss", "money-worries"]);
      await t.world.services.matching.requestSearch(row!.id);
      await t.world.services.matching.requestSearch(other!);
      const p = await t.world.services.matching.processSearch(other!);
      if (p) {
        await t.world.services.matching.decide(row!.id, p.matchId, "accept");
        await t.world.services.matching.decide(other!, p.matchId, "accept");
      }
    });
  });
});
