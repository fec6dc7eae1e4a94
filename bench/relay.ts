import { randomBytes } from "node:crypto";
import { Bot } from "grammy";
import type { Update } from "grammy/types";
import pg from "pg";
import { createBot } from "../src/bot/create-bot.ts";
import { systemClock } from "../src/clock.ts";
import { type Database, openDatabase } from "../src/db/client.ts";
import { migrate } from "../src/db/migrate.ts";
import { seedTopics } from "../src/db/seed.ts";
import { createInfra } from "../src/infra/create-infra.ts";
import { createMemoryInfra } from "../src/infra/memory.ts";
import type { Infra } from "../src/infra/ports.ts";
import { createLogger, createPseudonymizer } from "../src/logger.ts";
import { createMetrics } from "../src/metrics.ts";
import { createServices } from "../src/services/index.ts";
import { createScratchDatabase, dropScratchDatabase } from "../tests/helpers/db.ts";
import { TEST_BOT_INFO, textUpdate } from "../tests/helpers/fake-telegram.ts";
import {
  counting,
  DEFAULT_DATABASE_URL,
  DEFAULT_REDIS_URL,
  dropRedisPrefix,
  flag,
  ms,
  numFlag,
  pool,
  type Stats,
  sleep,
  stats,
  uptime,
  writeResults,
} from "./lib/common.ts";
import { type CopyRecord, installInstantTelegram } from "./lib/instant-telegram.ts";
import { chatBetween, makeBenchPerson, pinStrictVariant, topicPairs } from "./lib/people.ts";

/**
 * Relay overhead: a text message from one person in an active chat → the bot's copyMessage to the
 * peer, with an instant fake Bot API. The real bot (createBot on real services) against a bare grammY
 * bot whose one handler calls copyMessage, same load, same process, waves interleaved.
 *
 *   npx tsx bench/run.ts relay [--engine=postgres|pglite] [--chats=200] [--modes=serial,paced,burst]
 *     [--rate=50] [--paced-messages=10] [--messages=20] [--warmup=1] [--url=postgres://…] [--redis=redis://…]
 *     [--trace]   (prints the SQL statements and key-value calls of one relayed message, then the rest)
 *
 * Modes: serial (one message at a time: the per-message cost), paced (open loop at --rate msg/s over
 * all chats, each chat every chats/rate seconds), burst (waves: every chat at the same instant).
 * Each mode gets its own bot with a fresh Redis prefix, so the relay limit (15/min/person) and the
 * update dedup start clean.
 */

/** No digits, links or @: nothing the contact detector would hold back. */
const TEXT = "Привет, сегодня было тяжело, но я держусь. Спасибо, что слушаешь.";
/** The relay limit (create-bot.ts): 15 messages a minute per person. */
const RELAY_LIMIT_PER_MIN = 15;

interface Pair {
  a: { tg: number; userId: number };
  b: { tg: number; userId: number };
}

interface Sample {
  key: string;
  t0: number;
  peerTg: number;
  handleMs: number;
}

function overhead(o: Stats, b: Stats) {
  return {
    p50: o.p50 - b.p50,
    p95: o.p95 - b.p95,
    p99: o.p99 - b.p99,
    max: o.max - b.max,
    mean: o.mean - b.mean,
  };
}

/** SQL statements sent by this process (node-postgres; drizzle's pool queries go through Client#query). */
const sqlQueries: { n: number; trace?: string[] } = { n: 0 };
const originalQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  sqlQueries.n++;
  const q = args[0] as string | { text?: string };
  sqlQueries.trace?.push((typeof q === "string" ? q : (q?.text ?? "")).replace(/\s+/g, " ").slice(0, 160));
  return (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
} as typeof originalQuery;

