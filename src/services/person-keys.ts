/**
 * Key-value entries that belong to one person, named in one place: the bot writes them, /delete erases
 * them. A report draft holds the person's comment; a custom tip amount and the over-limit notice are
 * small, but nothing of a person stays after they asked to be forgotten.
 */
export const personKeys = {
  // What a person's next message is for, keyed by their Telegram id: the bot reads these with the
  // update's claim, before it knows who the person is (bot/pending.ts).
  reportDraft: (tgId: number) => `report-draft:${tgId}`,
  appealDraft: (tgId: number) => `appeal-draft:${tgId}`,
  tipCustom: (tgId: number) => `tip-custom:${tgId}`,
  /** Messages relayed in the current window, which starts with the first (bot/relay-budget.ts). */
  relayCount: (tgId: number) => `relay-count:${tgId}`,
  relayLimited: (userId: number) => `limited:${userId}`,
  nudged: (sessionId: number, userId: number) => `nudged:${sessionId}:${userId}`,
  /** A person's message-id pairs of one conversation (their message → the peer's copy), one hash. */
  relayMap: (sessionId: number, userId: number) => `relay:${sessionId}:${userId}`,
  startPayload: (tgId: number) => `start-payload:${tgId}`,
  /** The welcome card of the current /start: only a press on it registers (24 h). */
  startCard: (tgId: number) => `start-card:${tgId}`,
};

/** Every entry /delete removes for this person. */
export function erasableKeys(userId: number, sessionIds: readonly number[], tgId: number | null): string[] {
  const keys = [
    personKeys.relayLimited(userId),
    ...sessionIds.flatMap((sid) => [personKeys.nudged(sid, userId), personKeys.relayMap(sid, userId)]),
  ];
  if (tgId !== null)
    keys.push(
      personKeys.reportDraft(tgId),
      personKeys.appealDraft(tgId),
      personKeys.tipCustom(tgId),
      personKeys.relayCount(tgId),
      personKeys.startPayload(tgId),
      personKeys.startCard(tgId),
    );
  return keys;
}
