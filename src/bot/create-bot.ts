import { fileURLToPath } from "node:url";
import { autoRetry } from "@grammyjs/auto-retry";
import { I18n } from "@grammyjs/i18n";
import { sequentialize } from "@grammyjs/runner";
import { Bot, type BotError, GrammyError, HttpError } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import type { Clock } from "../clock.ts";
import type { KeyValue } from "../infra/ports.ts";
import type { Logger } from "../logger.ts";
import type { Metrics } from "../metrics.ts";
import type { EndedChat, ExtensionAsk } from "../services/chats.ts";
import type { DueCheckIn } from "../services/check-ins.ts";
import type { Services } from "../services/index.ts";
import type { BotContext } from "./context.ts";
import { createBasicsFeature } from "./features/basics.ts";
import { createChatFeature } from "./features/chat.ts";
import { createCoachFeature } from "./features/coach.ts";
import { createCrisisFeature } from "./features/crisis.ts";
import { createDigestFeature, type DigestFeature } from "./features/digest.ts";
import { createFallbackFeature } from "./features/fallback.ts";
import { createMatchingFeature } from "./features/matching.ts";
import { createOnboardingFeature } from "./features/onboarding.ts";
import { createProfileFeature } from "./features/profile/index.ts";
import { createSafetyFeature } from "./features/safety/index.ts";
import { createTipsFeature } from "./features/tips.ts";
import { GiveBackError, isGiveBack, rootCause, unavailableDependency } from "./give-back.ts";
import { harmlessRefusals } from "./harmless-refusals.ts";
import { createModeratorAlerts } from "./moderators.ts";
import { createNotifier, type Notifier } from "./notifier.ts";
import { type BotOperations, createBotOperations } from "./operations.ts";
import { createOutgoing, type Outgoing } from "./outgoing.ts";
import { identify, readAheadKeys } from "./pending.ts";

export interface BotDeps {
  token: string;
  apiRoot: string;
  /** Known bot identity (tests); otherwise fetched with getMe on init. */
  botInfo?: UserFromGetMe;
  logger: Logger;
  pseudonymize: (id: number) => string;
  kv: KeyValue;
  metrics: Metrics;
  services: Services;
  clock: Clock;
  /** Randomness for generated pseudonyms (tests pass a seeded one). */
  random?: () => number;
  tips?: { commissionBps: number; payoutPolicy: "manual" | "platform" };
  /** AI coach on/off (AI_COACH_ENABLED): when off, nothing of it appears anywhere. */
  coachEnabled?: boolean;
  /**
   * Updates come by webhook, so one that meets a dependency that is down can be given back to
   * Telegram for redelivery (give-back.ts). Long polling cannot: it retries longer and apologises.
   */
  canGiveBack?: boolean;
  /** The moderators' chat for alerts with inline actions. */
  modChatId?: number | null;
  /** Average spacing of outgoing calls to one chat (Telegram asks for about 1 message/s per chat). */
  perChatMinMs?: number;
  /** Calls one chat may receive back to back before the spacing applies. */
  perChatBurst?: number;
  /** Scheduler-driven notifications per second, all chats together (Telegram: about 30). */
  bulkPerSecond?: number;
}

export interface AppBot {
  bot: Bot<BotContext>;
  i18n: I18n<BotContext>;
  notifier: Notifier;
  /** Caring contact the scheduler sends: «Как ты сейчас?» 24 h after a conversation in crisis. */
  sendCheckIns: (due: readonly DueCheckIn[]) => Promise<void>;
  /** A report's unseen evidence copied into the moderators' chat (the console's «показать»). */
  showReportEvidence: (reportId: number) => Promise<{ outcome: "none" | "already" | "shown"; count: number }>;
  /** The weekly digest the scheduler sends to one due person. */
  sendDigest: DigestFeature["send"];
  /** Temp-chat messages the scheduler sends: «продлить?» and the end of a timed chat. */
  chatTimers: {
    askExtension(ask: ExtensionAsk): Promise<void>;
    announceExpired(ended: EndedChat): Promise<void>;
  };
  /** Outgoing pacing; scheduler jobs wrap their sends in `outgoing.bulk`. */
  outgoing: Outgoing;
  /** What the rest of the service asks of Telegram outside updates (invoice links, refunds, evidence). */
  operations: BotOperations;
  /** Resolves when every update being handled now has finished (graceful shutdown). */
  drain(): Promise<void>;
}

