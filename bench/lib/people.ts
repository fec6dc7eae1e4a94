import { sql } from "drizzle-orm";
import type { Db } from "../../src/db/client.ts";
import type { Services } from "../../src/services/index.ts";

/** A registered person with a complete profile (like tests/helpers/fixtures.ts makePerson), own tg id. */
export async function makeBenchPerson(
  services: Services,
  opts: { tgId: number; topicIds: number[]; nickname: string; tz?: string },
): Promise<number> {
  const { profiles } = services;
  const user = await profiles.acceptRules(opts.tgId);
  const nick = await profiles.setNickname(user.id, opts.nickname);
  if (!nick.ok) throw new Error(`nickname refused: ${nick.reason}`);
  await profiles.setTimezone(user.id, opts.tz ?? "Europe/Moscow");
  const res = await profiles.setTopics(
    user.id,
    opts.topicIds.map((topicId) => ({ topicId, weight: 2 })),
  );
  if (!res.ok) throw new Error(`topics refused: ${res.reason}`);
  await profiles.setAvailability(user.id, 255);
  return user.id;
}

/** Every 2-topic combination of the catalogue (27 topics → 351 pairs), as topic ids, in a fixed order. */
export async function topicPairs(services: Services): Promise<Array<[number, number]>> {
  const ids = (await services.profiles.catalogue()).flatMap((g) => g.topics).map((t) => t.id);
  const out: Array<[number, number]> = [];
  for (let i = 0; i < ids.length; i++) for (let j = i + 1; j < ids.length; j++) out.push([ids[i]!, ids[j]!]);
  return out;
}

/**
 * Pins these people to the «strict» matching variant (needs 2 shared topics), so that people with
 * different 2-topic pairs never match each other: each pair is then compatible only within itself.
 * `requestSearch` keeps an existing assignment (insert … on conflict do nothing).
 */
export async function pinStrictVariant(db: Db, userIds: number[]): Promise<void> {
  if (userIds.length === 0) return;
  await db.execute(sql`
    insert into experiment_assignments (user_id, experiment, variant)
    select unnest(${`{${userIds.join(",")}}`}::bigint[]), 'match_variant', 'strict'
    on conflict (user_id, experiment) do update set variant = 'strict'`);
}

/** Two people in an active chat, through the services (as tests/integration/chat/chats.test.ts does). */
export async function chatBetween(
  services: Services,
  a: number,
  b: number,
): Promise<{ a: number; b: number; sessionId: number }> {
  await services.matching.requestSearch(a);
  await services.matching.requestSearch(b);
  const p = await services.matching.processSearch(b);
  if (!p) throw new Error(`no proposal for ${a}/${b}`);
  const ids = [p.a.userId, p.b.userId].sort((x, y) => x - y);
  if (ids[0] !== Math.min(a, b) || ids[1] !== Math.max(a, b)) throw new Error("proposed to someone else");
  await services.matching.decide(a, p.matchId, "accept");
  const started = await services.matching.decide(b, p.matchId, "accept");
  if (started.kind !== "started") throw new Error(`chat not started: ${started.kind}`);
  return { a, b, sessionId: started.sessionId };
}
