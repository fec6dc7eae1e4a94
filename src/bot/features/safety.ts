import { Composer, InlineKeyboard, InputFile } from "grammy";
import type { MessageOrigin } from "grammy/types";
import type { Clock } from "../../clock.ts";
import { classifyMessage } from "../../domain/safety/index.ts";
import type { KeyValue } from "../../infra/ports.ts";
import type { Logger } from "../../logger.ts";
import type { ActiveChat, ChatService } from "../../services/chats.ts";
import type { CrisisContext } from "../../services/crisis-context.ts";
import {
  type EvidenceOrigin,
  type ModerationService,
  REPORT_COMMENT_MAX,
  REPORT_REASONS,
} from "../../services/moderation/index.ts";
import { personKeys } from "../../services/person-keys.ts";
import type { PrivacyService } from "../../services/privacy/index.ts";
import type { ProfileService } from "../../services/profile.ts";
import type { SafetyTier } from "../../services/safety-tier.ts";
import {
  blockAnswer,
  deleteAnswer,
  modAction,
  modEvidence,
  modText,
  reportDraft,
  reportReason,
  sosButton,
} from "../callbacks.ts";
import type { BotContext } from "../context.ts";
import type { ModeratorAlerts } from "../moderators.ts";
import { formatUtc, type Notifier } from "../notifier.ts";
import type { ScreenResult } from "./chat.ts";
import type { CrisisFeature } from "./crisis.ts";

const DRAFT_TTL_MS = 30 * 60 * 1000;
const TOXIC_LABELS = new Set(["insult", "obscene", "harassment", "sexual_demand", "threat", "hate"]);

interface ReportDraft {
  reason: string;
  sessionId: number;
  comment: string;
  /** Messages forwarded to the bot while reporting, with who wrote them as the forward tells. */
  evidence: Array<{ id: number; origin: EvidenceOrigin }>;
}

export interface SafetyFeatureDeps {
  moderation: ModerationService;
  crisis: CrisisFeature;
  crisisContext: CrisisContext;
  safetyTier: SafetyTier;
  privacy: PrivacyService;
  profiles: ProfileService;
  chats: ChatService;
  notifier: Notifier;
  mods: ModeratorAlerts;
  kv: KeyValue;
  clock: Clock;
  logger: Logger;
  pseudonymize: (id: number) => string;
  /** Called when a person's data is erased, to drop conversation context kept elsewhere (AI coach). */
  onErase?: (userId: number, sessionId: number | null) => Promise<void>;
}

/**
 * Safety and privacy: /report (with forwarded evidence for moderators), /block, the toxicity
 * and crisis screens on relayed text, moderator actions from the moderators' chat, /appeal,
 * /delete and /export.
 */
