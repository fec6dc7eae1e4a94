import { sql } from "drizzle-orm";
import type { Clock } from "../../clock.ts";
import type { Db } from "../../db/client.ts";
import { isReachableNow, type Seeker, scoreCandidate } from "../../domain/matching/candidate.ts";
import { helpfulness } from "../../domain/matching/score.ts";
import type { MatchVariant, TopicSpace } from "../../domain/matching/topics.ts";
import { hasHour, hourOfWeek, WEEK_MASK_WORDS, writeWeekMask } from "../../domain/matching/week-mask.ts";
import { idArray, loadTopicSpace, rows, writeTopicWeights } from "./candidate-facts.ts";
import { TopK } from "./top-k.ts";

/**
 * An in-process, read-only copy of the people who can ever be proposed without being asked again:
 * active + reachable + rules accepted, AND (searching OR opted in to receive proposals). Everyone
 * else (the vast majority of registered users) is not in it, so a scan costs O(eligible now).
 *
 * It is a cache, not a source of truth: each worker replica holds its own, loaded at start and
 * refreshed by polling (match_queue and engagements in full — they are small; users/preferences by
 * updated_at). Anything it says is re-checked in the database before it reaches a person
 * (see candidates.ts), and the pair is claimed elsewhere by a transaction on `engagements`.
 * Staleness therefore costs recall for a second, never correctness.
 */
export interface CandidateIndex {
  readonly space: TopicSpace;
  /** People currently held. */
  size(): number;
  /** Bytes held in the typed arrays (the bulk of the index). */
  memoryBytes(): number;
  /** Full load: topic catalogue, the pool, the queue, engagements. */
  load(): Promise<void>;
  /** Incremental: changed users/preferences since the last refresh, the queue, engagements. */
  refresh(): Promise<void>;
  /** Re-reads these people now (a service that just changed them can call this in-process). */
  reloadUsers(ids: readonly number[]): Promise<void>;
  /** Polls refresh() every `intervalMs` until stop(). Errors are reported, the timer keeps going. */
  start(intervalMs?: number, onError?: (err: unknown) => void): void;
  stop(): void;
  /**
   * The best `want` people for `me` by the index's data, searching first: searchers are scanned
   * first and opted-in people only if fewer than `want` searchers qualify.
   */
  scan(
    me: Seeker,
    variant: MatchVariant,
    now: Date,
    want: number,
    exclude: ReadonlySet<number>,
    opts?: ScanOptions,
  ): IndexHit[];
}

export interface ScanOptions {
  /**
   * Only people «new» since this instant (ms): searching now, or opted in to proposals (or joined)
   * at or after it. The weekly digest counts these.
   */
  newSinceMs?: number;
}

export interface IndexHit {
  userId: number;
  score: number;
  searching: boolean;
}

export interface CandidateIndexDeps {
  db: Db;
  clock: Clock;
  /** Rows per page when loading the pool. */
  pageSize?: number;
}

/** Slack on the updated_at watermark so rows committed late by a slow transaction are not missed. */
const WATERMARK_SLACK_MS = 30_000;

const FLAG_RECEIVE = 1;
const FLAG_ENGAGED = 2;

/**
 * One closure, longer than a function should be, because its parts (slot arrays, the load, the
 * refresh, the scan) share the same typed arrays and slot map: each inner function is short.
 */
