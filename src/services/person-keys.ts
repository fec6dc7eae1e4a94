/**
 * Key-value entries that belong to one person, named in one place: the bot writes them, /delete erases
 * them. A report draft holds the person's comment; a custom tip amount and the over-limit notice are
 * small, but nothing of a person stays after they asked to be forgotten.
 */
export const personKeys = {
  reportDraft: (userId: number) => `report-draft:${userId}`,
  appealDraft: (userId: number) => `appeal-draft:${userId}`,
  tipCustom: (userId: number) => `tip-custom:${userId}`,
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
    personKeys.reportDraft(userId),
    personKeys.appealDraft(userId),
    personKeys.tipCustom(userId),
    personKeys.relayLimited(userId),
    ...sessionIds.flatMap((sid) => [personKeys.nudged(sid, userId), personKeys.relayMap(sid, userId)]),
  ];
  if (tgId !== null) keys.push(personKeys.startPayload(tgId), personKeys.startCard(tgId));
  return keys;
}
