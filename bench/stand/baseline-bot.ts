import { readFileSync } from "node:fs";
import Fastify from "fastify";
import { Bot, webhookCallback } from "grammy";

/**
 * The load stand's baseline: a bare grammY bot on the same stack (Fastify webhook, same sandbox, same
 * replicas) whose only work is relaying a message to the peer with copyMessage and answering button
 * presses. Our bot's cost per update is reported as a ratio to this one.
 */
const env = process.env;
const pairs = JSON.parse(readFileSync(env.BASELINE_PAIRS ?? "", "utf8")) as Array<[number, number]>;
const peerOf = new Map<number, number>();
for (const [a, b] of pairs) {
  peerOf.set(a, b);
  peerOf.set(b, a);
}
const bot = new Bot(env.TELEGRAM_BOT_TOKEN ?? "", { client: { apiRoot: env.TELEGRAM_API_ROOT ?? "" } });
bot.on(["message", "edited_message"], async (ctx) => {
  const peer = peerOf.get(ctx.chat.id);
  const msg = ctx.msg;
  if (peer !== undefined && ctx.message) await ctx.api.copyMessage(peer, ctx.chat.id, msg.message_id);
});
bot.on("callback_query", (ctx) => ctx.answerCallbackQuery());
await bot.init();
const app = Fastify();
app.post("/telegram/webhook", webhookCallback(bot, "fastify", { secretToken: env.WEBHOOK_SECRET ?? "" }));
await app.listen({ host: env.HOST ?? "127.0.0.1", port: Number(env.PORT) });
await bot.api.setWebhook(env.WEBHOOK_URL ?? "", { secret_token: env.WEBHOOK_SECRET ?? "" });
process.on("SIGTERM", () => void app.close().then(() => process.exit(0)));
process.stdout.write(`baseline bot is ready: API http://${env.HOST}:${env.PORT}\n`);
