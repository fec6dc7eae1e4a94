import { readFileSync } from "node:fs";
import type { CallRecord } from "../../sandbox/types.ts";
import { click } from "../../sandbox/world/callbacks.ts";
import { pay } from "../../sandbox/world/payments.ts";
import { userEdits, userSends } from "../../sandbox/world/people.ts";
import { pct } from "../lib/common.ts";
import type { Stand } from "./stand.ts";

/**
 * The load generator: people of the stand act at a fixed rate (open loop — an update is created on
 * schedule whether or not the bot has answered the previous ones), following a scenario's mix. The
 * bot's prompts (a proposal, the rating, an invoice…) are answered by follow-up updates that take
 * their turn in the same stream. It measures each update from its arrival in the sandbox's queue to
 * the webhook's answer (which comes after the handler's last awaited Bot API call) and, for relayed
 * messages, to the copyMessage that delivered it; and it checks every relayed message arrived once
 * and in order.
 */
export interface Scenario {
  mix: Record<ActionKind, number>;
  tipShare: number;
  texts: string[];
  /**
   * Seconds a person takes to answer one of the bot's prompts (a proposal, the end confirmation, the
   * rating, an invoice…), drawn uniformly from [min, max]. People read before they tap; absent or
   * [0, 0], prompts are answered at machine speed (the chaos runs, which only relay).
   */
  thinkSeconds?: [min: number, max: number];
}

export type ActionKind =
  | "text"
  | "reply"
  | "photo"
  | "edit"
  | "command"
  | "endKeep"
  | "endRate"
  | "find"
  | "profile"
  | "report";

export function loadScenario(path: string, only?: Partial<Record<ActionKind, number>>): Scenario {
  const s = JSON.parse(readFileSync(path, "utf8")) as Scenario;
  if (only)
    s.mix = { ...Object.fromEntries(Object.keys(s.mix).map((k) => [k, 0])), ...only } as Scenario["mix"];
  return s;
}

type Phase = "chat" | "busy" | "idle" | "searching";

interface Person {
  id: number;
  phase: Phase;
  lastText?: number;
}

interface FollowUp {
  person: number;
  label: string;
  /** performance.now() before which the person has not yet tapped. */
  readyAt: number;
  run(): void;
}

interface Arrival {
  at: number;
  kind: string;
  step: number;
}

interface RelaySent {
  from: number;
  messageId: number;
  at: number;
  step: number;
  copies: number;
  copiedAt?: number;
}

/** Latencies in ms; `over100`: how many took longer than 100 ms. */
export interface Summary {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  n: number;
  over100: number;
}

export interface StepReport {
  rate: number;
  seconds: number;
  offered: number;
  /** Updates the webhook accepted within the step's window, per second. */
  handledPerSec: number;
  /** Updates of this step not answered when the drain gave up. */
  unanswered: number;
  latency: Summary;
  relay: Summary;
  byKind: Record<string, number>;
  latencyByKind: Record<string, Summary>;
  calls: Record<string, number>;
  failedCalls: number;
  drainMs: number;
}

export interface Traffic {
  people: Map<number, Person>;
  /** Another mix of actions from now on (same people, same measurements). */
  setMix(mix: Scenario["mix"]): void;
  /** Runs `seconds` at `rate` updates/s, then waits for the bot to answer them (up to drainMs). */
  step(rate: number, seconds: number, drainMs?: number): Promise<StepReport>;
  /** Relayed messages (of steps ≥ fromStep): lost (no copy), duplicated (more than one), reordered (per sender). */
  relayIntegrity(fromStep?: number): {
    sent: number;
    lost: number;
    duplicated: number;
    reordered: number;
    /** A few lost messages: what the bot said to their sender right after (an apology, a hint…). */
    lostSamples: string[];
    /** performance.now() of the first copy of each duplicated message. */
    duplicatedAt: number[];
  };
  /** performance.now() of the oldest update not yet answered (Infinity when none). */
  oldestPending(): number;
  /** The number the next step will have. */
  nextStep(): number;
  /** Answers the bot's pending prompts now (between steps). */
  runFollowUps(): void;
  /** These idle people send /find now. */
  find(ids: number[]): void;
  /** Per person: proposals received and chats started since the traffic began. */
  searchOutcome(
    ids: number[],
  ): Array<{ id: number; proposals: number; started: number; firstStartAt: number }>;
  /** Waits until every update was answered (or the deadline); returns the backlog left. */
  drain(ms: number): Promise<number>;
  stop(): void;
}

