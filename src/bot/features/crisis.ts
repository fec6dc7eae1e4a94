import { Composer, InlineKeyboard } from "grammy";
import type { SafetyVerdict } from "../../domain/safety/index.ts";
import type { KeyValue } from "../../infra/ports.ts";
import type { Logger } from "../../logger.ts";
import type { Metrics } from "../../metrics.ts";
import type { ActiveChat, ChatService } from "../../services/chats.ts";
import type { CheckInService, DueCheckIn } from "../../services/check-ins.ts";
import type { ModerationService } from "../../services/moderation/index.ts";
import type { ProfileService } from "../../services/profile.ts";
import type { SosEntry, SosService } from "../../services/sos.ts";
import { checkInAnswer, checkInOffer, peerConcern, sosButton, sosProblem } from "../callbacks.ts";
import type { BotContext } from "../context.ts";
import { menuCommand, menuKeyboard } from "../keyboards/menu.ts";
import type { ModeratorAlerts } from "../moderators.ts";
import type { Notifier } from "../notifier.ts";

/** Countries offered by «🌍 Другая страна»: where our people live, and where they moved. */
export const SOS_COUNTRIES = [
  "RU",
  "BY",
  "KZ",
  "UZ",
  "KG",
  "TJ",
  "AM",
  "GE",
  "AZ",
  "MD",
  "UA",
  "RS",
  "ME",
  "TR",
  "IL",
  "CY",
  "DE",
  "PL",
  "LV",
  "LT",
  "EE",
  "FI",
  "GB",
  "US",
  "AE",
  "TH",
];
/** At most one crisis alert per conversation in this window: an abuser cannot flood the moderators. */
export const CRISIS_ALERT_WINDOW_MS = 10 * 60 * 1000;
/**
 * Within one conversation the writer's help message and the peer's note are not repeated for this long:
 * a list of numbers after every message is noise between two people talking, and help stays one tap
 * away in the menu. A more severe signal brings the writer's message again at once.
 */
export const CRISIS_REPEAT_WINDOW_MS = 30 * 60 * 1000;
/** Verdict labels a crisis flag keeps (the rest of a verdict's labels are toxicity's); `peer_concern` is the peer's. */
const CRISIS_FLAG_LABELS = [
  "suicidal_intent",
  "overdose",
  "self_harm",
  "violence_now",
  "hopelessness",
  "peer_concern",
];
/** One «Беспокоюсь за собеседника» per person per conversation in this window: care, not pressure. */
export const PEER_CONCERN_WINDOW_MS = 6 * 60 * 60 * 1000;

export interface CrisisFeatureDeps {
  sos: SosService;
  profiles: ProfileService;
  /** The conversation a person is in (for «Беспокоюсь за собеседника»). */
  chats: Pick<ChatService, "activeChat">;
  moderation: ModerationService;
  checkIns: CheckInService;
  notifier: Notifier;
  mods: ModeratorAlerts;
  kv: KeyValue;
  logger: Logger;
  metrics?: Metrics;
  /** Keyed hash of a Telegram id (who reported a number, without keeping the id). */
  pseudonymize: (tgId: number) => string;
}

/**
 * The crisis journey: «🆘 Помощь» always one tap away (menu and /sos), the hotlines of the person's
 * own country, support to a writer in crisis and a note to their peer, throttled moderator alerts,
 * a gentler end of the conversation for the person in crisis, and caring contact 24 h later.
 */
