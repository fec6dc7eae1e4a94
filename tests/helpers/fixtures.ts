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
 * An active chat, made through the matching service: both search, are proposed to each other and
 * accept. Between the two people in `between`, or else between two new people sharing `topics`;
 * whoever else is searching must not share both topics, or the proposal may go to them (it throws).
 */
export async function startChat(
  services: Services,
  opts: { between?: [number, number]; topics?: string[]; nicknames?: [string, string] } = {},
): Promise<{ a: number; b: number; sessionId: number }> {
  const topics = opts.topics ?? ["burnout", "anxiety"];
  const nickname = (i: 0 | 1) => (opts.nicknames ? { nickname: opts.nicknames[i] } : {});
  const [a, b] = opts.between ?? [
    await makePerson(services, { topics, ...nickname(0) }),
    await makePerson(services, { topics, ...nickname(1) }),
  ];
  const searchA = await services.matching.requestSearch(a);
  const searchB = await services.matching.requestSearch(b);
  if (!searchA.ok || !searchB.ok) throw new Error(`search refused: ${JSON.stringify([searchA, searchB])}`);
  const p = await services.matching.processSearch(b);
  if (!p) throw new Error("no proposal");
  const pair = [p.a.userId, p.b.userId].sort();
  if (pair.join() !== [a, b].sort().join()) throw new Error(`proposed ${pair} instead of ${[a, b]}`);
  await services.matching.decide(a, p.matchId, "accept");
  const started = await services.matching.decide(b, p.matchId, "accept");
  if (started.kind !== "started") throw new Error(`chat did not start: ${started.kind}`);
  return { a, b, sessionId: started.sessionId };
}
