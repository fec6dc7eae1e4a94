/**
 * When the bot may offer «💡 Подсказка» after the peer's message: rarely enough not to nag or to turn
 * the conversation into prompting, and never while the session carries a crisis flag (then the bot
 * shows crisis guidance and hotlines instead).
 */

export const DEFAULT_MIN_GAP = 3;

export interface OfferInput {
  /** The peer's messages since the last offer in this session; null when nothing was offered yet. */
  messagesSinceLastOffer: number | null;
  /** At least this many messages between two offers. Default 3. */
  minGap?: number;
  crisisFlagged: boolean;
}

export function shouldOffer({
  messagesSinceLastOffer,
  minGap = DEFAULT_MIN_GAP,
  crisisFlagged,
}: OfferInput): boolean {
  if (crisisFlagged) return false;
  if (messagesSinceLastOffer === null) return true;
  if (!Number.isFinite(messagesSinceLastOffer)) return messagesSinceLastOffer > 0;
  return messagesSinceLastOffer >= Math.max(1, minGap);
}
