import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { Redis } from "ioredis";
import type { SandboxEvent, SandboxUserHandle } from "../sandbox/index.ts";
import { systemClock } from "../src/clock.ts";
import { openDatabase } from "../src/db/client.ts";
import { createMemoryInfra } from "../src/infra/memory.ts";
import { createServices } from "../src/services/index.ts";
import { MATCH_GROUP, MATCH_STREAM } from "../src/services/matching/index.ts";
import { startE2E } from "../tests/helpers/bot-process.ts";
import {
  DEFAULT_DATABASE_URL,
  DEFAULT_REDIS_URL,
  dropRedisPrefix,
  flag,
  ms,
  numFlag,
  pool,
  sleep,
  stats,
  uptime,
  writeResults,
} from "./lib/common.ts";
import { makeBenchPerson, pinStrictVariant, topicPairs } from "./lib/people.ts";

/**
 * From /find to both proposals delivered, with a compatible peer waiting, through the sandbox: the
 * real bot process (`node --import tsx src/main.ts all`, polling the in-process sandbox) on
 * PostgreSQL + Redis. N waiting peers send /find first (not measured); then N newcomers send /find at
 * --rate per second; per newcomer: from sending /find to both chats holding «Нашёлся человек».
 *
 *   npx tsx bench/run.ts find [--pairs=200] [--rate=20] [--per-chat-ms=1000] [--url=postgres://…] [--redis=redis://…]
 *
 * The bot runs with the production pacing (TELEGRAM_PER_CHAT_MIN_MS=1000, burst 3) unless
 * --per-chat-ms says otherwise.
 *
 * Profiles are made directly in the bot's database through the services (the UI would take minutes):
 * pair i shares a 2-topic combination nobody else has, and everyone is pinned to the strict variant
 * (2 shared topics), so newcomer i can match only waiting peer i. Embedded mode (PGlite) is not
 * supported here: the bench must write to the bot's database from its own process.
 */

const PROPOSAL = "Нашёлся человек";

interface Person {
  handle: SandboxUserHandle;
  userId: number;
}