export async function main(argv: string[]): Promise<void> {
  const engine = (flag(argv, "engine") ?? "postgres") as "postgres" | "pglite";
  if (engine !== "postgres" && engine !== "pglite") throw new Error(`--engine=${engine}`);
  const chats = numFlag(argv, "chats", 200);
  const messages = numFlag(argv, "messages", 20);
  const warmup = numFlag(argv, "warmup", 1);
  const modes = (flag(argv, "modes") ?? "serial,paced,burst").split(",");
  const rate = numFlag(argv, "rate", 50);
  const pacedMessages = numFlag(argv, "paced-messages", 10);
  const trace = argv.includes("--trace");
  const baseUrl = flag(argv, "url") ?? process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const redisUrl = flag(argv, "redis") ?? process.env.REDIS_URL ?? DEFAULT_REDIS_URL;
  const perPerson = Math.max(Math.ceil((warmup + messages) / 2), Math.ceil(pacedMessages / 2));
  if (perPerson > RELAY_LIMIT_PER_MIN)
    throw new Error(`${perPerson} messages per person would hit the relay limit (15/min); use fewer`);

  const loadBefore = uptime();
  console.log(`relay bench: ${engine}, ${chats} chats × ${messages} messages (+${warmup} warm-up waves)`);
  console.log(`  ${loadBefore}`);

  // --- Database and infra -------------------------------------------------------------------
  let database: Database;
  let dbUrl: string | undefined;
  let infra: Infra;
  const prefix = `tno-bench-relay-${randomBytes(4).toString("hex")}`;
  if (engine === "postgres") {
    dbUrl = await createScratchDatabase(baseUrl);
    database = await openDatabase({ url: dbUrl });
    infra = await createInfra({ redisUrl, prefix });
  } else {
    database = await openDatabase({});
    infra = createMemoryInfra();
  }
  const cleanup = async () => {
    await infra.close().catch(() => {});
    await database.close().catch(() => {});
    if (dbUrl) await dropScratchDatabase(baseUrl, dbUrl);
    if (engine === "postgres") await dropRedisPrefix(redisUrl, prefix);
  };

  try {
    await migrate(database.db);
    await seedTopics(database.db);
    // Round trips, for the per-message breakdown: SQL statements (pg.Client#query, PostgreSQL only)
    // and key-value / rate-limiter calls (Redis commands or their in-process equivalents).
    const kvCalls: { n: number; trace?: string[] } = { n: 0 };
    const services = createServices({
      db: database.db,
      infra: { ...infra, kv: counting(infra.kv, kvCalls) } as Infra,
      clock: systemClock,
    });

    // --- 200 pairs in active chats, through the services ---------------------------------------
    const setupStarted = performance.now();
    const combos = await topicPairs(services);
    const pairs: Pair[] = await pool(
      Array.from({ length: chats }, (_, i) => i),
      engine === "postgres" ? 8 : 1,
      async (i) => {
        const topicIds = combos[i % combos.length]!;
        const tgA = 810_000_000 + 2 * i;
        const tgB = tgA + 1;
        const a = await makeBenchPerson(services, { tgId: tgA, topicIds, nickname: `Путник А${i}` });
        const b = await makeBenchPerson(services, { tgId: tgB, topicIds, nickname: `Путник Б${i}` });
        // Distinct topic pairs + the strict variant: a pair can only be matched with itself.
        await pinStrictVariant(database.db, [a, b]);
        await chatBetween(services, a, b);
        return { a: { tg: tgA, userId: a }, b: { tg: tgB, userId: b } };
      },
    );
    if (chats > combos.length) throw new Error(`at most ${combos.length} chats (distinct topic pairs)`);
    const peerOf = new Map<number, number>();
    for (const p of pairs) {
      peerOf.set(p.a.tg, p.b.tg);
      peerOf.set(p.b.tg, p.a.tg);
      const chat = await services.chats.activeChat(p.a.userId);
      if (chat?.peerTgId !== p.b.tg) throw new Error("pair not in an active chat");
    }
    const setupS = (performance.now() - setupStarted) / 1000;
    console.log(`  ${pairs.length} active chats set up in ${setupS.toFixed(1)} s`);

    // --- The bots: a fresh real bot per mode (own Redis prefix: fresh dedup keys and relay limits) --
    const sink = { write() {} };
    const metrics = createMetrics({ collectDefault: false });
    const pseudonymize = createPseudonymizer(randomBytes(16).toString("hex"));
    const extraInfras: Infra[] = [];
    async function makeOurs(mode: string) {
      const botInfra =
        engine === "postgres"
          ? await createInfra({ redisUrl, prefix: `${prefix}-${mode}` })
          : createMemoryInfra();
      extraInfras.push(botInfra);
      const app = createBot({
        token: `${TEST_BOT_INFO.id}:BENCH`,
        apiRoot: "http://127.0.0.1:9",
        botInfo: TEST_BOT_INFO,
        logger: createLogger({ level: "info", destination: sink as never }),
        pseudonymize,
        kv: counting(botInfra.kv, kvCalls),
        metrics,
        services,
        clock: systemClock,
        perChatMinMs: 0,
        // As in production (a webhook): failures are given back, deferred writes join the done mark.
        canGiveBack: true,
      });
      return { app, tg: installInstantTelegram(app.bot.api) };
    }

    // The baseline: a bare grammY bot, one handler, copyMessage to the peer (same fake Bot API).
    const bare = new Bot(`${TEST_BOT_INFO.id}:BENCH`, {
      botInfo: TEST_BOT_INFO,
      client: { apiRoot: "http://127.0.0.1:9" },
    });
    bare.on("message", async (ctx) => {
      const peer = peerOf.get(ctx.chat.id);
      if (peer !== undefined) await ctx.api.copyMessage(peer, ctx.chat.id, ctx.message.message_id);
    });
    const bareTg = installInstantTelegram(bare.api);

    type Kind = "ours" | "baseline";
    const results: Record<string, unknown> = {};
    const summary: Array<{
      mode: string;
      desc: string;
      b: ReturnType<typeof analyse>;
      o: ReturnType<typeof analyse>;
    }> = [];

    function analyse(sent: Sample[], measured: Set<Sample>, copies: Map<string, CopyRecord[]>) {
      const latency: number[] = [];
      const handleMs: number[] = [];
      let missing = 0;
      let duplicated = 0;
      let wrongPeer = 0;
      for (const s of sent) {
        const c = copies.get(s.key) ?? [];
        if (c.length === 0) missing++;
        if (c.length > 1) duplicated++;
        if (c.some((x) => x.chatId !== s.peerTg)) wrongPeer++;
        if (measured.has(s) && c.length) {
          latency.push(c[0]!.at - s.t0);
          handleMs.push(s.handleMs);
        }
      }
      return {
        latency: stats(latency),
        handle: stats(handleMs),
        correctness: { messages: sent.length, missing, duplicated, wrongPeer },
      };
    }

    for (const mode of modes) {
      const ours = await makeOurs(mode);
      const sent: Record<Kind, Sample[]> = { ours: [], baseline: [] };
      const measured = new Set<Sample>();
      const bareKeysBefore = new Set(bareTg.copies.keys());
      const send = async (kind: Kind, sender: number, isMeasured: boolean) => {
        const u = textUpdate({ id: sender, first_name: "Bench" }, TEXT) as unknown as Update;
        const s: Sample = {
          key: `${sender}:${u.message!.message_id}`,
          t0: performance.now(),
          peerTg: peerOf.get(sender)!,
          handleMs: Number.NaN,
        };
        sent[kind].push(s);
        if (isMeasured) measured.add(s);
        await (kind === "ours" ? ours.app.bot.handleUpdate(u) : bare.handleUpdate(u));
        s.handleMs = performance.now() - s.t0;
      };
      const senderOf = (p: Pair, n: number) => (n % 2 === 0 ? p.a.tg : p.b.tg);
      const sqlBefore = sqlQueries.n;
      const kvBefore = kvCalls.n;
      const started = performance.now();
      let desc = "";
      const waveMs: Record<Kind, number[]> = { ours: [], baseline: [] };
      if (mode === "serial") {
        // One message at a time, nothing else in flight: the per-message cost without queueing.
        desc = `one message at a time, ${pairs.length} messages per side`;
        for (let i = 0; i < pairs.length; i++) {
          const sender = senderOf(pairs[i]!, i);
          await send("baseline", sender, i >= 10);
          const traced = trace && i === pairs.length - 1;
          if (traced) [sqlQueries.trace, kvCalls.trace] = [[], []];
          await send("ours", sender, i >= 10);
          if (traced) {
            console.log(`  one relayed message: SQL\n    ${sqlQueries.trace!.join("\n    ")}`);
            console.log(`  key-value calls\n    ${kvCalls.trace!.join("\n    ")}`);
            [sqlQueries.trace, kvCalls.trace] = [undefined, undefined];
          }
        }
      } else if (mode === "paced") {
        // Open loop: `rate` messages/s spread over all chats (round-robin), both bots on the same
        // schedule at the same moments; nothing waits for earlier messages to finish.
        desc = `open loop, ${rate} msg/s over ${pairs.length} chats (each chat every ${(pairs.length / rate).toFixed(1)} s), ${pacedMessages} per chat`;
        const total = pacedMessages * pairs.length;
        const inflight: Promise<void>[] = [];
        for (let n = 0; n < total; n++) {
          const due = started + (n * 1000) / rate;
          const wait = due - performance.now();
          if (wait > 1) await sleep(wait);
          const p = pairs[n % pairs.length]!;
          const round = Math.floor(n / pairs.length);
          const sender = senderOf(p, round);
          const isMeasured = round >= 1 || pacedMessages === 1;
          inflight.push(send("baseline", sender, isMeasured), send("ours", sender, isMeasured));
        }
        await Promise.all(inflight);
      } else {
        // Bursts: every chat sends at the same instant, then the next wave (worst case).
        desc = `waves of ${pairs.length} simultaneous messages (one per chat), ${messages} waves + ${warmup} warm-up`;
        for (let w = 0; w < warmup + messages; w++) {
          const order: Kind[] = w % 2 === 0 ? ["baseline", "ours"] : ["ours", "baseline"];
          for (const kind of order) {
            const t = performance.now();
            await Promise.all(pairs.map((p) => send(kind, senderOf(p, w), w >= warmup)));
            if (w >= warmup) waveMs[kind].push(performance.now() - t);
          }
        }
      }
      await ours.app.drain();
      const seconds = (performance.now() - started) / 1000;
      const perMessage = {
        sql: engine === "postgres" ? (sqlQueries.n - sqlBefore) / sent.ours.length : null,
        kv: (kvCalls.n - kvBefore) / sent.ours.length,
      };
      const bareCopies = new Map([...bareTg.copies].filter(([k]) => !bareKeysBefore.has(k)));
      const o = analyse(sent.ours, measured, ours.tg.copies);
      const b = analyse(sent.baseline, measured, bareCopies);
      const otherCalls = Object.fromEntries(ours.tg.otherCalls);
      const ok =
        o.correctness.missing + o.correctness.duplicated + o.correctness.wrongPeer === 0 &&
        ours.tg.copies.size === sent.ours.length &&
        Object.keys(otherCalls).length === 0;
      const load = uptime();
      console.log(`\n[${mode}] ${desc}: ${seconds.toFixed(1)} s; ${load}`);
      console.log(
        `  correctness ours: ${JSON.stringify(o.correctness)}, other Bot API calls ${JSON.stringify(otherCalls)} → ${ok ? "OK" : "FAILED"}`,
      );
      console.log(`  correctness baseline: ${JSON.stringify(b.correctness)}`);
      console.log(
        `  round trips per relayed message (whole update): ${perMessage.sql ?? "?"} SQL statements, ${perMessage.kv} key-value/limiter calls`,
      );
      if (waveMs.ours.length)
        console.log(
          `  wave wall time: ours median ${ms(stats(waveMs.ours).p50)} ms (≈ ${((pairs.length / stats(waveMs.ours).p50) * 1000).toFixed(0)} msg/s), baseline median ${ms(stats(waveMs.baseline).p50)} ms`,
        );
      results[mode] = {
        desc,
        seconds,
        load,
        baseline: b,
        ours: o,
        overhead: overhead(o.latency, b.latency),
        otherCalls,
        perMessage,
        correct: ok,
        ...(waveMs.ours.length
          ? { waveMs: { ours: stats(waveMs.ours), baseline: stats(waveMs.baseline) } }
          : {}),
      };
      summary.push({ mode, desc, b, o });
      if (!ok) process.exitCode = 1;
    }
    const loadAfter = uptime();

    const label = engine === "postgres" ? "PostgreSQL + Redis" : "PGlite + in-process";
    console.log(`\n${loadAfter}`);
    console.log(`\nupdate in → copyMessage out (ms), ${pairs.length} chats in an active chat, ${label}\n`);
    console.log("| mode | bot | n | p50 | p95 | p99 | max | mean |");
    console.log("|---|---|---:|---:|---:|---:|---:|---:|");
    for (const { mode, b, o } of summary) {
      const row = (bot: string, s: Stats) =>
        console.log(
          `| ${mode} | ${bot} | ${s.n} | ${ms(s.p50)} | ${ms(s.p95)} | ${ms(s.p99)} | ${ms(s.max)} | ${ms(s.mean)} |`,
        );
      row("baseline (bare grammY)", b.latency);
      row("**ours**", o.latency);
      const d = overhead(o.latency, b.latency);
      console.log(
        `| ${mode} | overhead ours − baseline | | ${ms(d.p50)} | ${ms(d.p95)} | ${ms(d.p99)} | ${ms(d.max)} | ${ms(d.mean)} |`,
      );
      row("ours, whole handleUpdate", o.handle);
    }

    const file = writeResults("relay", {
      engine,
      chats,
      setupSeconds: setupS,
      loadBefore,
      loadAfter,
      modes: results,
    });
    console.log(`\nwritten ${file}`);
    for (const i of extraInfras) await i.close().catch(() => {});
  } finally {
    await cleanup();
  }
}
