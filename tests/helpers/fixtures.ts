import type { Services } from "../../src/services/index.ts";

let nextTg = 5_000_000;

/** A registered person with a complete profile, made through the profile service. */
export async function makePerson(
  services: Services,
  opts: { topics: string[]; nickname?: string; tz?: string; availLocal?: number; receiveProposals?: boolean },
): Promise<number> {
  const { profiles } = services;
  const tgId = nextTg++;
  const user = await profiles.acceptRules(tgId);
  const nick = await profiles.setNickname(
    user.id,
    opts.nickname ?? `Тихий Ёж ${String.fromCharCode(1072 + (tgId % 30))}`,
  );
  if (!nick.ok) throw new Error(`nickname refused: ${nick.reason}`);
  await profiles.setTimezone(user.id, opts.tz ?? "Europe/Moscow");
  const bySlug = new Map((await profiles.catalogue()).flatMap((g) => g.topics).map((t) => [t.slug, t.id]));
  const res = await profiles.setTopics(
    user.id,
    opts.topics.map((slug) => {
      const topicId = bySlug.get(slug);
      if (topicId === undefined) throw new Error(`no topic ${slug}`);
      return { topicId, weight: 2 };
    }),
  );
  if (!res.ok) throw new Error(`topics refused: ${res.reason}`);
  await profiles.setAvailability(user.id, opts.availLocal ?? 255);
  if (opts.receiveProposals) await profiles.setReceiveProposals(user.id, true);
  return user.id;
}

/**
 * Two new people with the same topics, matched and accepted through the matching service: an active
 * chat. Whoever else is searching must not share both topics, or the proposal may go to them.
 */
export async function startChat(
  services: Services,
  opts: { topics?: string[]; nicknames?: [string, string] } = {},
): Promise<{ a: number; b: number; sessionId: number }> {
  const topics = opts.topics ?? ["burnout", "anxiety"];
  const a = await makePerson(services, {
    topics,
    ...(opts.nicknames ? { nickname: opts.nicknames[0] } : {}),
  });
  const b = await makePerson(services, {
    topics,
    ...(opts.nicknames ? { nickname: opts.nicknames[1] } : {}),
  });
  await services.matching.requestSearch(a);
  await services.matching.requestSearch(b);
  const p = await services.matching.processSearch(b);
  if (!p) throw new Error("no proposal");
  await services.matching.decide(a, p.matchId, "accept");
  const started = await services.matching.decide(b, p.matchId, "accept");
  if (started.kind !== "started") throw new Error("chat did not start");
  return { a, b, sessionId: started.sessionId };
}
