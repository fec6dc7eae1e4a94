import { InlineKeyboard } from "grammy";
import type { MessageOrigin } from "grammy/types";
import {
  type EvidenceOrigin,
  REPORT_COMMENT_MAX,
  REPORT_REASONS,
} from "../../../services/moderation/index.ts";
import { personKeys } from "../../../services/person-keys.ts";
import { reportDraft, reportReason } from "../../callbacks.ts";
import type { BotContext } from "../../context.ts";
import { pendingValue } from "../../pending.ts";

import type { Registered, SafetyFeatureDeps } from "./deps.ts";
import { DRAFT_TTL_MS, type ReportDraft } from "./deps.ts";

/** /report: a reason, then a comment and forwarded messages as evidence, then «Отправить». */
export function registerReports(deps: SafetyFeatureDeps, registered: Registered) {
  const { moderation, notifier, mods, kv, logger } = deps;

  const draftKey = personKeys.reportDraft;
  // Drafts are keyed by the Telegram id: read ahead with the update's claim (pending.ts).
  async function loadDraft(ctx: BotContext): Promise<ReportDraft | null> {
    const raw = await pendingValue(ctx, kv, draftKey(ctx.from!.id));
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

  const showEvidence = evidenceShower(mods);
  const draftButtons = (ctx: BotContext) =>
    new InlineKeyboard()
      .text(ctx.t("btn-report-send"), reportDraft.pack({ action: "send" }))
      .text(ctx.t("btn-report-cancel"), reportDraft.pack({ action: "cancel" }));
  const saveDraft = (ctx: BotContext, d: ReportDraft) =>
    kv.set(draftKey(ctx.from!.id), JSON.stringify(d), DRAFT_TTL_MS);

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
    // The next step is shown once the draft is kept; the button's answer does not wait for either.
    const nextStep = async () => {
      await saveDraft(ctx, { reason, sessionId: session, comment: "", evidence: [] });
      await ctx.reply(ctx.t("report-details"), { reply_markup: draftButtons(ctx) });
    };
    await Promise.all([ctx.editMessageReplyMarkup(), ctx.answerCallbackQuery(), nextStep()]);
  });

  registered.callbackQuery(reportDraft.pack({ action: "cancel" }), async (ctx) => {
    await kv.delete(draftKey(ctx.from!.id));
    await Promise.all([
      ctx.editMessageReplyMarkup(),
      ctx.answerCallbackQuery(),
      ctx.reply(ctx.t("report-cancelled")),
    ]);
  });

  registered.callbackQuery(reportDraft.pack({ action: "send" }), async (ctx) => {
    const me = ctx.user!;
    const draft = await loadDraft(ctx);
    if (!draft) {
      await Promise.all([
        ctx.editMessageReplyMarkup(),
        ctx.answerCallbackQuery({ text: ctx.t("stale-button") }),
      ]);
      return;
    }
    // The button's answer says nothing about the outcome (the reply does), so it need not wait for it.
    const [res] = await Promise.all([
      moderation.report({
        reporterId: me.id,
        reason: draft.reason,
        comment: draft.comment || null,
        sessionId: draft.sessionId,
      }),
      ctx.editMessageReplyMarkup(),
      ctx.answerCallbackQuery(),
    ]);
    if (!res.ok) {
      // What can be fixed by waiting or shortening keeps the draft and its evidence; the rest ends it.
      if (res.reason === "rate_limited" || res.reason === "comment_too_long") {
        return ctx.reply(ctx.t(`report-error-${res.reason}`), { reply_markup: draftButtons(ctx) });
      }
      await kv.delete(draftKey(ctx.from.id));
      return ctx.reply(ctx.t(`report-error-${res.reason}`));
    }
    // The moderators' posts keep their own order (alert, evidence, suspension) and are not awaited, like the
    // crisis alert: the moderators' chat takes 20 messages a minute, and a wave of reports must not hold the
    // reporters' updates behind it. The report itself is already stored (the console lists it).
    const toModerators = async () => {
      // Only ids and categories: these posts outlive the people's /delete (the console shows who, while they exist).
      await mods.post(
        "mod-alert-report",
        {
          reportId: res.reportId,
          reason: mods.t(`report-reason-${draft.reason}`),
          target: res.reportedUserId,
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
    };
    void toModerators().catch((err) => logger.error({ err }, "report alert failed"));
    await Promise.all([
      kv.delete(draftKey(ctx.from.id)),
      ctx.reply(ctx.t("report-thanks")),
      res.endedChat ? notifier.chatEndedQuietly(res, me.id) : null,
    ]);
  });

  // While a report is being written: text is the comment, forwarded messages are evidence. Runs before
  // the relay, so none of it reaches the peer.
  registered.on("message", async (ctx, next) => {
    const msg = ctx.message;
    if (msg.text?.startsWith("/")) return next();
    const draft = await loadDraft(ctx);
    if (!draft) return next();
    if (msg.forward_origin) {
      draft.evidence.push({ id: msg.message_id, origin: originOf(ctx, msg.forward_origin) });
      await saveDraft(ctx, draft);
      return ctx.reply(ctx.t("report-evidence-saved"));
    }
    if (msg.text !== undefined) {
      const comment = `${draft.comment}\n${msg.text}`.trim();
      // Refused before it is kept, so the draft and its evidence never get lost on sending.
      if ([...comment].length > REPORT_COMMENT_MAX) return ctx.reply(ctx.t("report-error-comment_too_long"));
      draft.comment = comment;
      await saveDraft(ctx, draft);
      return ctx.reply(ctx.t("report-comment-saved"));
    }
    return next();
  });
}

/**
 * Copies evidence from the reporter's chat into the moderators' chat, under a note saying who wrote
 * each piece. Returns how many were shown.
 */
export function evidenceShower(mods: SafetyFeatureDeps["mods"]) {
  return async function showEvidence(
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
  };
}