export async function main(argv: string[]): Promise<void> {
  const pairsN = numFlag(argv, "pairs", 200);
  const rate = numFlag(argv, "rate", 20);
  const perChatMs = numFlag(argv, "per-chat-ms", 1000);
  const baseUrl = flag(argv, "url") ?? process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const redisUrl = flag(argv, "redis") ?? process.env.REDIS_URL ?? DEFAULT_REDIS_URL;
  if (flag(argv, "engine") === "pglite") throw new Error("find: embedded mode is not supported (see header)");
  // startE2E reads these: a scratch database on this server, Redis with our own prefix.
  process.env.DATABASE_URL = baseUrl;
  process.env.REDIS_URL = redisUrl;
  const prefix = `tno-bench-find-${randomBytes(4).toString("hex")}`;

  const loadBefore = uptime();
  console.log(`find bench: ${pairsN} pairs, newcomers at ${rate} /find per second`);
  console.log(`  ${loadBefore}`);
  const setupStarted = performance.now();
  const e2e = await startE2E({ env: { REDIS_PREFIX: prefix, TELEGRAM_PER_CHAT_MIN_MS: String(perChatMs) } });
  const botReadyS = (performance.now() - setupStarted) / 1000;
  const { client, sandbox } = e2e;
  const database = await openDatabase({ url: e2e.dbUrl!, poolSize: 4 });
  const redis = new Redis(redisUrl);

  // Every bot message, per person, as it lands in the sandbox.
  const botMessages = new Map<number, Array<{ at: number; text: string }>>();
  const proposalAt = new Map<number, number>();
  const onEvent = (ev: SandboxEvent) => {
    if (ev.type !== "message" || ev.entry.from !== "bot") return;
    const at = performance.now();
    const text = ev.entry.text ?? ev.entry.caption ?? "";
    const list = botMessages.get(ev.user_id);
    if (list) list.push({ at, text });
    else botMessages.set(ev.user_id, [{ at, text }]);
    if (text.includes(PROPOSAL) && !proposalAt.has(ev.user_id)) proposalAt.set(ev.user_id, at);
  };
  sandbox.world.events.on("event", onEvent);
  const waitFor = async (cond: () => boolean, timeoutMs: number, what: string) => {
    const until = performance.now() + timeoutMs;
    while (!cond()) {
      if (performance.now() > until) throw new Error(`timed out waiting for ${what}`);
      await sleep(5);
    }
  };
  const botCount = (id: number) => botMessages.get(id)?.length ?? 0;

  try {
    // --- People: sandbox users, profiles in the bot's database, /start ---------------------------
    const services = createServices({ db: database.db, infra: createMemoryInfra(), clock: systemClock });
    const combos = await topicPairs(services);
    if (pairsN > combos.length) throw new Error(`at most ${combos.length} pairs (distinct topic pairs)`);
    const people = await pool(
      Array.from({ length: pairsN * 2 }, (_, i) => i),
      8,
      async (i): Promise<Person> => {
        const pair = i >> 1;
        const handle = await client.user(`${i % 2 === 0 ? "Ждущий" : "Новый"} ${pair}`);
        const userId = await makeBenchPerson(services, {
          tgId: handle.id,
          topicIds: combos[pair]!,
          nickname: `${i % 2 === 0 ? "Ждущий" : "Новый"} ${pair}`,
        });
        return { handle, userId };
      },
    );
    await pinStrictVariant(
      database.db,
      people.map((p) => p.userId),
    );
    const waiting = people.filter((_, i) => i % 2 === 0);
    const newcomers = people.filter((_, i) => i % 2 === 1);
    await pool(people, 20, async (p) => {
      const before = botCount(p.handle.id);
      await p.handle.send("/start");
      await waitFor(() => botCount(p.handle.id) > before, 60_000, "the /start reply");
    });
    const setupS = (performance.now() - setupStarted) / 1000;
    console.log(
      `  bot ready in ${botReadyS.toFixed(1)} s; ${people.length} people registered and started in ${setupS.toFixed(1)} s`,
    );

    // --- Phase 1: the waiting peers search (not measured) -----------------------------------------
    const streamKey = `${prefix}:stream:${MATCH_STREAM}`;
    const streamIdle = async () => {
      const groups = (await redis.call("XINFO", "GROUPS", streamKey)) as unknown[][];
      for (const g of groups) {
        const o: Record<string, unknown> = {};
        for (let i = 0; i < g.length; i += 2) o[String(g[i])] = g[i + 1];
        if (o.name === MATCH_GROUP) return Number(o.pending) === 0 && Number(o.lag ?? 0) === 0;
      }
      return false;
    };
    await pool(waiting, 20, async (p) => {
      const before = botCount(p.handle.id);
      await p.handle.send("/find");
      await waitFor(() => botCount(p.handle.id) > before, 60_000, "the /find reply");
    });
    const phase1Until = performance.now() + 120_000;
    while (!(await streamIdle())) {
      if (performance.now() > phase1Until) throw new Error("the worker did not finish the waiting searches");
      await sleep(100);
    }
    const proposalsAmongWaiting = [...proposalAt.keys()].length;
    const queued = (await database.db.execute(
      sql`select count(*)::int as n from match_queue`,
    )) as unknown as { rows: Array<{ n: number }> };
    console.log(
      `  phase 1: ${waiting.length} waiting peers searching (${queued.rows[0]?.n} in match_queue), proposals among them: ${proposalsAmongWaiting}`,
    );
    // Let at least one periodic index refresh pass, as in steady state.
    await sleep(1500);

    // --- Phase 2: newcomers at `rate` per second (measured) -------------------------------------
    const loadAtStart = uptime();
    const sentAt: number[] = [];
    const findReplyAt: Array<number | undefined> = [];
    const t0 = performance.now();
    const sends: Promise<void>[] = [];
    for (let i = 0; i < newcomers.length; i++) {
      const due = t0 + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      const p = newcomers[i]!;
      const before = botCount(p.handle.id);
      sentAt[i] = performance.now();
      sends.push(
        p.handle.send("/find").then(() => {
          void waitFor(() => botCount(p.handle.id) > before, 120_000, "reply").then(
            () => {
              findReplyAt[i] = botMessages.get(p.handle.id)![before]!.at;
            },
            () => {},
          );
        }),
      );
    }
    const lastSend = performance.now();
    await Promise.all(sends);
    const achievedRate = ((newcomers.length - 1) * 1000) / (sentAt[sentAt.length - 1]! - sentAt[0]!);
    const deliveredBoth = (i: number) =>
      proposalAt.has(newcomers[i]!.handle.id) && proposalAt.has(waiting[i]!.handle.id);
    let timedOut = false;
    try {
      await waitFor(() => newcomers.every((_, i) => deliveredBoth(i)), 120_000, "all proposals");
    } catch {
      timedOut = true;
    }
    const phase2S = (performance.now() - t0) / 1000;
    // How fast the bot's messages reached the sandbox in phase 2 (replies + proposals).
    const phase2Msgs = [...botMessages.values()].flat().filter((m) => m.at >= t0);
    const lastMsgAt = Math.max(...phase2Msgs.map((m) => m.at));
    const outRate = (phase2Msgs.length * 1000) / (lastMsgAt - t0);
    const loadAfter = uptime();

    const latency: number[] = [];
    const newcomerSide: number[] = [];
    const waitingSide: number[] = [];
    const reply: number[] = [];
    let missing = 0;
    for (let i = 0; i < newcomers.length; i++) {
      const a = proposalAt.get(newcomers[i]!.handle.id);
      const b = proposalAt.get(waiting[i]!.handle.id);
      if (a === undefined || b === undefined) {
        missing++;
        continue;
      }
      latency.push(Math.max(a, b) - sentAt[i]!);
      newcomerSide.push(a - sentAt[i]!);
      waitingSide.push(b - sentAt[i]!);
      if (findReplyAt[i] !== undefined) reply.push(findReplyAt[i]! - sentAt[i]!);
    }
    // Correctness: every proposal pairs newcomer i with waiting peer i, exactly once.
    const m = (await database.db.execute(sql`select user_a, user_b from matches`)) as unknown as {
      rows: Array<{ user_a: number | string; user_b: number | string }>;
    };
    const expected = new Set(
      newcomers.map((n, i) => [n.userId, waiting[i]!.userId].sort((x, y) => x - y).join("-")),
    );
    const seen = new Map<string, number>();
    for (const r of m.rows) {
      const k = [Number(r.user_a), Number(r.user_b)].sort((x, y) => x - y).join("-");
      seen.set(k, (seen.get(k) ?? 0) + 1);
    }
    const wrongPairs = [...seen.keys()].filter((k) => !expected.has(k)).length;
    const duplicatePairs = [...seen.values()].filter((n) => n > 1).length;
    const calls = await client.calls();
    const callsByMethod: Record<string, number> = {};
    for (const c of calls) callsByMethod[c.method] = (callsByMethod[c.method] ?? 0) + 1;
    const errorLines = e2e.allOutput().filter((l) => /"level":(50|60)/.test(l)).length;
    const warnLines = e2e.allOutput().filter((l) => /"level":40/.test(l)).length;

    const L = stats(latency);
    const N = stats(newcomerSide);
    const W = stats(waitingSide);
    const R = stats(reply);
    console.log(`\n${loadAfter}`);
    console.log(
      `\n/find → both proposals in the sandbox, ${pairsN} pairs, newcomers at ${achievedRate.toFixed(1)} /find per second (target ${rate}), PostgreSQL + Redis, TELEGRAM_PER_CHAT_MIN_MS=${perChatMs}\n`,
    );
    console.log("| measure (ms from sending /find) | n | p50 | p95 | p99 | max |");
    console.log("|---|---:|---:|---:|---:|---:|");
    const row = (name: string, s: typeof L) =>
      console.log(`| ${name} | ${s.n} | ${ms(s.p50)} | ${ms(s.p95)} | ${ms(s.p99)} | ${ms(s.max)} |`);
    row("**both proposals delivered**", L);
    row("proposal in the newcomer's chat", N);
    row("proposal in the waiting peer's chat", W);
    row("«Ищу собеседника…» reply to the newcomer", R);
    console.log(
      `\nmissing proposals: ${missing}${timedOut ? " (timed out after 120 s)" : ""}; wrong pairs: ${wrongPairs}; duplicate pairs: ${duplicatePairs}; proposals among waiting peers in phase 1: ${proposalsAmongWaiting}`,
    );
    console.log(
      `phase 2 took ${phase2S.toFixed(1)} s; sends finished ${((lastSend - t0) / 1000).toFixed(1)} s after the first; ` +
        `${phase2Msgs.length} bot messages delivered in phase 2 at ${outRate.toFixed(1)} per second`,
    );
    console.log(
      `Bot API calls in the whole run: ${JSON.stringify(callsByMethod)}; bot log lines: ${errorLines} error, ${warnLines} warn`,
    );
    const ok = missing === 0 && wrongPairs === 0 && duplicatePairs === 0 && proposalsAmongWaiting === 0;
    console.log(ok ? "correctness: OK" : "correctness: FAILED");

    const file = writeResults("find", {
      pairs: pairsN,
      targetRate: rate,
      perChatMs,
      achievedRate,
      loadBefore,
      loadAtStart,
      loadAfter,
      setupSeconds: setupS,
      phase2Seconds: phase2S,
      phase2BotMessages: phase2Msgs.length,
      phase2BotMessagesPerSecond: outRate,
      bothDelivered: L,
      newcomerProposal: N,
      waitingProposal: W,
      findReply: R,
      correctness: { missing, wrongPairs, duplicatePairs, proposalsAmongWaiting, timedOut },
      callsByMethod,
      botLog: { errorLines, warnLines },
      correct: ok,
    });
    console.log(`\nwritten ${file}`);
    if (!ok) process.exitCode = 1;
  } finally {
    sandbox.world.events.off("event", onEvent);
    await database.close().catch(() => {});
    redis.disconnect();
    await e2e.close();
    await dropRedisPrefix(redisUrl, `${prefix}:`);
  }
}
