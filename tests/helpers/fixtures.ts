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
