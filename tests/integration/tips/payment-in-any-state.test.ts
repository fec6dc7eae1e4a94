import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AppBot, createBot } from "../../../src/bot/create-bot.ts";
import { tips, users } from "../../../src/db/schema.ts";
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
  let world: World;
  let appBot: AppBot;
  let calls: RecordedCall[];
  const tgOf = async (userId: number): Promise<From> => {
    const [row] = await world.db.select({ tgId: users.tgId }).from(users).where(eq(users.id, userId));
    return { id: Number(row!.tgId), first_name: "Человек" };
  };
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
      pseudonymize: createPseudonymizer("payments-secret"),
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

  /** Ends a fresh chat, opens `state` for the payer, pays, and checks the receipt, the thanks and the ledger. */
  async function payIn(state: string, open: (payer: From, sessionId: number) => Promise<void>) {
    const { a, b, sessionId } = await startChat(world.services, { topics: ["job-loss", "money-worries"] });
    const [payer, peer] = [await tgOf(a), await tgOf(b)];
    await appBot.bot.handleUpdate(callbackUpdate(payer, "c:end:yes") as never);
    const tip = await world.services.tips.createTip(a, sessionId, 10);
    if (!tip.ok) throw new Error(`no tip: ${tip.reason}`);
    await open(payer, sessionId);
    const from = calls.length;
    const chargeId = `charge-${state}-${charge}`;
    await appBot.bot.handleUpdate(
      paymentUpdate(payer, tip.payload, 10, "successful_payment", chargeId) as never,
    );
    const [row] = await world.db.select().from(tips).where(eq(tips.id, tip.tipId));
    expect(row?.status, state).toBe("paid");
    expect(textsTo(payer.id, from).join("\n"), state).toMatch(/10/);
    expect(textsTo(peer.id, from).length, state).toBeGreaterThan(0);
    // The refund notice gets through the same way.
    await world.services.tips.refund({ chargeId });
    const beforeRefund = calls.length;
    await appBot.bot.handleUpdate(
      paymentUpdate(payer, tip.payload, 10, "refunded_payment", chargeId) as never,
    );
    expect(calls.length, state).toBeGreaterThanOrEqual(beforeRefund);
  }

  it("with a profile edit open («✏️ О себе»)", async () => {
    await payIn("profile edit", async (payer) => {
      await appBot.bot.handleUpdate(textUpdate(payer, "/profile") as never);
      await appBot.bot.handleUpdate(callbackUpdate(payer, "p:card:edit:bio") as never);
    });
  });

  it("with a report draft open", async () => {
    await payIn("report draft", async (payer, sessionId) => {
      await appBot.bot.handleUpdate(textUpdate(payer, "/report") as never);
      await appBot.bot.handleUpdate(callbackUpdate(payer, `rp:r:${sessionId}:other`) as never);
    });
  });

  it("while typing a custom amount", async () => {
    await payIn("custom amount", async (payer, sessionId) => {
      await appBot.bot.handleUpdate(callbackUpdate(payer, `t:c:${sessionId}`) as never);
    });
  });

  it("at the rules gate (outdated rules)", async () => {
    await payIn("rules gate", async (payer) => {
      await world.db.update(users).set({ rulesVersion: 0 }).where(eq(users.tgId, payer.id));
    });
  });

  it("during a new conversation", async () => {
    await payIn("in a chat", async (payer) => {
      const [row] = await world.db.select({ id: users.id }).from(users).where(eq(users.tgId, payer.id));
      const [other] = await world.people(1, ["job-loss", "money-worries"]);
      await world.services.matching.requestSearch(row!.id);
      await world.services.matching.requestSearch(other!);
      const p = await world.services.matching.processSearch(other!);
      if (p) {
        await world.services.matching.decide(row!.id, p.matchId, "accept");
        await world.services.matching.decide(other!, p.matchId, "accept");
      }
    });
  });
});