export async function createCandidateIndex(deps: CandidateIndexDeps): Promise<CandidateIndex> {
  const { db } = deps;
  const pageSize = deps.pageSize ?? 20_000;
  let space = await loadTopicSpace(db);
  let T = space.size;

  let capacity = 0;
  let userIdOf = new Float64Array(0);
  let weights = new Uint8Array(0);
  let avail = new Uint32Array(0);
  let hours = new Uint8Array(0);
  let help = new Float64Array(0);
  let flags = new Uint8Array(0);
  let searchUntil = new Float64Array(0);
  /** greatest(joined, proposals turned on), ms: the digest's «new». */
  let availableSince = new Float64Array(0);
  let stamp = new Uint32Array(0);
  let epoch = 0;
  const slotOf = new Map<number, number>();
  const free: number[] = [];
  let highWater = 0;
  /** Slots that are (or were, when listed) searching; entries are re-checked at scan time. */
  let searchers: number[] = [];
  /** Opted-in people with a window at `hourListFor`, built lazily once per hour; re-checked at scan. */
  let hourList: number[] = [];
  let hourListFor = -1;
  let engagedIds = new Set<number>();
  let watermark: Date | null = null;
  let timer: NodeJS.Timeout | null = null;
  let refreshing: Promise<void> | null = null;

  function grow(min: number): void {
    const next = Math.max(min, capacity * 2, 1024);
    const g = <A extends Float64Array | Uint8Array | Uint32Array>(
      old: A,
      make: (n: number) => A,
      per = 1,
    ): A => {
      const a = make(next * per);
      a.set(old);
      return a;
    };
    userIdOf = g(userIdOf, (n) => new Float64Array(n));
    weights = g(weights, (n) => new Uint8Array(n), T);
    avail = g(avail, (n) => new Uint32Array(n), WEEK_MASK_WORDS);
    hours = g(hours, (n) => new Uint8Array(n));
    help = g(help, (n) => new Float64Array(n));
    flags = g(flags, (n) => new Uint8Array(n));
    searchUntil = g(searchUntil, (n) => new Float64Array(n));
    availableSince = g(availableSince, (n) => new Float64Array(n));
    stamp = g(stamp, (n) => new Uint32Array(n));
    capacity = next;
  }

  function remove(userId: number): void {
    const slot = slotOf.get(userId);
    if (slot === undefined) return;
    slotOf.delete(userId);
    userIdOf[slot] = 0;
    flags[slot] = 0;
    searchUntil[slot] = 0;
    hours[slot] = 0;
    free.push(slot);
  }

  interface PoolRow {
    id: string | number;
    ok: boolean;
    receive_proposals: boolean;
    rating_sum: number;
    rating_count: number;
    search_until: string | Date | null;
    since: string | Date | null;
    avail: string | null;
    topics: string | null;
  }

  function put(r: PoolRow): void {
    const userId = Number(r.id);
    const until = r.search_until ? new Date(r.search_until).getTime() : 0;
    const receive = Boolean(r.receive_proposals);
    if (!r.ok || (!receive && until === 0)) {
      remove(userId);
      return;
    }
    let slot = slotOf.get(userId);
    if (slot === undefined) {
      slot = free.pop() ?? highWater++;
      if (slot >= capacity) grow(slot + 1);
      slotOf.set(userId, slot);
    }
    userIdOf[slot] = userId;
    writeTopicWeights(space, r.topics, weights, slot * T);
    hours[slot] = writeWeekMask(r.avail, avail, slot * WEEK_MASK_WORDS);
    help[slot] = helpfulness(Number(r.rating_sum), Number(r.rating_count));
    availableSince[slot] = r.since ? new Date(r.since).getTime() : 0;
    flags[slot] = (receive ? FLAG_RECEIVE : 0) | (engagedIds.has(userId) ? FLAG_ENGAGED : 0);
    const wasSearching = searchUntil[slot]! > 0;
    searchUntil[slot] = until;
    if (until > 0 && !wasSearching) searchers.push(slot);
    if (
      receive &&
      hourListFor >= 0 &&
      hours[slot]! > 0 &&
      hasHour(avail, slot * WEEK_MASK_WORDS, hourListFor)
    ) {
      hourList.push(slot);
    }
  }

  const POOL_COLUMNS = sql`u.id,
      (u.status = 'active' and u.tg_id is not null and u.safety_ack) as ok,
      u.receive_proposals, u.rating_sum, u.rating_count,
      (select q.expires_at from match_queue q where q.user_id = u.id) as search_until,
      greatest(u.created_at, u.receive_proposals_since) as since,
      p.avail_utc::text as avail,
      (select string_agg(ut.topic_id::text || ':' || ut.weight::text, ',') from user_topics ut where ut.user_id = u.id) as topics`;

  async function loadPool(): Promise<void> {
    let after = 0;
    for (;;) {
      const page = await rows<PoolRow>(
        db,
        sql`select ${POOL_COLUMNS}
            from users u left join preferences p on p.user_id = u.id
            where u.id > ${after} and u.status = 'active' and u.tg_id is not null and u.safety_ack
              and (u.receive_proposals or exists (select 1 from match_queue q where q.user_id = u.id))
            order by u.id limit ${pageSize}`,
      );
      for (const r of page) put(r);
      if (page.length < pageSize) break;
      after = Number(page[page.length - 1]!.id);
    }
  }

  async function reloadUsers(ids: readonly number[]): Promise<void> {
    for (let i = 0; i < ids.length; i += pageSize) {
      const chunk = ids.slice(i, i + pageSize);
      const found = await rows<PoolRow>(
        db,
        sql`select ${POOL_COLUMNS} from users u left join preferences p on p.user_id = u.id
            where u.id = any(${idArray(chunk)}::bigint[])`,
      );
      const seen = new Set<number>();
      for (const r of found) {
        seen.add(Number(r.id));
        put(r);
      }
      for (const id of chunk) if (!seen.has(id)) remove(id);
    }
  }

  /** The queue and engagements are small (people active right now): re-read them whole. */
  async function syncQueueAndEngagements(): Promise<void> {
    const [queue, engaged] = await Promise.all([
      rows<{ user_id: string | number; expires_at: string | Date }>(
        db,
        sql`select user_id, expires_at from match_queue where expires_at > ${deps.clock.now().toISOString()}::timestamptz`,
      ),
      rows<{ user_id: string | number }>(db, sql`select user_id from engagements`),
    ]);
    // Work proportional to the queue and the engagements, not to the index: touch only slots that
    // were engaged or searching before, and those that are now.
    const nextEngaged = new Set(engaged.map((r) => Number(r.user_id)));
    for (const userId of engagedIds) {
      const slot = slotOf.get(userId);
      if (slot !== undefined && !nextEngaged.has(userId)) flags[slot] = flags[slot]! & ~FLAG_ENGAGED;
    }
    for (const userId of nextEngaged) {
      const slot = slotOf.get(userId);
      if (slot !== undefined) flags[slot] = flags[slot]! | FLAG_ENGAGED;
    }
    engagedIds = nextEngaged;
    const previous = searchers;
    for (const slot of previous) searchUntil[slot] = 0;
    const nextSearchers: number[] = [];
    const missing: number[] = [];
    for (const q of queue) {
      const userId = Number(q.user_id);
      const slot = slotOf.get(userId);
      if (slot === undefined) {
        missing.push(userId);
        continue;
      }
      searchUntil[slot] = new Date(q.expires_at).getTime();
      nextSearchers.push(slot);
    }
    searchers = nextSearchers;
    // New searchers who had not opted in: read them (put() also lists them as searchers).
    if (missing.length > 0) await reloadUsers(missing);
    // People who stopped searching and never opted in are no longer in the pool.
    for (const slot of previous) {
      const userId = userIdOf[slot]!;
      if (userId !== 0 && searchUntil[slot] === 0 && (flags[slot]! & FLAG_RECEIVE) === 0) remove(userId);
    }
  }

  async function dbNow(): Promise<Date> {
    const [r] = await rows<{ now: string | Date }>(db, sql`select now() as now`);
    return new Date(r!.now);
  }

  async function load(): Promise<void> {
    space = await loadTopicSpace(db);
    T = space.size;
    capacity = 0;
    grow(1024);
    slotOf.clear();
    free.length = 0;
    highWater = 0;
    searchers = [];
    hourList = [];
    hourListFor = -1;
    const started = await dbNow();
    const engaged = await rows<{ user_id: string | number }>(db, sql`select user_id from engagements`);
    engagedIds = new Set(engaged.map((r) => Number(r.user_id)));
    await loadPool();
    await syncQueueAndEngagements();
    watermark = started;
  }

  async function refreshOnce(): Promise<void> {
    if (!watermark) return load();
    const started = await dbNow();
    const since = new Date(watermark.getTime() - WATERMARK_SLACK_MS).toISOString();
    // Profile edits must touch users.updated_at or preferences.updated_at (topics included).
    const changed = await rows<{ id: string | number }>(
      db,
      sql`select id from users where updated_at > ${since}::timestamptz
          union select user_id from preferences where updated_at > ${since}::timestamptz`,
    );
    if (changed.length > 0) await reloadUsers(changed.map((r) => Number(r.id)));
    await syncQueueAndEngagements();
    watermark = started;
  }

  function refresh(): Promise<void> {
    refreshing ??= refreshOnce().finally(() => {
      refreshing = null;
    });
    return refreshing;
  }

  function buildHourList(hour: number): void {
    hourList = [];
    for (const slot of slotOf.values()) {
      if (
        (flags[slot]! & FLAG_RECEIVE) !== 0 &&
        hours[slot]! > 0 &&
        hasHour(avail, slot * WEEK_MASK_WORDS, hour)
      ) {
        hourList.push(slot);
      }
    }
    hourListFor = hour;
  }

  function scan(
    me: Seeker,
    variant: MatchVariant,
    now: Date,
    want: number,
    exclude: ReadonlySet<number>,
    opts: ScanOptions = {},
  ): IndexHit[] {
    const newSince = opts.newSinceMs ?? 0;
    const hour = hourOfWeek(now);
    if (hour !== hourListFor) buildHourList(hour);
    const nowMs = now.getTime();
    epoch = (epoch + 1) >>> 0;
    if (epoch === 0) {
      stamp.fill(0);
      epoch = 1;
    }
    const top = new TopK(want);
    const data = {
      topicWeights: weights as ArrayLike<number>,
      topicOffset: 0,
      avail,
      availOffset: 0,
      availHours: 0,
      helpfulness: 0,
    };
    const visit = (slot: number, searching: boolean): void => {
      // A slot can sit in both lists (or twice in one): visit it once, in the list it belongs to now.
      const isSearching = searchUntil[slot]! > nowMs;
      if (isSearching !== searching || stamp[slot] === epoch) return;
      stamp[slot] = epoch;
      const userId = userIdOf[slot]!;
      if (userId === 0 || userId === me.userId || (flags[slot]! & FLAG_ENGAGED) !== 0) return;
      const h = hours[slot]!;
      const availOffset = slot * WEEK_MASK_WORDS;
      if (!isReachableNow(isSearching, (flags[slot]! & FLAG_RECEIVE) !== 0, avail, availOffset, h, hour))
        return;
      if (exclude.has(userId)) return;
      if (!isSearching && availableSince[slot]! < newSince) return;
      data.topicWeights = weights;
      data.topicOffset = slot * T;
      data.avail = avail;
      data.availOffset = availOffset;
      data.availHours = h;
      data.helpfulness = help[slot]!;
      const score = scoreCandidate(space, me, variant, data);
      if (score >= 0) top.offer(score, userId, searching);
    };
    for (const slot of searchers) visit(slot, true);
    if (top.size() < want) for (const slot of hourList) visit(slot, false);
    return top.sorted();
  }

  const index: CandidateIndex = {
    get space() {
      return space;
    },
    size: () => slotOf.size,
    memoryBytes: () =>
      userIdOf.byteLength +
      weights.byteLength +
      avail.byteLength +
      hours.byteLength +
      help.byteLength +
      flags.byteLength +
      searchUntil.byteLength +
      availableSince.byteLength +
      stamp.byteLength +
      slotOf.size * 40,
    load,
    refresh,
    reloadUsers,
    start(intervalMs = 1_000, onError) {
      if (timer) return;
      const tick = () => {
        refresh()
          .catch((err) => onError?.(err))
          .finally(() => {
            if (timer) timer = setTimeout(tick, intervalMs);
          });
      };
      timer = setTimeout(tick, intervalMs);
      timer.unref?.();
    },
    stop() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
    scan,
  };
  return index;
}