const UPDATE_DEDUP_TTL_MS = 24 * 60 * 60 * 1000;
/** How long a replica's claim on an update lasts without renewal (it renews every third of it). */
const UPDATE_LEASE_MS = 3000;
const UPDATE_WORKING = "working";
const UPDATE_DONE = "done";

/**
 * Claims an update for this replica. "fresh": first sight; "done": handled already; "takenOver":
 * another replica claimed it and stopped renewing (it died) — waits at most one lease for that.
 */
async function claimUpdate(kv: KeyValue, key: string): Promise<"fresh" | "done" | "takenOver"> {
  if (await kv.setIfAbsent(key, UPDATE_WORKING, UPDATE_LEASE_MS)) return "fresh";
  const deadline = Date.now() + UPDATE_LEASE_MS + 1000;
  for (;;) {
    const state = await kv.get(key);
    if (state === UPDATE_DONE) return "done";
    if (state === null && (await kv.setIfAbsent(key, UPDATE_WORKING, UPDATE_LEASE_MS))) return "takenOver";
    // Still being worked on elsewhere and renewed: a redelivery while the first replica is alive
    // and slow. Give it back rather than handle it twice; Telegram will ask again.
    if (Date.now() > deadline)
      throw new GiveBackError("the update is still being handled by another replica");
    await new Promise((r) => setTimeout(r, 100));
  }
}
const LOCALES_DIR = fileURLToPath(new URL("./locales", import.meta.url));

export function createI18n(): I18n<BotContext> {
  return new I18n<BotContext>({
    defaultLocale: "ru",
    directory: LOCALES_DIR,
    // Everyone reads Russian for now; Telegram's language setting is not stored or used.
    localeNegotiator: () => "ru",
    // Fluent wraps variables in Unicode isolation marks by default; Telegram shows them as junk.
    fluentBundleOptions: { useIsolating: false },
  });
}

function updateType(update: object): string {
  return Object.keys(update).find((k) => k !== "update_id") ?? "unknown";
}

/**
 * The bot: outgoing pacing and retries, the update pipeline (dedup, sequencing, metrics, the user), and
 * every feature in the order that decides who sees an update first. Long because the order of
 * `use` calls is the design, and reads best in one place.
 */