export function createCrisisFeature(deps: CrisisFeatureDeps) {
  const { sos, profiles, moderation, checkIns, notifier, mods, kv, logger } = deps;
  const feature = new Composer<BotContext>();
  const t = notifier.t;

  /**
   * Menu buttons are plain text; they become their command before anything else reads the message,
   * so «🆘 Помощь» works in every state — during onboarding, a profile step, a report draft or a chat —
   * and is never relayed to the peer.
   */
  const menu = new Composer<BotContext>();
  menu.on("message:text", async (ctx, next) => {
    const command = menuCommand(ctx.message.text, ctx.t.bind(ctx));
    if (command) {
      const text = `/${command}`;
      ctx.message.text = text;
      ctx.message.entities = [{ type: "bot_command", offset: 0, length: text.length }];
    }
    await next();
  });

  // ---------------------------------------------------------------- hotlines

  function entryLine(e: SosEntry): string {
    const line = t("sos-entry", { phone: e.phone, name: e.name });
    const head = e.russianSpeaking ? t("sos-entry-russian", { line }) : line;
    return e.description ? `${head}\n${t("sos-entry-details", { description: e.description })}` : head;
  }

  /**
   * The help list for one country: lines that listen (if the country has any), emergency numbers once,
   * the international directory, and how to pick another country. A country with only emergency
   * numbers is never described as a line that listens.
   */
  async function sosText(country: string): Promise<string> {
    const entries = await sos.forCountry(country);
    const support = entries.filter((e) => e.kind === "support");
    const emergency = [...new Set(entries.filter((e) => e.kind === "emergency").map((e) => e.phone))];
    const parts = [support.length > 0 ? t("sos-title-support") : t("sos-title-no-support")];
    parts.push(...support.map(entryLine));
    if (emergency.length > 0) parts.push(t("sos-emergency", { phones: emergency.join(` ${t("sos-or")} `) }));
    parts.push(t("sos-directory"));
    parts.push(t("sos-country", { country: t(`country-${country}`) }));
    return parts.join("\n\n");
  }

  /** The person's country from their time zone; Russia when unknown (most people here). */
  async function countryOf(userId: number | null): Promise<string> {
    if (userId === null) return "RU";
    const user = await profiles.findById(userId);
    const country = user?.tz ? sos.countryForZone(user.tz) : null;
    return country && SOS_COUNTRIES.includes(country) ? country : "RU";
  }

  /** Under every help list: another country, and «a number did not work» for that list. */
  const sosKeyboard = (country: string) =>
    new InlineKeyboard()
      .text(t("btn-sos-other-country"), sosButton.pack({ choice: "pick" }))
      .row()
      .text(t("btn-sos-problem"), sosProblem.pack({ country }));

  async function showSos(ctx: BotContext) {
    const country = await countryOf(ctx.user?.id ?? null);
    const keyboard = sosKeyboard(country);
    // In a conversation, help may be needed by the other person: the detector can miss what a reader sees.
    const chat = ctx.user ? await deps.chats.activeChat(ctx.user.id) : null;
    if (chat)
      keyboard
        .row()
        .text(t("btn-peer-concern"), peerConcern.pack({ answer: "ask", session: chat.sessionId }));
    await ctx.reply(await sosText(country), { reply_markup: keyboard });
    // The menu comes with it for anyone registered, so the next time help is one tap away.
    if (ctx.user) await ctx.reply(t("menu-shown"), { reply_markup: menuKeyboard(t) });
  }

  feature.command("sos", showSos);
  feature.callbackQuery(sosButton.pack({}), async (ctx) => {
    await ctx.answerCallbackQuery();
    await showSos(ctx);
  });
  feature.callbackQuery(sosButton.pack({ choice: "pick" }), async (ctx) => {
    const kb = new InlineKeyboard();
    SOS_COUNTRIES.forEach((c, i) => {
      kb.text(ctx.t(`country-${c}`), sosButton.pack({ choice: c }));
      if (i % 3 === 2) kb.row();
    });
    await ctx.reply(ctx.t("sos-pick-country"), { reply_markup: kb });
    await ctx.answerCallbackQuery();
  });
  // «☎️ Номер не сработал?»: which one — then it is counted for the operators (the console lists it first),
  // and the person is pointed to the international directory meanwhile.
  feature.callbackQuery(sosProblem.filter, async (ctx) => {
    const picked = sosProblem.unpack(ctx.callbackQuery.data);
    if (!picked) return ctx.answerCallbackQuery();
    if (picked.entry === undefined) {
      const kb = new InlineKeyboard();
      for (const e of await sos.forCountry(picked.country))
        kb.text(`${e.name} — ${e.phone}`, sosProblem.pack({ country: picked.country, entry: e.id })).row();
      await ctx.reply(ctx.t("sos-problem-which"), { reply_markup: kb });
      return ctx.answerCallbackQuery();
    }
    const who = ctx.from ? deps.pseudonymize(ctx.from.id) : "anonymous";
    await sos.reportProblem(picked.entry, who);
    await ctx.reply(ctx.t("sos-problem-thanks"));
    return ctx.answerCallbackQuery();
  });
  feature.callbackQuery(sosButton.filter, async (ctx) => {
    const country = sosButton.unpack(ctx.callbackQuery.data)?.choice ?? "RU";
    if (SOS_COUNTRIES.includes(country))
      await ctx.reply(await sosText(country), { reply_markup: sosKeyboard(country) });
    await ctx.answerCallbackQuery();
  });

  // ---------------------------------------------------------------- in a conversation

  /**
   * The writer's side of a crisis: a flag, one short warm message with their own country's help and
   * the menu (again only after CRISIS_REPEAT_WINDOW_MS, or for a more severe signal), and — at most once
   * per conversation per 10 minutes, never awaited — a moderator alert.
   */
  async function supportInCrisis(
    chat: ActiveChat,
    verdict: Pick<SafetyVerdict, "labels" | "crisisSeverity">,
    source: "message" | "context" | "model" | "peer",
  ): Promise<void> {
    deps.metrics?.safety.crisisSupport.inc({ source });
    const severity = Math.max(1, verdict.crisisSeverity);
    const crisisLabels = verdict.labels.filter((l) => CRISIS_FLAG_LABELS.includes(l));
    const flag = await moderation.recordCrisisFlag(chat.userId, {
      sessionId: chat.sessionId,
      labels: crisisLabels.length > 0 ? crisisLabels : ["suicidal_intent"],
      severity,
    });
    const lead = source === "peer" ? t("peer-concern-to-person") : t("crisis-to-writer");
    // Told already in this conversation, as seriously, within the window: the flag and the alert still
    // count, the message is not sent again. A peer's concern is always said (it is a person speaking).
    const toldKey = `crisis-told:${chat.sessionId}:${chat.userId}`;
    const told = Number((await kv.get(toldKey)) ?? 0);
    if (source === "peer" || severity > told) {
      await notifier.send(
        chat.userId,
        `${lead}\n\n${await sosText(await countryOf(chat.userId))}`,
        menuKeyboard(t),
      );
      await kv.set(toldKey, String(Math.max(told, severity)), CRISIS_REPEAT_WINDOW_MS);
    }
    if (flag.alertModerators) {
      const first = await kv.setIfAbsent(`crisis-alert:${chat.sessionId}`, "1", CRISIS_ALERT_WINDOW_MS);
      deps.metrics?.safety.crisisAlerts.inc({ outcome: first ? "sent" : "throttled" });
      if (first) {
        // Not awaited: delivery never waits behind the moderators' chat.
        void mods
          .post("mod-alert-crisis", {
            severity,
            labels: crisisLabels.join(", ") || "context",
            target: chat.userId,
            session: chat.sessionId,
          })
          .catch((err) => logger.error({ err }, "crisis alert failed"));
      }
    }
  }

  // ---------------------------------------------------------------- a peer's concern

  /**
   * «💛 Беспокоюсь за собеседника»: what a reader sees that the detector missed (a long story with the
   * risk implied). After a confirmation, the other person gets one warm message with their own
   * country's help, as if the detector had seen it, their /end becomes the gentle one with a check-in,
   * and the moderators get the throttled crisis alert. The one who cared gets the guidance. Once per
   * person per conversation in 6 h; nothing of what anyone wrote is sent or kept.
   */
  feature.callbackQuery(peerConcern.filter, async (ctx) => {
    const { answer, session } = peerConcern.unpack(ctx.callbackQuery.data)!;
    const chat = ctx.user ? await deps.chats.activeChat(ctx.user.id) : null;
    if (!chat || chat.sessionId !== session) {
      await ctx.answerCallbackQuery({ text: ctx.t("peer-concern-no-chat") });
      return;
    }
    if (answer === "ask") {
      await ctx.answerCallbackQuery();
      await ctx.reply(ctx.t("peer-concern-confirm"), {
        reply_markup: new InlineKeyboard()
          .text(ctx.t("btn-peer-concern-yes"), peerConcern.pack({ answer: "yes", session }))
          .text(ctx.t("btn-peer-concern-no"), peerConcern.pack({ answer: "no", session })),
      });
      return;
    }
    await Promise.all([ctx.editMessageReplyMarkup(), ctx.answerCallbackQuery()]);
    if (answer === "no") {
      await ctx.reply(ctx.t("peer-concern-cancelled"));
      return;
    }
    const first = await kv.setIfAbsent(
      `peer-concern:${chat.sessionId}:${chat.userId}`,
      "1",
      PEER_CONCERN_WINDOW_MS,
    );
    if (!first) {
      await ctx.reply(ctx.t("peer-concern-already"));
      return;
    }
    const theirs: ActiveChat = { ...chat, userId: chat.peerId, peerId: chat.userId, peerTgId: null };
    await supportInCrisis(theirs, { labels: ["peer_concern"], crisisSeverity: 3 }, "peer");
    await ctx.reply(`${ctx.t("peer-concern-sent")}\n\n${ctx.t("peer-guidance")}`);
  });

  /** The peer's side: how to respond, and that «🆘 Помощь» is there — never a country list of theirs. */
  async function crisisNoteToPeer(chat: ActiveChat): Promise<void> {
    const first = await kv.setIfAbsent(
      `crisis-peer-told:${chat.sessionId}:${chat.userId}`,
      "1",
      CRISIS_REPEAT_WINDOW_MS,
    );
    if (first) await notifier.send(chat.peerId, `${t("crisis-to-peer")} ${t("peer-guidance")}`);
  }

  // ---------------------------------------------------------------- after the conversation

  /**
   * The end of a conversation for someone who showed signs of crisis in it: no rating and no tips,
   * a reminder of help and the offer of a check-in tomorrow.
   */
  async function endForPersonInCrisis(userId: number): Promise<void> {
    deps.metrics?.safety.checkIns.inc({ event: "offered" });
    await notifier.send(
      userId,
      t("crisis-after-end"),
      new InlineKeyboard()
        .text(t("btn-check-in-yes"), checkInOffer.pack({ answer: "yes" }))
        .text(t("btn-check-in-no"), checkInOffer.pack({ answer: "no" })),
    );
  }

  feature.callbackQuery(checkInOffer.filter, async (ctx) => {
    await ctx.editMessageReplyMarkup();
    await ctx.answerCallbackQuery();
    if (!ctx.user) return;
    if (checkInOffer.unpack(ctx.callbackQuery.data)!.answer === "yes") {
      await checkIns.schedule(ctx.user.id);
      deps.metrics?.safety.checkIns.inc({ event: "accepted" });
      await ctx.reply(ctx.t("check-in-scheduled"), { reply_markup: menuKeyboard(t) });
    } else {
      deps.metrics?.safety.checkIns.inc({ event: "declined" });
      await ctx.reply(ctx.t("check-in-declined"), { reply_markup: menuKeyboard(t) });
    }
  });

  feature.callbackQuery(checkInAnswer.filter, async (ctx) => {
    await ctx.editMessageReplyMarkup();
    if (!ctx.user) return ctx.answerCallbackQuery();
    const { checkIn, answer } = checkInAnswer.unpack(ctx.callbackQuery.data)!;
    const res = await checkIns.answer(ctx.user.id, checkIn, answer);
    if (!res.ok) return ctx.answerCallbackQuery({ text: ctx.t("check-in-stale") });
    await ctx.answerCallbackQuery();
    deps.metrics?.safety.checkIns.inc({ event: `answer_${res.answer}` });
    if (res.answer === "worse") {
      await ctx.reply(`${ctx.t("check-in-answer-worse")}\n\n${await sosText(await countryOf(ctx.user.id))}`, {
        reply_markup: menuKeyboard(t),
      });
    } else {
      await ctx.reply(ctx.t(`check-in-answer-${res.answer}`), { reply_markup: menuKeyboard(t) });
    }
  });

  /** The scheduler's check-ins: «Как ты сейчас?» once, with three answers. */
  async function sendCheckIns(due: readonly DueCheckIn[]): Promise<void> {
    for (const c of due) {
      const sent = await notifier.send(
        c.userId,
        t("check-in-ask"),
        new InlineKeyboard()
          .text(t("btn-check-in-better"), checkInAnswer.pack({ checkIn: c.id, answer: "better" }))
          .text(t("btn-check-in-same"), checkInAnswer.pack({ checkIn: c.id, answer: "same" }))
          .text(t("btn-check-in-worse"), checkInAnswer.pack({ checkIn: c.id, answer: "worse" })),
      );
      if (sent) deps.metrics?.safety.checkIns.inc({ event: "sent" });
    }
  }

  return {
    menu,
    feature,
    sosText,
    countryOf,
    supportInCrisis,
    crisisNoteToPeer,
    endForPersonInCrisis,
    sendCheckIns,
  };
}

export type CrisisFeature = ReturnType<typeof createCrisisFeature>;