export function createSafetyFeature(deps: SafetyFeatureDeps) {
  const { moderation, privacy, profiles, chats, notifier, mods, kv, logger, crisisContext, safetyTier } =
    deps;
  const journey = deps.crisis;
  const feature = new Composer<BotContext>();
  const registered = feature.filter((ctx) => ctx.user !== null);

  // ---------------------------------------------------------------- reports

  const draftKey = personKeys.reportDraft;
  async function loadDraft(userId: number): Promise<ReportDraft | null> {
    const raw = await kv.get(draftKey(userId));
    if (!raw) return null;
    const draft = JSON.parse(raw) as ReportDraft;
    // Drafts kept before origins were recorded hold bare message ids.
    draft.evidence = draft.evidence.map((e) =>
      typeof e === "number" ? { id: e, origin: "conversation" as const } : e,
    );
    return draft;
  }

  /** Who wrote a forwarded message: the bot's copy of the conversation, the reporter, or someone elsewhere. */
  function originOf(ctx: BotContext, origin: MessageOrigin): EvidenceOrigin {
    if (origin.type !== "user") return "elsewhere";
    if (origin.sender_user.id === ctx.me.id) return "conversation";
    return origin.sender_user.id === ctx.from?.id ? "self" : "elsewhere";
  }

  /**
   * Copies evidence from the reporter's chat into the moderators' chat, under a note saying who
   * wrote each piece. Returns how many were shown.
   */
  async function showEvidence(
    reportId: number,
    reporterTgId: number,
    items: Array<{
      sourceMessageId: number;
      origin: EvidenceOrigin;
      store: (copyId: number) => Promise<unknown>;
    }>,
  ): Promise<number> {
    if (items.length === 0 || mods.chatId === null) return 0;
    const list = items.map((e, i) => `${i + 1}. ${mods.t(`evidence-origin-${e.origin}`)}`).join("\n");
    await mods.post("mod-note-evidence", { reportId, list });
    let shown = 0;
    for (const e of items) {
      const copyId = await mods.copyEvidence(reporterTgId, e.sourceMessageId);
      if (copyId === null) continue;
      await e.store(copyId);
      shown++;
    }
    return shown;
  }
  const saveDraft = (userId: number, d: ReportDraft) =>
    kv.set(draftKey(userId), JSON.stringify(d), DRAFT_TTL_MS);

  registered.command("report", async (ctx) => {
    const target = await moderation.reportable(ctx.user!.id);
    if (!target) return ctx.reply(ctx.t("report-no-peer"));
    const kb = new InlineKeyboard();
    for (const r of REPORT_REASONS)
      kb.text(ctx.t(`report-reason-${r}`), reportReason.pack({ session: target.sessionId, reason: r })).row();
    kb.text(ctx.t("btn-report-cancel"), reportDraft.pack({ action: "cancel" }));
    await ctx.reply(ctx.t("report-choose-reason"), { reply_markup: kb });
  });

  registered.callbackQuery(reportReason.filter, async (ctx) => {
    const { session, reason } = reportReason.unpack(ctx.callbackQuery.data)!;
    await saveDraft(ctx.user!.id, {
      reason,
      sessionId: session,
      comment: "",
      evidence: [],
    });
    await ctx.editMessageReplyMarkup();
    await ctx.reply(ctx.t("report-details"), {
      reply_markup: new InlineKeyboard()
        .text(ctx.t("btn-report-send"), reportDraft.pack({ action: "send" }))
        .text(ctx.t("btn-report-cancel"), reportDraft.pack({ action: "cancel" })),
    });
    await ctx.answerCallbackQuery();
  });

  registered.callbackQuery(reportDraft.pack({ action: "cancel" }), async (ctx) => {
    await kv.delete(draftKey(ctx.user!.id));
    await ctx.editMessageReplyMarkup();
    await ctx.reply(ctx.t("report-cancelled"));
    await ctx.answerCallbackQuery();
  });

  registered.callbackQuery(reportDraft.pack({ action: "send" }), async (ctx) => {
    const me = ctx.user!;
    const draft = await loadDraft(me.id);
    await ctx.editMessageReplyMarkup();
    if (!draft) {
      await ctx.answerCallbackQuery({ text: ctx.t("stale-button") });
      return;
    }
    const res = await moderation.report({
      reporterId: me.id,
      reason: draft.reason,
      comment: draft.comment || null,
      sessionId: draft.sessionId,
    });
    await ctx.answerCallbackQuery();
    if (!res.ok) {
      // What can be fixed by waiting or shortening keeps the draft and its evidence; the rest ends it.
      if (res.reason === "rate_limited" || res.reason === "comment_too_long") {
        return ctx.reply(ctx.t(`report-error-${res.reason}`), {
          reply_markup: new InlineKeyboard()
            .text(ctx.t("btn-report-send"), reportDraft.pack({ action: "send" }))
            .text(ctx.t("btn-report-cancel"), reportDraft.pack({ action: "cancel" })),
        });
      }
      await kv.delete(draftKey(me.id));
      return ctx.reply(ctx.t(`report-error-${res.reason}`));
    }
    await kv.delete(draftKey(me.id));
    await ctx.reply(ctx.t("report-thanks"));
    if (res.endedChat) await notifier.chatEndedQuietly(res, me.id);
    const target = await profiles.findById(res.reportedUserId);
    await mods.post(
      "mod-alert-report",
      {
        reportId: res.reportId,
        reason: mods.t(`report-reason-${draft.reason}`),
        target: res.reportedUserId,
        nickname: target?.nickname ?? "—",
        from: me.id,
        comment: draft.comment ? "yes" : "no",
      },
      mods.reportActions(res.reportId),
    );
    if (ctx.chat) {
      await showEvidence(
        res.reportId,
        ctx.chat.id,
        draft.evidence.map((e) => ({
          sourceMessageId: e.id,
          origin: e.origin,
          store: (copyId: number) =>
            moderation.attachEvidence(res.reportId, me.id, copyId, {
              sourceMessageId: e.id,
              origin: e.origin,
            }),
        })),
      );
    }
    if (res.suspended) {
      await mods.post(
        "mod-alert-suspended",
        { target: res.reportedUserId, count: moderation.reportThreshold },
        mods.userActions(res.reportedUserId),
      );
    }
  });

  // While a report is being written: text is the comment, forwarded messages are evidence. Runs before
  // the relay, so none of it reaches the peer.
  registered.on("message", async (ctx, next) => {
    const msg = ctx.message;
    if (msg.text?.startsWith("/")) return next();
    const draft = await loadDraft(ctx.user!.id);
    if (!draft) return next();
    if (msg.forward_origin) {
      draft.evidence.push({ id: msg.message_id, origin: originOf(ctx, msg.forward_origin) });
      await saveDraft(ctx.user!.id, draft);
      return ctx.reply(ctx.t("report-evidence-saved"));
    }
    if (msg.text !== undefined) {
      const comment = `${draft.comment}\n${msg.text}`.trim();
      // Refused before it is kept, so the draft and its evidence never get lost on sending.
      if ([...comment].length > REPORT_COMMENT_MAX) return ctx.reply(ctx.t("report-error-comment_too_long"));
      draft.comment = comment;
      await saveDraft(ctx.user!.id, draft);
      return ctx.reply(ctx.t("report-comment-saved"));
    }
    return next();
  });

  // ---------------------------------------------------------------- block

  registered.command("block", async (ctx) => {
    if (!(await chats.activeChat(ctx.user!.id))) return ctx.reply(ctx.t("block-no-peer"));
    await ctx.reply(ctx.t("block-confirm"), {
      reply_markup: new InlineKeyboard()
        .text(ctx.t("btn-block-yes"), blockAnswer.pack({ answer: "yes" }))
        .text(ctx.t("btn-block-no"), blockAnswer.pack({ answer: "no" })),
    });
  });
  registered.callbackQuery(blockAnswer.pack({ answer: "no" }), async (ctx) => {
    await ctx.editMessageReplyMarkup();
    await ctx.answerCallbackQuery({ text: ctx.t("end-kept") });
  });
  registered.callbackQuery(blockAnswer.pack({ answer: "yes" }), async (ctx) => {
    const res = await moderation.block(ctx.user!.id);
    await ctx.editMessageReplyMarkup();
    await ctx.answerCallbackQuery();
    if (!res.ok) return ctx.reply(ctx.t("block-no-peer"));
    await ctx.reply(ctx.t("block-done"));
    if (res.endedChat) await notifier.chatEndedQuietly(res, ctx.user!.id);
  });

  // ---------------------------------------------------------------- screens on relayed text

  /**
   * Every text that arrives in a chat (message, caption, edit) passes here before it is relayed
   * (after the rate limit). Signs of crisis — in the message, or in it read with the writer's earlier
   * messages — always bring support to the writer and a note to the peer, but do not exempt the text
   * from a mute or the toxicity screen: a message that is both crisis and abuse is not delivered.
   * An uncertain score may get the optional model tier's second opinion, after delivery.
   */
  async function screen(ctx: BotContext, chat: ActiveChat, text: string | undefined): Promise<ScreenResult> {
    if (!text) return { deliver: true, crisis: false };
    const verdict = classifyMessage(text);
    const relative = verdict.crisisScore / Math.max(1e-6, verdict.crisisThreshold);
    const escalated = await crisisContext.observe(chat.sessionId, chat.userId, {
      r: relative,
      c: verdict.crisisCues,
      x: verdict.crisis,
    });
    const crisis = verdict.crisis || escalated;
    if (crisis) await journey.supportInCrisis(chat, verdict, verdict.crisis ? "message" : "context");
    else if (safetyTier.isUncertain(relative, false)) {
      // Never awaited: the second opinion arrives after the message went through.
      void safetyTier
        .ask(text)
        .then(async (opinion) => {
          if (opinion !== "crisis") return;
          await journey.supportInCrisis(chat, verdict, "model");
          await journey.crisisNoteToPeer(chat);
        })
        .catch((err) => logger.error({ err }, "second opinion follow-up failed"));
    }
    const now = deps.clock.now();
    const me = await profiles.findById(chat.userId);
    if (me?.mutedUntil && me.mutedUntil > now) {
      await ctx.reply(ctx.t("muted-now", { until: formatUtc(me.mutedUntil) }));
      return { deliver: false, crisis };
    }
    if (!verdict.toxic) return { deliver: true, crisis };
    const strike = await moderation.recordToxicStrike(chat.userId, {
      sessionId: chat.sessionId,
      labels: verdict.labels.filter((l) => TOXIC_LABELS.has(l)),
      severity: verdict.toxicSeverity,
    });
    const label = verdict.labels.find((l) => TOXIC_LABELS.has(l) && l !== "obscene") ?? "insult";
    await ctx.reply(ctx.t("toxic-withheld", { what: ctx.t(`toxic-what-${label}`) }), {
      reply_markup: new InlineKeyboard().text(ctx.t("btn-sos"), sosButton.pack({})),
    });
    if (strike.muted && strike.until)
      await ctx.reply(ctx.t("toxic-muted", { until: formatUtc(strike.until) }));
    if (strike.alertModerators) {
      await mods.post(
        "mod-alert-toxic",
        {
          target: chat.userId,
          nickname: me?.nickname ?? "—",
          until: strike.until ? formatUtc(strike.until) : "—",
          labels: verdict.labels.filter((l) => TOXIC_LABELS.has(l)).join(", "),
        },
        mods.userActions(chat.userId),
      );
    }
    logger.info({ actor: ctx.actor, labels: verdict.labels }, "toxic message withheld");
    return { deliver: false, crisis };
  }

  // ---------------------------------------------------------------- appeals

  const appealKey = personKeys.appealDraft;
  registered.command("appeal", async (ctx) => {
    const status = ctx.user!.status;
    if (status !== "banned" && status !== "suspended") return ctx.reply(ctx.t("appeal-not-needed"));
    await kv.set(appealKey(ctx.user!.id), "1", DRAFT_TTL_MS);
    await ctx.reply(ctx.t("appeal-prompt"));
  });
  registered.on("message:text", async (ctx, next) => {
    if (ctx.message.text.startsWith("/")) return next();
    if ((await kv.get(appealKey(ctx.user!.id))) === null) return next();
    const res = await moderation.appeal(ctx.user!.id, ctx.message.text);
    if (!res.ok) {
      if (res.reason !== "text_too_long" && res.reason !== "empty_text")
        await kv.delete(appealKey(ctx.user!.id));
      return ctx.reply(ctx.t(`appeal-error-${res.reason}`));
    }
    await kv.delete(appealKey(ctx.user!.id));
    await ctx.reply(ctx.t("appeal-sent"));
    await mods.post(
      "mod-alert-appeal",
      {
        appealId: res.appealId,
        target: ctx.user!.id,
      },
      mods.appealActions(res.appealId),
    );
  });

  // ---------------------------------------------------------------- privacy

  registered.command("delete", async (ctx) => {
    await ctx.reply(ctx.t("delete-confirm"), {
      reply_markup: new InlineKeyboard()
        .text(ctx.t("btn-delete-yes"), deleteAnswer.pack({ answer: "yes" }))
        .text(ctx.t("btn-delete-no"), deleteAnswer.pack({ answer: "no" })),
    });
  });
  registered.callbackQuery(deleteAnswer.pack({ answer: "no" }), async (ctx) => {
    await ctx.editMessageReplyMarkup();
    await ctx.reply(ctx.t("delete-kept"));
    await ctx.answerCallbackQuery();
  });
  registered.callbackQuery(deleteAnswer.pack({ answer: "yes" }), async (ctx) => {
    const me = ctx.user!;
    const active = await chats.activeChat(me.id);
    const res = await privacy.erase(me.id);
    await ctx.editMessageReplyMarkup();
    await ctx.answerCallbackQuery();
    if (!res.ok) return;
    await deps.onErase?.(me.id, active?.sessionId ?? null);
    if (res.endedChat) await notifier.chatEndedQuietly(res.endedChat, me.id);
    await notifier.proposalsWithdrawn(res.withdrawnProposals);
    ctx.user = null;
    await ctx.reply(ctx.t("delete-done"));
  });

  registered.command("export", async (ctx) => {
    const data = await privacy.export(ctx.user!.id);
    const file = new InputFile(Buffer.from(JSON.stringify(data, null, 2), "utf8"), "ty-ne-odin-my-data.json");
    await ctx.replyWithDocument(file, { caption: ctx.t("export-caption") });
  });

  // ---------------------------------------------------------------- moderators' chat

  const modChat = new Composer<BotContext>();
  // Copies come down after 47 h (Telegram's 48 h limit on deleting); a moderator can bring them back
  // while the report keeps its evidence (until 30 days after it closes).
  modChat.callbackQuery(modEvidence.filter, async (ctx) => {
    if (mods.chatId === null || ctx.chat?.id !== mods.chatId) {
      await ctx.answerCallbackQuery({ text: "—" });
      return;
    }
    const reportId = modEvidence.unpack(ctx.callbackQuery.data)!.report;
    const { reporterTgId, items } = await moderation.evidenceSources(reportId);
    const hidden = items.filter((e) => !e.shown);
    if (reporterTgId === null || items.length === 0) {
      await ctx.answerCallbackQuery({ text: mods.t("mod-evidence-none"), show_alert: true });
      return;
    }
    if (hidden.length === 0) {
      await ctx.answerCallbackQuery({ text: mods.t("mod-evidence-already") });
      return;
    }
    const shown = await showEvidence(
      reportId,
      reporterTgId,
      hidden.map((e) => ({
        sourceMessageId: e.sourceMessageId,
        origin: e.origin,
        store: (copyId: number) => moderation.markEvidenceShown(e.id, copyId),
      })),
    );
    await ctx.answerCallbackQuery({ text: mods.t("mod-evidence-shown", { count: shown }) });
  });
  // A person's own words reach a moderator as a pop-up on request, never as a post that outlives them.
  modChat.callbackQuery(modText.filter, async (ctx) => {
    if (mods.chatId === null || ctx.chat?.id !== mods.chatId) {
      await ctx.answerCallbackQuery({ text: "—" });
      return;
    }
    const { kind, target } = modText.unpack(ctx.callbackQuery.data)!;
    const text = await moderation.writtenText(kind === "r" ? "report" : "appeal", target);
    const shown = text ? (text.length > 190 ? `${text.slice(0, 190)}…` : text) : mods.t("mod-text-none");
    await ctx.answerCallbackQuery({ text: shown, show_alert: true });
  });
  modChat.callbackQuery(modAction.filter, async (ctx) => {
    if (mods.chatId === null || ctx.chat?.id !== mods.chatId) {
      await ctx.answerCallbackQuery({ text: "—" });
      return;
    }
    const { action, kind, target: id } = modAction.unpack(ctx.callbackQuery.data)!;
    const actor = deps.pseudonymize(ctx.from.id);
    if (kind === "a") {
      const res = await moderation.decideAppeal(id, { actor, grant: action === "grant" });
      if (!res.ok)
        return void (await ctx.answerCallbackQuery({ text: mods.t("mod-error", { reason: res.reason }) }));
      await notifier.appealDecided(res);
    } else {
      let targetUserId = id;
      let reportId: number | null = null;
      if (kind === "r") {
        const report = await moderation.getReport(id);
        if (!report)
          return void (await ctx.answerCallbackQuery({
            text: mods.t("mod-error", { reason: "not_found" }),
          }));
        targetUserId = report.toUser;
        reportId = report.id;
      }
      const res = await moderation.act({ actor, targetUserId, action: action ?? "", reportId });
      if (!res.ok)
        return void (await ctx.answerCallbackQuery({ text: mods.t("mod-error", { reason: res.reason }) }));
      await notifier.moderated(res);
    }
    await ctx.editMessageReplyMarkup();
    await ctx.answerCallbackQuery({ text: mods.t("mod-done", { action: action ?? "" }) });
  });

  return { feature, modChat, screen };
}

export type SafetyFeature = ReturnType<typeof createSafetyFeature>;