export function createBot(deps: BotDeps): AppBot {
  const { logger, metrics, kv } = deps;
  const bot = new Bot<BotContext>(deps.token, {
    client: { apiRoot: deps.apiRoot },
    ...(deps.botInfo ? { botInfo: deps.botInfo } : {}),
  });

  // Outgoing calls, innermost first: the flood observer sees raw 429s; auto-retry waits them out
  // (and retries 5xx); the pacing transformer keeps each chat's order and Telegram's documented
  // per-chat, per-group and bulk limits (src/bot/outgoing.ts, docs/decisions.md).
  const outgoing = createOutgoing({
    perChatMinMs: deps.perChatMinMs ?? 1000,
    perChatBurst: deps.perChatBurst ?? 3,
    bulkPerSecond: deps.bulkPerSecond ?? 25,
    onFloodWait: (lane) => metrics.telegramFloodWaits.inc({ lane }),
  });
  // Innermost of all: the time of one HTTP round trip, as Telegram answers it.
  bot.api.config.use(async (prev, method, payload, signal) => {
    const done = metrics.telegramCallDuration.startTimer({ method });
    try {
      return await prev(method, payload, signal);
    } finally {
      done();
    }
  });
  bot.api.config.use(outgoing.floodObserver);
  bot.api.config.use(
    // With a webhook, bounded so a handler gives up well inside the answer budget (wiring/http.ts):
    // 5xx retried after 3 and 6 s, a 429 waited out (up to 5 s) twice; then the update is given
    // back to Telegram (give-back.ts). Network errors are given back at once.
    autoRetry(
      deps.canGiveBack
        ? {
            maxRetryAttempts: 2,
            maxDelaySeconds: 5,
            rethrowInternalServerErrors: false,
            rethrowHttpErrors: true,
          }
        : // Long polling cannot give an update back: it waits longer instead.
          { maxRetryAttempts: 5, maxDelaySeconds: 60, rethrowInternalServerErrors: false },
    ),
  );
  bot.api.config.use(outgoing.transformer);
  bot.api.config.use(harmlessRefusals(logger));
  bot.api.config.use(async (prev, method, payload, signal) => {
    try {
      const res = await prev(method, payload, signal);
      metrics.telegramCalls.inc({ method, outcome: res.ok ? "ok" : String(res.error_code) });
      return res;
    } catch (err) {
      metrics.telegramCalls.inc({ method, outcome: "network_error" });
      throw err;
    }
  });

  const inflight = new Set<Promise<unknown>>();
  const i18n = createI18n();
  const notifier = createNotifier({
    api: bot.api,
    i18n,
    profiles: deps.services.profiles,
    logger,
    pseudonymize: deps.pseudonymize,
    onChatEnded: async (sessionId) => {
      await deps.services.coach.forgetSession(sessionId);
      await deps.services.crisisContext.forget(sessionId);
    },
  });

  // 1. Track the update for graceful shutdown and time it.
  bot.use(async (ctx, next) => {
    const started = performance.now();
    const type = updateType(ctx.update);
    let outcome = "ok";
    const work = (async () => {
      try {
        await next();
      } catch (err) {
        outcome = "error";
        throw err;
      }
    })();
    inflight.add(work);
    try {
      await work;
    } finally {
      inflight.delete(work);
      const seconds = (performance.now() - started) / 1000;
      metrics.updateDuration.observe({ type, outcome }, seconds);
      logger.debug({ type, outcome, actor: ctx.actor, ms: Math.round(seconds * 1000) }, "update handled");
    }
  });

  // 2. Per-chat ordering: updates of one chat are handled one after another, chats in parallel —
  //    from the claim on, so what a plain message reads with its claim was written by the chat's
  //    previous update.
  bot.use(sequentialize((ctx) => ctx.chat?.id.toString() ?? ctx.from?.id.toString()));

  // 3. Each update_id is handled once across replicas: a short lease while a replica works on it
  //    (renewed while it works), "done" for a day after. A redelivery of a finished update is
  //    skipped; of one whose replica died mid-way, taken over once the lease lapses; of one given
  //    back to Telegram (a dependency was down), handled again from the start.
  //    A plain message's first reads (pending.ts) go with the claim, in the same round trip.
  bot.use(async (ctx, next) => {
    const key = `upd:${bot.botInfo.id}:${ctx.update.update_id}`;
    const reads = readAheadKeys(ctx);
    const [claim, values] = await Promise.all([claimUpdate(kv, key), kv.getMany(reads)]);
    if (claim === "done") {
      metrics.updatesDuplicate.inc();
      return;
    }
    // Taken over from a replica that died mid-way: what it may have written since is read afresh.
    if (claim === "takenOver") ctx.redelivered = true;
    else if (reads.length > 0) ctx.prefetched = new Map(reads.map((k, i) => [k, values[i] ?? null]));
    // With a webhook, a chat's next update comes only after this one is answered, so writes nobody
    // reads before then (message links, risk marks) wait and go with the "done" mark: one round trip.
    if (deps.canGiveBack) ctx.deferred = [];
    const done = () =>
      kv.batch([...(ctx.deferred ?? []), { op: "set", key, value: UPDATE_DONE, ttlMs: UPDATE_DEDUP_TTL_MS }]);
    const renew = setInterval(() => {
      kv.set(key, UPDATE_WORKING, UPDATE_LEASE_MS).catch(() => {});
    }, UPDATE_LEASE_MS / 3);
    try {
      await next();
    } catch (err) {
      // Given back: Telegram redelivers it, and then it must be handled, not skipped; nothing it
      // deferred is written (the redelivery does it again).
      if (isGiveBack(err)) {
        await kv.delete(key).catch(() => {});
      } else await done().catch(() => {});
      throw err;
    } finally {
      clearInterval(renew);
    }
    await done();
  });

  // 4. Who is acting, as a pseudonym for logs.
  bot.use(async (ctx, next) => {
    ctx.actor = ctx.from ? deps.pseudonymize(ctx.from.id) : "anonymous";
    await next();
  });

  bot.use(i18n);

  // The error boundary answers the person with a short apology and logs the error (without the
  // update's content). It is middleware, so it works the same with webhooks and with the runner.
  const handleError = async (err: BotError<BotContext>) => {
    const ctx = err.ctx;
    const e = err.error;
    const kind = e instanceof GrammyError ? "telegram" : e instanceof HttpError ? "network" : "internal";
    logger.error(
      { err: e, kind, updateType: updateType(ctx.update), actor: ctx.actor ?? "unknown" },
      "update handling failed",
    );
    if (ctx.chat?.type === "private") {
      try {
        await ctx.reply(ctx.t("error-generic"));
      } catch (replyErr) {
        logger.warn({ err: replyErr, actor: ctx.actor ?? "unknown" }, "could not send the apology");
      }
    }
  };
  // A dependency that is down is not the person's problem: the update goes back to Telegram (the
  // webhook answers 5xx) and is handled when it is back. Long polling cannot give back: apology.
  const giveBackOrApologise = async (err: BotError<BotContext>) => {
    const dependency = deps.canGiveBack ? unavailableDependency(err.error) : null;
    if (dependency === null) return handleError(err);
    if (err.ctx.committed) {
      // The message already reached the peer; only bookkeeping after it failed. Done, not redone.
      logger.warn(
        {
          dependency,
          updateType: updateType(err.ctx.update),
          reason: rootCause(err.error),
        },
        "dependency unavailable after delivery: bookkeeping skipped, update not given back",
      );
      return;
    }
    metrics.updatesGivenBack.inc({ dependency });
    logger.warn(
      {
        dependency,
        updateType: updateType(err.ctx.update),
        reason: rootCause(err.error),
      },
      "dependency unavailable: update given back to Telegram for redelivery",
    );
    throw err.error;
  };
  const guarded = bot.errorBoundary(giveBackOrApologise);
  bot.catch(handleError);

  const { profiles } = deps.services;
  const tipsFeature = createTipsFeature({
    tips: deps.services.tips,
    profiles,
    notifier,
    kv,
    logger,
    commissionBps: deps.tips?.commissionBps ?? 1000,
    payoutPolicy: deps.tips?.payoutPolicy ?? "manual",
  });
  guarded.use(tipsFeature.payments);
  const mods = createModeratorAlerts({ api: bot.api, i18n, chatId: deps.modChatId ?? null, logger });
  const crisis = createCrisisFeature({
    sos: deps.services.sos,
    profiles,
    chats: deps.services.chats,
    moderation: deps.services.moderation,
    checkIns: deps.services.checkIns,
    notifier,
    mods,
    kv,
    logger,
    metrics,
    pseudonymize: deps.pseudonymize,
  });
  const operations = createBotOperations({ api: bot.api, i18n, modChatId: deps.modChatId ?? null, logger });
  const safety = createSafetyFeature({
    takeDownEvidence: operations.moderatorsChat.takeDown,
    moderation: deps.services.moderation,
    crisis,
    crisisContext: deps.services.crisisContext,
    safetyTier: deps.services.safetyTier,
    privacy: deps.services.privacy,
    profiles,
    chats: deps.services.chats,
    notifier,
    mods,
    kv,
    clock: deps.clock,
    logger,
    pseudonymize: deps.pseudonymize,
    onErase: async (userId, sessionId) => {
      if (sessionId !== null) {
        await deps.services.coach.forgetSession(sessionId);
        await deps.services.crisisContext.forget(sessionId);
      }
      await deps.services.coach.forgetUser(userId);
    },
  });
  // Moderators act from their own (group) chat, outside the private-chat filter.
  guarded.use(safety.modChat);
  // Only private chats are served: the product is one-on-one and never joins groups.
  const privateChats = guarded.chatType("private");
  // Who this is in our terms: the registered person, or null before the rules are accepted.
  privateChats.use(async (ctx, next) => {
    await identify(ctx, { profiles, sender: deps.services.sender });
    // They wrote to us: whatever blocked the bot before is over, bulk messages may reach them again.
    if (ctx.user?.unreachableSince) await profiles.markReachable(ctx.user.id);
    await next();
  });
  const profile = createProfileFeature({
    profiles,
    clock: deps.clock,
    ...(deps.coachEnabled && deps.services.coach.usesModel
      ? { coachSharing: (userId: number) => deps.services.coach.sharesWords(userId) }
      : {}),
    ...(deps.random ? { random: deps.random } : {}),
  });
  // Menu buttons become their commands before anything else reads the message.
  privateChats.use(crisis.menu);
  privateChats.use(createBasicsFeature({ coach: deps.coachEnabled === true }));
  privateChats.use(
    createOnboardingFeature({
      profiles,
      kv,
      startProfile: profile.resumeOrStart,
      safetySecondOpinion: deps.services.safetyTier.enabled,
      coachMode: !deps.coachEnabled ? "off" : deps.services.coach.usesModel ? "model" : "library",
    }),
  );
  // Help first: /sos and «🆘 Помощь» answer in every state, check-ins too.
  privateChats.use(crisis.feature);
  // Safety next: /report drafts (their text must never be relayed), /block, /appeal, /delete.
  privateChats.use(safety.feature);
  privateChats.use(profile.feature);
  const digest = createDigestFeature({ digest: deps.services.digest, profiles, notifier, logger });
  privateChats.use(digest.feature);
  privateChats.use(
    createMatchingFeature({
      matching: deps.services.matching,
      notifier,
      clock: deps.clock,
      offerDetails: (profile) => !profiles.hasDetails(profile),
    }),
  );
  // Tips come before the relay: the custom amount typed after «Другая сумма» must not reach the peer.
  privateChats.use(tipsFeature.feature);
  const coach = deps.coachEnabled
    ? createCoachFeature({
        now: () => deps.clock.now(),
        coach: deps.services.coach,
        chats: deps.services.chats,
        profiles,
        moderation: deps.services.moderation,
        kv,
        logger,
        sosText: crisis.sosText,
        countryOf: crisis.countryOf,
      })
    : undefined;
  if (coach) privateChats.use(coach.feature);
  const chat = createChatFeature({
    chats: deps.services.chats,
    notifier,
    kv,
    now: () => deps.clock.now(),
    logger,
    screen: safety.screen,
    crisisNoteToPeer: crisis.crisisNoteToPeer,
    ...(coach ? { decorateCopy: coach.decorateCopy } : {}),
    onEnded: async (sessionId) => {
      await deps.services.coach.forgetSession(sessionId);
      await deps.services.crisisContext.forget(sessionId);
    },
    hadCrisis: (sessionId, userId) => deps.services.moderation.crisisInSession(sessionId, userId),
    endForPersonInCrisis: crisis.endForPersonInCrisis,
  });
  privateChats.use(chat.feature);
  privateChats.use(createFallbackFeature());

  return {
    bot,
    i18n,
    notifier,
    outgoing,
    sendCheckIns: crisis.sendCheckIns,
    sendDigest: digest.send,
    showReportEvidence: safety.showReportEvidence,
    chatTimers: {
      askExtension: chat.askExtension,
      announceExpired: (ended) => chat.announceEnd(ended, null),
    },
    operations,
    async drain() {
      while (inflight.size > 0) await Promise.allSettled([...inflight]);
    },
  };
}