const MENU_RE = /Насколько этот разговор тебе помог/;
const STARTED_RE = /^🤝 Собеседник/;
const END_CONFIRM_RE = /^Завершить разговор\?/;
const REPORT_REASON_RE = /^Что случилось\?/;
const ENDED_RE =
  /Разговор завершён|Собеседник завершил разговор|Собеседник больше недоступен|Время разговора истекло/;
const NO_CHAT_RE =
  /^Я здесь\. Чтобы найти собеседника|^Разговор завершён\. Найти нового собеседника|^Сейчас нет разговора/;

function listOf<K, V>(map: Map<K, V[]>, key: K): V[] {
  let list = map.get(key);
  if (!list) {
    list = [];
    map.set(key, list);
  }
  return list;
}

function inlineButtons(
  params: Record<string, unknown>,
): Array<{ text: string; callback_data?: string; pay?: boolean }> {
  const markup = params.reply_markup as { inline_keyboard?: unknown[][] } | string | undefined;
  const parsed =
    typeof markup === "string" ? (JSON.parse(markup) as { inline_keyboard?: unknown[][] }) : markup;
  return (parsed?.inline_keyboard ?? []).flat() as Array<{ text: string; callback_data?: string }>;
}

export function createTraffic(stand: Stand, scenario: Scenario, seed = 1): Traffic {
  const { sandbox, bot } = stand;
  const world = sandbox.world;
  let rnd = seed >>> 0;
  const random = () => {
    rnd = (rnd + 0x6d2b79f5) >>> 0;
    let t = rnd;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const people = new Map<number, Person>();
  const byPhase: Record<Phase, Set<number>> = {
    chat: new Set(),
    busy: new Set(),
    idle: new Set(),
    searching: new Set(),
  };
  const setPhase = (p: Person, phase: Phase) => {
    byPhase[p.phase].delete(p.id);
    p.phase = phase;
    byPhase[phase].add(p.id);
  };
  for (const [a, b] of stand.pairs) {
    for (const id of [a, b]) {
      const p: Person = { id, phase: "chat" };
      people.set(id, p);
      byPhase.chat.add(id);
    }
  }
  for (const id of stand.idle) {
    people.set(id, { id, phase: "idle" });
    byPhase.idle.add(id);
  }
  const pickFrom = (set: Set<number>): Person | undefined => {
    if (set.size === 0) return undefined;
    // Sets keep insertion order; a random skip is O(n) but n ≤ a few thousand and only for rare kinds.
    let i = Math.floor(random() * set.size);
    for (const id of set) if (i-- === 0) return people.get(id);
    return undefined;
  };
  const chatList = () => byPhase.chat;

  // --- measurement hooks -----------------------------------------------------------------------
  let stepNo = 0;
  let currentKind = "";
  const arrivals = new Map<number, Arrival>();
  const latencies = new Map<number, number[]>();
  const kindLatencies = new Map<string, number[]>();
  /** Per step: from a relayed message's arrival to its first copy (a scan of every relay would grow with the run). */
  const copyLatencies = new Map<number, number[]>();
  const answeredInWindow = new Map<number, number>();
  let window = { step: 0, end: 0 };
  const relays = new Map<string, RelaySent>();
  const copyOrder = new Map<number, number[]>();
  const calls = new Map<string, number>();
  let failedCalls = 0;
  const followUps: FollowUp[] = [];
  const [thinkMin, thinkMax] = scenario.thinkSeconds ?? [0, 0];
  const thinkMs = () => (thinkMin + random() * (thinkMax - thinkMin)) * 1000;
  /** The oldest prompt answer whose think time is over (the list is short: rate × think × share). */
  const nextReady = (now: number): FollowUp | undefined => {
    const i = followUps.findIndex((f) => f.readyAt <= now);
    return i < 0 ? undefined : followUps.splice(i, 1)[0];
  };
  const proposals = new Map<number, number>();
  const starts = new Map<number, number>();
  const firstStart = new Map<number, number>();

  const originalEnqueue = world.enqueue.bind(world);
  world.enqueue = (b, type, payload) => {
    const before = b.nextUpdateId;
    originalEnqueue(b, type, payload);
    if (b === bot && b.nextUpdateId !== before) {
      arrivals.set(before, { at: performance.now(), kind: currentKind || type, step: stepNo });
    }
  };
  stand.hooks.onDelivered = (updateId) => {
    const a = arrivals.get(updateId);
    if (!a) return;
    arrivals.delete(updateId);
    const now = performance.now();
    listOf(latencies, a.step).push(now - a.at);
    listOf(kindLatencies, `${a.step}:${a.kind}`).push(now - a.at);
    if (a.step === window.step && now <= window.end)
      answeredInWindow.set(a.step, (answeredInWindow.get(a.step) ?? 0) + 1);
  };

  const originalRecord = world.recordCall.bind(world);
  world.recordCall = (record) => {
    const full = originalRecord(record);
    onCall(full);
    return full;
  };
  function onCall(call: CallRecord) {
    calls.set(call.method, (calls.get(call.method) ?? 0) + 1);
    if (!call.ok) failedCalls++;
    const p = call.params as Record<string, unknown>;
    if (call.method === "copyMessage" && call.ok) {
      const from = Number(p.from_chat_id);
      const key = `${from}:${Number(p.message_id)}`;
      const r = relays.get(key);
      if (r) {
        r.copies++;
        if (r.copies === 1) {
          r.copiedAt = performance.now();
          listOf(copyLatencies, r.step).push(r.copiedAt - r.at);
        }
        listOf(copyOrder, from).push(r.messageId);
      }
      return;
    }
    if (!call.ok) return;
    const chatId = Number(p.chat_id);
    const person = people.get(chatId);
    if (!person) return;
    const messageId = (call.result as { message_id?: number } | undefined)?.message_id;
    if (call.method === "sendInvoice" && messageId !== undefined) {
      followUps.push({
        person: chatId,
        label: "pay",
        readyAt: performance.now() + thinkMs(),
        run: () =>
          void pay(world, bot, chatId, { message_id: messageId, timeout_ms: 60_000 }).catch(() => {}),
      });
      return;
    }
    if (call.method !== "sendMessage") return;
    const text = String(p.text ?? "");
    const buttons = inlineButtons(p);
    const press = (label: string, pickButton: (b: { text: string }) => boolean, then?: () => void) => {
      const button = buttons.find(pickButton);
      if (!button?.callback_data || messageId === undefined) return false;
      const data = button.callback_data;
      followUps.push({
        person: chatId,
        label,
        readyAt: performance.now() + thinkMs(),
        run: () => {
          void click(world, bot, chatId, { message_id: messageId, data, timeout_ms: 60_000 }).catch(() => {});
          then?.();
        },
      });
      return true;
    };
    if (buttons.some((b) => b.text === "✅ Принять")) proposals.set(chatId, (proposals.get(chatId) ?? 0) + 1);
    // The chat is over for this person (the peer ended or reported it, a block, no chat at all): they
    // stop writing into it; a rating prompt in the same message is answered below.
    if (ENDED_RE.test(text) && person.phase === "chat") setPhase(person, "busy");
    if (NO_CHAT_RE.test(text) || /^Спасибо, жалоба отправлена/.test(text)) setPhase(person, "idle");
    if (STARTED_RE.test(text)) {
      starts.set(chatId, (starts.get(chatId) ?? 0) + 1);
      if (!firstStart.has(chatId)) firstStart.set(chatId, performance.now());
      setPhase(person, "chat");
    } else if (MENU_RE.test(text)) {
      press(
        "rate",
        (b) => b.text.endsWith("5"),
        () => setPhase(person, "idle"),
      );
    } else if (buttons.some((b) => b.text === "⭐ Поблагодарить") && random() < scenario.tipShare) {
      press("tip", (b) => b.text === "⭐ Поблагодарить");
    } else if (/^⭐ Поблагодарить собеседника/.test(text)) {
      press("tip-amount", (b) => /\d/.test(b.text));
    } else if (buttons.some((b) => b.text === "✅ Принять")) {
      press("accept", (b) => b.text === "✅ Принять");
    } else if (END_CONFIRM_RE.test(text) && person.phase === "busy") {
      const keep = pendingEnd.get(chatId) === "keep";
      pendingEnd.delete(chatId);
      press(
        keep ? "end-keep" : "end-yes",
        (b) => b.text === (keep ? "Нет, продолжить" : "Да, завершить"),
        () => {
          if (keep) setPhase(person, "chat");
        },
      );
    } else if (REPORT_REASON_RE.test(text)) {
      press("report-reason", (b) => b.text === "Спам или реклама");
    } else if (buttons.some((b) => b.text === "Отправить жалобу")) {
      press("report-send", (b) => b.text === "Отправить жалобу");
    }
  }
  const pendingEnd = new Map<number, "keep" | "end">();

  // --- actions ---------------------------------------------------------------------------------
  const text = () => scenario.texts[Math.floor(random() * scenario.texts.length)]!;
  const sendRelay = (p: Person, input: Record<string, unknown>) => {
    const { stored } = userSends(world, bot, p.id, input);
    relays.set(`${p.id}:${stored.msg.message_id}`, {
      from: p.id,
      messageId: stored.msg.message_id,
      at: performance.now(),
      step: stepNo,
      copies: 0,
    });
    if (input.text) p.lastText = stored.msg.message_id;
  };
  const lastBotMessage = (p: Person): number | undefined => {
    const chat = bot.chats.get(p.id);
    if (!chat) return undefined;
    for (let id = chat.nextMessageId - 1; id > 0 && id > chat.nextMessageId - 30; id--) {
      const m = chat.messages.get(id);
      if (m && m.sender === "bot" && !m.deleted && m.msg.text && !m.markup) return id;
    }
    return undefined;
  };

  /** Someone in a chat or idle sends a command. */
  const anyoneSends = (command: string): boolean => {
    const p = pickFrom(random() < 0.5 ? chatList() : byPhase.idle);
    if (!p) return false;
    userSends(world, bot, p.id, { text: command });
    return true;
  };
  /** /end; the confirmation that follows is answered with «keep» or «end» (onCall). */
  const ending = (answer: "keep" | "end"): boolean => {
    const p = pickFrom(chatList());
    if (!p) return false;
    setPhase(p, "busy");
    pendingEnd.set(p.id, answer);
    userSends(world, bot, p.id, { text: "/end" });
    return true;
  };

  const actions: Record<ActionKind, () => boolean> = {
    text: () => {
      const p = pickFrom(chatList());
      if (!p) return false;
      sendRelay(p, { text: text() });
      return true;
    },
    reply: () => {
      const p = pickFrom(chatList());
      const target = p && lastBotMessage(p);
      if (!p || target === undefined) return false;
      sendRelay(p, { text: text(), reply_to_message_id: target });
      return true;
    },
    photo: () => {
      const p = pickFrom(chatList());
      if (!p) return false;
      sendRelay(p, { photo: { width: 640, height: 480 } });
      return true;
    },
    edit: () => {
      const p = pickFrom(chatList());
      // The sandbox keeps only recent messages on the stand: an older one cannot be edited.
      if (!p?.lastText || !bot.chats.get(p.id)?.messages.has(p.lastText)) return false;
      userEdits(world, bot, p.id, p.lastText, `${text()} (исправлено)`);
      return true;
    },
    command: () => anyoneSends("/help"),
    endKeep: () => ending("keep"),
    endRate: () => ending("end"),
    find: () => {
      const p = pickFrom(byPhase.idle);
      if (!p) return false;
      setPhase(p, "searching");
      userSends(world, bot, p.id, { text: "/find" });
      return true;
    },
    profile: () => anyoneSends("/profile"),
    report: () => {
      const p = pickFrom(chatList());
      if (!p) return false;
      setPhase(p, "busy");
      userSends(world, bot, p.id, { text: "/report" });
      return true;
    },
  };
  let kinds: Array<[ActionKind, number]> = [];
  let total = 0;
  const setMix = (mix: Scenario["mix"]) => {
    kinds = Object.entries(mix).filter(([, w]) => w > 0) as Array<[ActionKind, number]>;
    total = kinds.reduce((s, [, w]) => s + w, 0);
  };
  setMix(scenario.mix);
  const byKind = new Map<string, number>();
  function act(): void {
    const f = nextReady(performance.now());
    if (f) {
      currentKind = f.label;
      f.run();
      byKind.set(f.label, (byKind.get(f.label) ?? 0) + 1);
      currentKind = "";
      return;
    }
    let r = random() * total;
    let kind: ActionKind = "text";
    for (const [k, w] of kinds) {
      r -= w;
      if (r <= 0) {
        kind = k;
        break;
      }
    }
    currentKind = kind;
    let done = actions[kind]();
    if (!done && kind !== "text") {
      // Nobody is in the state this action needs (no one idle to search, say): a message instead.
      currentKind = "text";
      done = actions.text();
    }
    if (done) byKind.set(currentKind, (byKind.get(currentKind) ?? 0) + 1);
    currentKind = "";
  }

  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
  let stopped = false;

  /** After the load stops, people keep answering the bot's prompts as their think time ends. */
  function runFollowUps(): void {
    for (let f = nextReady(performance.now()); f; f = nextReady(performance.now())) {
      currentKind = f.label;
      f.run();
      currentKind = "";
    }
  }

  async function drain(ms: number): Promise<number> {
    const deadline = performance.now() + ms;
    while (performance.now() < deadline && !stopped) {
      runFollowUps();
      // Prompts still being read stay for the next step: people are thinking, not waiting on the bot.
      if (
        arrivals.size === 0 &&
        bot.queue.length === 0 &&
        !followUps.some((f) => f.readyAt <= performance.now())
      )
        return 0;
      await sleep(50);
    }
    return arrivals.size;
  }

  return {
    people,
    setMix,
    async step(rate, seconds, drainMs = 30_000) {
      stepNo++;
      const before = { calls: new Map(calls), failed: failedCalls };
      byKind.clear();
      const start = performance.now();
      window = { step: stepNo, end: start + seconds * 1000 };
      let issued = 0;
      const target = Math.round(rate * seconds);
      while (issued < target && !stopped) {
        const due = Math.min(target, Math.floor(((performance.now() - start) / 1000) * rate));
        while (issued < due) {
          act();
          issued++;
        }
        await sleep(2);
      }
      const drainStarted = performance.now();
      const unanswered = await drain(drainMs);
      const drainMsUsed = performance.now() - drainStarted;
      const lat = (latencies.get(stepNo) ?? []).sort((a, b) => a - b);
      const rel = (copyLatencies.get(stepNo) ?? []).sort((a, b) => a - b);
      const summary = (v: number[]) => ({
        p50: pct(v, 50),
        p95: pct(v, 95),
        p99: pct(v, 99),
        max: v.at(-1) ?? Number.NaN,
        n: v.length,
        over100: v.filter((x) => x > 100).length,
      });
      const stepCalls: Record<string, number> = {};
      for (const [m, n] of calls) {
        const d = n - (before.calls.get(m) ?? 0);
        if (d > 0) stepCalls[m] = d;
      }
      return {
        rate,
        seconds,
        offered: issued,
        handledPerSec: (answeredInWindow.get(stepNo) ?? 0) / seconds,
        unanswered,
        latency: summary(lat),
        relay: summary(rel),
        byKind: Object.fromEntries(byKind),
        latencyByKind: Object.fromEntries(
          [...kindLatencies]
            .filter(([k]) => k.startsWith(`${stepNo}:`))
            .map(([k, v]) => [k.slice(String(stepNo).length + 1), summary(v.sort((a, b) => a - b))]),
        ),
        calls: stepCalls,
        failedCalls: failedCalls - before.failed,
        drainMs: drainMsUsed,
      };
    },
    relayIntegrity(fromStep = 0) {
      let sent = 0;
      let lost = 0;
      let duplicated = 0;
      let reordered = 0;
      const lostSamples: string[] = [];
      const duplicatedAt: number[] = [];
      for (const r of relays.values()) {
        if (r.step < fromStep) continue;
        sent++;
        if (r.copies === 0) {
          lost++;
          if (lostSamples.length < 5) {
            const chat = bot.chats.get(r.from);
            const after: string[] = [];
            for (let id = r.messageId + 1; chat && id < chat.nextMessageId && after.length < 2; id++) {
              const m = chat.messages.get(id);
              if (m?.sender === "bot") after.push(String(m.msg.text ?? "").slice(0, 60));
            }
            lostSamples.push(`#${r.messageId}: ${after.join(" | ") || "(the bot said nothing)"}`);
          }
        }
        if (r.copies > 1) {
          duplicated++;
          duplicatedAt.push(r.copiedAt ?? Number.NaN);
        }
      }
      for (const [from, order] of copyOrder) {
        const own = order.filter((id) => (relays.get(`${from}:${id}`)?.step ?? 0) >= fromStep);
        for (let i = 1; i < own.length; i++) if (own[i]! < own[i - 1]!) reordered++;
      }
      return { sent, lost, duplicated, reordered, lostSamples, duplicatedAt };
    },
    nextStep: () => stepNo + 1,
    runFollowUps,
    oldestPending() {
      let oldest = Number.POSITIVE_INFINITY;
      for (const a of arrivals.values()) if (a.at < oldest) oldest = a.at;
      return oldest;
    },
    find(ids) {
      for (const id of ids) {
        const p = people.get(id);
        if (!p) continue;
        setPhase(p, "searching");
        currentKind = "find";
        userSends(world, bot, id, { text: "/find" });
        currentKind = "";
      }
    },
    searchOutcome(ids) {
      return ids.map((id) => ({
        id,
        proposals: proposals.get(id) ?? 0,
        started: starts.get(id) ?? 0,
        firstStartAt: firstStart.get(id) ?? Number.NaN,
      }));
    },
    drain,
    stop() {
      stopped = true;
    },
  };
}
