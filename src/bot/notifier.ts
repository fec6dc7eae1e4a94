import type { I18n } from "@grammyjs/i18n";
import { type Api, GrammyError, InlineKeyboard, type Keyboard } from "grammy";
import { formatUtc } from "../domain/format-time.ts";
import { avatarFor } from "../domain/nickname.ts";
import type { Logger } from "../logger.ts";
import type { DecisionOutcome, ExpiredProposal, Proposal, ProposalSide } from "../services/matching/index.ts";
import type { ActResult, DecideAppealResult } from "../services/moderation/index.ts";
import type { ProfileService } from "../services/profile.ts";
import { proposalAnswer } from "./callbacks.ts";
import type { BotContext } from "./context.ts";
import { menuKeyboard } from "./keyboards/menu.ts";

/**
 * Messages the bot sends on its own initiative (from the worker or after someone else's action):
 * proposals, chat start, declines, expiries. Rendering stays in the bot layer; services only decide.
 */
export function createNotifier(deps: {
  api: Api;
  i18n: I18n<BotContext>;
  profiles: ProfileService;
  logger: Logger;
  pseudonymize: (id: number) => string;
  /** A chat ended outside the relay: drop what is kept about it elsewhere (the AI coach's context). */
  onChatEnded?: (sessionId: number) => Promise<void>;
}) {
  const { api, i18n, profiles, logger } = deps;
  const t = (key: string, vars?: Record<string, string | number>) => i18n.t("ru", key, vars);

  async function tgIdOf(userId: number): Promise<number | null> {
    return (await profiles.findById(userId))?.tgId ?? null;
  }

  /**
   * Sends to a person and says what happened: sent, no chat (erased), or blocked (Telegram's 403,
   * logged with a pseudonym). Other errors throw.
   */
  async function deliver(
    userId: number,
    text: string,
    keyboard?: InlineKeyboard | Keyboard,
  ): Promise<"sent" | "no_chat" | "blocked"> {
    const tgId = await tgIdOf(userId);
    if (tgId === null) return "no_chat";
    try {
      await api.sendMessage(tgId, text, keyboard ? { reply_markup: keyboard } : {});
      return "sent";
    } catch (err) {
      if (err instanceof GrammyError && err.error_code === 403) {
        logger.info({ actor: deps.pseudonymize(tgId) }, "person unreachable (blocked the bot)");
        return "blocked";
      }
      throw err;
    }
  }

  /** Sends to a person; a person who blocked the bot (403) is logged, never crashes the caller. */
  async function send(userId: number, text: string, keyboard?: InlineKeyboard | Keyboard): Promise<boolean> {
    return (await deliver(userId, text, keyboard)) === "sent";
  }

  /**
   * A chat ended by a report, a block, an erase or a moderator: the others learn only that it ended,
   * and what is kept about it elsewhere (the AI coach's context) is dropped.
   */
  async function chatEndedQuietly(
    ended: { sessionId: number; participants: Array<{ userId: number }> },
    exceptUserId: number,
  ): Promise<void> {
    await deps.onChatEnded?.(ended.sessionId);
    for (const p of ended.participants) {
      if (p.userId !== exceptUserId) await send(p.userId, t("chat-ended-quietly"));
    }
  }

  /** The other side of proposals taken back (a ban, an erase): their proposal card is stale now. */
  async function proposalsWithdrawn(withdrawn: Array<{ otherUserId: number }>): Promise<void> {
    for (const w of withdrawn) await send(w.otherUserId, t("proposal-declined-closed"));
  }

  async function proposalText(side: ProposalSide): Promise<string> {
    const titles = await profiles.topicTitles();
    return t("proposal", {
      avatar: avatarFor(side.peer.nickname),
      nickname: side.peer.nickname,
      topics: side.peer.sharedTopicIds
        .map((id) => titles.get(id) ?? "")
        .filter(Boolean)
        .join(", "),
      // No bio, no line: an empty field says nothing.
      about: side.peer.bio ? `\n${t("proposal-about", { bio: side.peer.bio })}` : "",
      related: side.peer.topicsRelated ? "yes" : "no",
    });
  }

  return {
    /** Both people at once: neither waits for the other's delivery. */
    async proposal(p: Proposal): Promise<void> {
      const kb = new InlineKeyboard()
        .text(t("btn-accept"), proposalAnswer.pack({ answer: "a", match: p.matchId }))
        .text(t("btn-decline"), proposalAnswer.pack({ answer: "d", match: p.matchId }));
      const sent = await Promise.allSettled(
        [p.a, p.b].map(async (side) => send(side.userId, await proposalText(side), kb)),
      );
      const failed = sent.find((r) => r.status === "rejected");
      if (failed) throw failed.reason;
    },

    async decision(outcome: DecisionOutcome): Promise<void> {
      if (outcome.kind === "started") {
        const [a, b] = outcome.userIds;
        // Both at once, like the proposal: neither waits behind the other's pacing.
        const told = await Promise.allSettled(
          [
            [a, b],
            [b, a],
          ].map(async ([me, other]) => {
            // A profile step left open would take the chat's first words as its answer: it ends here.
            await profiles.clearFlow(me!);
            const peer = await profiles.findById(other!);
            const nickname = peer?.nickname ?? "";
            // The menu with «🆘 Помощь» comes with every chat, so help is one tap away in it.
            await send(me!, t("chat-started", { avatar: avatarFor(nickname), nickname }), menuKeyboard(t));
          }),
        );
        const failed = told.find((r) => r.status === "rejected");
        if (failed) throw failed.reason;
      } else if (outcome.kind === "declined") {
        await send(
          outcome.other,
          t(outcome.otherRequeued ? "proposal-declined-by-peer" : "proposal-declined-closed"),
        );
      }
    },

    async expired(e: ExpiredProposal): Promise<void> {
      for (const uid of e.requeued) await send(uid, t("proposal-expired-requeued"));
      for (const uid of e.dropped) await send(uid, t("proposal-expired-dropped"));
    },

    async searchExpired(userId: number): Promise<void> {
      await send(userId, t("search-expired"));
    },

    /** A refund made by an operator: both people are told. */
    async refunded(r: {
      tip: { amount: number };
      payerUserId: number | null;
      recipientUserId: number | null;
    }) {
      if (r.payerUserId !== null)
        await send(r.payerUserId, t("tips-refunded-payer", { amount: r.tip.amount }));
      if (r.recipientUserId !== null) await send(r.recipientUserId, t("tips-refunded-peer"));
    },

    /**
     * After a moderator's decision, from the moderators' chat or the admin API alike: the peer of a
     * chat it ended and the other side of a proposal it withdrew learn only that it ended; the
     * person learns what was decided.
     */
    async moderated(res: Extract<ActResult, { ok: true }>): Promise<void> {
      if (res.endedChat) await chatEndedQuietly(res.endedChat, res.targetUserId);
      await proposalsWithdrawn(res.withdrawnProposals);
      const notice =
        res.action === "warn"
          ? t("to-user-warned")
          : res.action === "suspend"
            ? t("to-user-suspended", { until: res.until ? formatUtc(res.until) : "—" })
            : res.action === "ban"
              ? t("to-user-banned")
              : res.action === "unban" || res.action === "unsuspend" || res.liftedSuspension
                ? t("to-user-restored")
                : null;
      if (notice) await send(res.targetUserId, notice);
    },

    chatEndedQuietly,
    proposalsWithdrawn,

    async appealDecided(res: Extract<DecideAppealResult, { ok: true }>): Promise<void> {
      await send(res.userId, t(res.granted ? "appeal-granted" : "appeal-rejected"));
    },

    send,
    deliver,
    t,
  };
}

export type Notifier = ReturnType<typeof createNotifier>;
