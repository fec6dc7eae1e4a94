import { and, eq, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { preferences, users } from "../../db/schema.ts";
import { type CandidateData, isReachableNow, type Seeker } from "../../domain/matching/candidate.ts";
import { helpfulness } from "../../domain/matching/score.ts";
import {
  createTopicSpace,
  type SeekerTopics,
  seekerTopics,
  type TopicSpace,
} from "../../domain/matching/topics.ts";
import { WEEK_MASK_WORDS, writeWeekMask } from "../../domain/matching/week-mask.ts";

/**
 * The SQL side of matching: reads facts (who, topics, windows, ratings) and applies the exclusions
 * that the database knows best (status, engagements, cooldowns in both directions). Scoring happens
 * in domain/matching on the facts, for both finders.
 */

type Row = Record<string, unknown>;

export async function rows<T extends object>(db: Db, query: SQL): Promise<T[]> {
  const res = (await db.execute(query)) as unknown as { rows: T[] };
  return res.rows;
}

export async function loadTopicSpace(db: Db): Promise<TopicSpace> {
  const list = await rows<{ id: number; group_slug: string }>(db, sql`select id, group_slug from topics`);
  return createTopicSpace(list.map((r) => ({ id: Number(r.id), groupSlug: r.group_slug })));
}

/** A bigint[] literal: portable across node-postgres and PGlite parameter handling. */
export function idArray(ids: Iterable<number>): string {
  return `{${[...ids].join(",")}}`;
}

/** "12:3,7:1" (topic_id:weight pairs, as aggregated by the queries below) into weights by topic index. */
export function writeTopicWeights(
  space: TopicSpace,
  text: string | null,
  out: Uint8Array,
  offset: number,
): void {
  out.fill(0, offset, offset + space.size);
  if (!text) return;
  for (const pair of text.split(",")) {
    const colon = pair.indexOf(":");
    const i = space.indexOf.get(Number(pair.slice(0, colon)));
    if (i !== undefined) out[offset + i] = Number(pair.slice(colon + 1));
  }
}

const TOPICS_OF = (userIdColumn: SQL) =>
  sql`(select string_agg(ut.topic_id::text || ':' || ut.weight::text, ',') from user_topics ut where ut.user_id = ${userIdColumn})`;

export interface SeekerWithCooldowns {
  seeker: Seeker;
  /** People with a cooldown with the seeker in either direction (until > now). */
  cooldownIds: Set<number>;
}

/**
 * The two per-search queries are prepared statements: at these sizes planning costs more than
 * executing, and a search runs them once each. One set per database handle.
 */
function preparedFor(db: Db): Prepared {
  let p = prepared.get(db);
  if (!p) {
    p = buildPrepared(db);
    prepared.set(db, p);
  }
  return p;
}

function buildPrepared(db: Db) {
  const at = sql`${sql.placeholder("now")}::timestamptz`;
  const me = sql`${sql.placeholder("me")}::bigint`;
  const seeker = db
    .select({
      avail: sql<string | null>`${preferences.availUtc}::text`,
      topics: sql<string | null>`${TOPICS_OF(sql`${users.id}`)}`,
      cooldowns: sql<string | null>`(select string_agg(x::text, ',') from (
             select rc.other_id as x from recent_contacts rc where rc.user_id = ${users.id} and rc.until > ${at}
             union
             select rc.user_id from recent_contacts rc where rc.other_id = ${users.id} and rc.until > ${at}
           ) c)`,
    })
    .from(users)
    .leftJoin(preferences, eq(preferences.userId, users.id))
    .where(eq(users.id, me))
    .prepare("matching_seeker_v1");
  const factsByIds = db
    .select({
      id: users.id,
      rating_sum: users.ratingSum,
      rating_count: users.ratingCount,
      receive_proposals: users.receiveProposals,
      searching: sql<boolean>`exists (select 1 from match_queue q where q.user_id = ${users.id} and q.expires_at > ${at})`,
      avail: sql<string | null>`${preferences.availUtc}::text`,
      topics: sql<string | null>`${TOPICS_OF(sql`${users.id}`)}`,
    })
    .from(users)
    .leftJoin(preferences, eq(preferences.userId, users.id))
    .where(
      and(
        sql`${users.id} = any(${sql.placeholder("ids")}::bigint[])`,
        sql`${users.id} <> ${me}`,
        proposable(
          {
            id: sql`${users.id}`,
            status: sql`${users.status}`,
            tgId: sql`${users.tgId}`,
            safetyAck: sql`${users.safetyAck}`,
          },
          me,
          at,
        ),
      ),
    )
    .prepare("matching_facts_by_ids_v1");
  return { seeker, factsByIds };
}
type Prepared = ReturnType<typeof buildPrepared>;
const prepared = new WeakMap<Db, Prepared>();

/** What the database rules out: not active, unreachable, rules not accepted, engaged, cooldown either way. */
function proposable(u: { id: SQL; status: SQL; tgId: SQL; safetyAck: SQL }, me: SQL, at: SQL): SQL {
  return sql`${u.status} = 'active' and ${u.tgId} is not null and ${u.safetyAck}
          and not exists (select 1 from engagements e where e.user_id = ${u.id})
          and not exists (select 1 from recent_contacts rc where rc.user_id = ${me} and rc.other_id = ${u.id} and rc.until > ${at})
          and not exists (select 1 from recent_contacts rc where rc.user_id = ${u.id} and rc.other_id = ${me} and rc.until > ${at})`;
}

/** The seeker's profile and cooldowns in one round trip; null if there is no such user. */
export async function loadSeeker(
  db: Db,
  space: TopicSpace,
  userId: number,
  minWeight: number,
  now: Date,
): Promise<SeekerWithCooldowns | null> {
  const [row] = (await preparedFor(db).seeker.execute({ me: userId, now: now.toISOString() })) as Array<{
    avail: string | null;
    topics: string | null;
    cooldowns: string | null;
  }>;
  if (!row) return null;
  const weights = new Uint8Array(space.size);
  writeTopicWeights(space, row.topics, weights, 0);
  const list: Array<{ topicId: number; weight: number }> = [];
  weights.forEach((w, i) => {
    if (w > 0) list.push({ topicId: space.topicIds[i]!, weight: w });
  });
  const topics: SeekerTopics = seekerTopics(space, list, minWeight);
  const avail = new Uint32Array(WEEK_MASK_WORDS);
  const availHours = writeWeekMask(row.avail, avail, 0);
  const cooldownIds = new Set<number>(row.cooldowns ? row.cooldowns.split(",").map(Number) : []);
  return { seeker: { userId, topics, avail, availHours }, cooldownIds };
}

/** One candidate's facts, already past the database's exclusions. */
export interface CandidateFacts extends CandidateData {
  userId: number;
  searching: boolean;
  receiveProposals: boolean;
}

interface FactsRow extends Row {
  id: string | number;
  rating_sum: number;
  rating_count: number;
  receive_proposals: boolean;
  searching: boolean;
  avail: string | null;
  topics: string | null;
}

/**
 * Facts for people who may be proposed to `seekerId` now, as far as the database decides:
 * active, reachable on Telegram, rules accepted, not engaged, no cooldown either way, not the seeker.
 * `source` narrows the people: explicit ids (verifying the index's picks) or the eligible pool
 * (searching now ∪ opted in and available this hour) sharing at least one of `topicIds`.
 */
export async function loadCandidateFacts(
  db: Db,
  space: TopicSpace,
  seekerId: number,
  now: Date,
  hour: number,
  source: { ids: readonly number[] } | { poolTopicIds: readonly number[] },
): Promise<CandidateFacts[]> {
  const at = now.toISOString();
  let list: FactsRow[];
  if ("ids" in source) {
    list = (await preparedFor(db).factsByIds.execute({
      ids: idArray(source.ids),
      me: seekerId,
      now: at,
    })) as FactsRow[];
  } else {
    const atSql = sql`${at}::timestamptz`;
    list = await rows<FactsRow>(
      db,
      sql`select u.id, u.rating_sum, u.rating_count, u.receive_proposals,
            exists (select 1 from match_queue q where q.user_id = u.id and q.expires_at > ${atSql}) as searching,
            p.avail_utc::text as avail,
            ${TOPICS_OF(sql`u.id`)} as topics
          from users u left join preferences p on p.user_id = u.id
          where u.id in (
              select q.user_id from match_queue q where q.expires_at > ${atSql}
              union
              select pu.id from users pu join preferences pp on pp.user_id = pu.id
              where pu.receive_proposals and get_bit(pp.avail_utc, ${hour}) = 1
            )
            and exists (select 1 from user_topics st where st.user_id = u.id
                        and st.topic_id = any(${idArray(source.poolTopicIds)}::int[]))
            and u.id <> ${seekerId}
            and ${proposable({ id: sql`u.id`, status: sql`u.status`, tgId: sql`u.tg_id`, safetyAck: sql`u.safety_ack` }, sql`${seekerId}::bigint`, atSql)}`,
    );
  }
  const out: CandidateFacts[] = [];
  for (const r of list) {
    const avail = new Uint32Array(WEEK_MASK_WORDS);
    const availHours = writeWeekMask(r.avail, avail, 0);
    const searching = Boolean(r.searching);
    const receiveProposals = Boolean(r.receive_proposals);
    if (!isReachableNow(searching, receiveProposals, avail, 0, availHours, hour)) continue;
    const topicWeights = new Uint8Array(space.size);
    writeTopicWeights(space, r.topics, topicWeights, 0);
    out.push({
      userId: Number(r.id),
      searching,
      receiveProposals,
      topicWeights,
      topicOffset: 0,
      avail,
      availOffset: 0,
      availHours,
      helpfulness: helpfulness(Number(r.rating_sum), Number(r.rating_count)),
    });
  }
  return out;
}
