import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Clock } from "../clock.ts";
import type { Db } from "../db/client.ts";
import {
  flowStates,
  keptApartIdentities,
  preferences,
  recentContacts,
  reports,
  sanctionedIdentities,
  struckIdentities,
  topicGroups,
  topics,
  users,
  userTopics,
  userWishlistTopics,
} from "../db/schema.ts";
import { toUtcWeekMask } from "../domain/availability.ts";
import { type BioRejection, validateBio } from "../domain/bio.ts";
import { nextDigestAt } from "../domain/digest.ts";
import { avatarFor, type NicknameRejection, validateNickname } from "../domain/nickname.ts";
import { isValidTimeZone } from "../domain/timezone.ts";
import type { IdentityHash } from "./identity.ts";

/** Bump when the rules people accept change: everyone is asked to accept again. */
export const RULES_VERSION = 1;
export const MIN_TOPICS = 2;
export const MAX_TOPICS = 7;
export const MAX_WISHLIST_TOPICS = 7;

export type Purpose = "support" | "advice" | "friendship";
export const PURPOSES: readonly Purpose[] = ["support", "advice", "friendship"];
/** What a person who never chose has (the columns' defaults in db/schema.ts). */
export const DEFAULT_PURPOSE: Purpose = "support";
export const DEFAULT_SENSITIVITY = 2;

export interface TopicInfo {
  id: number;
  slug: string;
  title: string;
  groupSlug: string;
}

export interface TopicGroupInfo {
  slug: string;
  title: string;
  topics: TopicInfo[];
}

export interface Profile {
  userId: number;
  nickname: string | null;
  avatar: string | null;
  tz: string | null;
  bio: string | null;
  topics: Array<TopicInfo & { weight: number }>;
  wishlist: TopicInfo[];
  purpose: Purpose;
  format: "chat";
  sensitivity: number;
  availLocal: number;
  receiveProposals: boolean;
  /** The weekly digest («кто мне подходит») is on. */
  digest: boolean;
  safetyAck: boolean;
  rulesVersion: number | null;
  status: string;
}

export type Missing = "rules" | "nickname" | "timezone" | "topics";

export type Result<E extends string> = { ok: true } | { ok: false; reason: E };

export interface FlowState {
  flow: string;
  step: string;
  data: Record<string, unknown>;
}

export type UserRow = typeof users.$inferSelect;

/**
 * Someone who erased their data comes back: the people they were kept apart from stay apart (both
 * directions), an open report one of them had filed is open again, and the trace goes.
 */
async function restoreKeptApart(tx: Db, userId: number, tgHash: string, now: Date): Promise<void> {
  const traces = await tx.select().from(keptApartIdentities).where(eq(keptApartIdentities.tgHash, tgHash));
  if (traces.length === 0) return;
  const others = await tx
    .select({ id: users.id, status: users.status })
    .from(users)
    .where(
      inArray(
        users.id,
        traces.map((t) => t.otherId),
      ),
    );
  const present = new Set(others.filter((o) => o.status !== "deleted").map((o) => o.id));
  for (const t of traces) {
    if (!present.has(t.otherId) || t.otherId === userId) continue;
    if (t.until > now) {
      for (const [a, b] of [
        [userId, t.otherId],
        [t.otherId, userId],
      ] as const) {
        await tx
          .insert(recentContacts)
          .values({ userId: a, otherId: b, until: t.until, reason: t.reason })
          .onConflictDoUpdate({
            target: [recentContacts.userId, recentContacts.otherId],
            set: { until: t.until, reason: t.reason },
          });
      }
    }
    if (t.openReport) {
      await tx
        .insert(reports)
        .values({ fromUser: t.otherId, toUser: userId, reason: t.openReport, status: "new" });
    }
  }
  await tx.delete(keptApartIdentities).where(eq(keptApartIdentities.tgHash, tgHash));
}

/**
 * Profiles: registration (accepting the rules), every profile field, and resumable flow state. Long
 * because it is a container of short methods over one database handle, one per field or question.
 */
/** A stored flow row as the bot reads it (here and in `sender.ts`). */
export const flowStateOf = (row: typeof flowStates.$inferSelect): FlowState => ({
  flow: row.flow,
  step: row.step,
  data: row.data as Record<string, unknown>,
});

export function createProfileService(deps: { db: Db; clock: Clock; identityHash: IdentityHash }) {
  const { db, clock } = deps;
  let catalogue: TopicGroupInfo[] | undefined;

  async function loadCatalogue(): Promise<TopicGroupInfo[]> {
    if (catalogue) return catalogue;
    const groups = await db.select().from(topicGroups).orderBy(asc(topicGroups.sortOrder));
    const rows = await db.select().from(topics).orderBy(asc(topics.sortOrder));
    catalogue = groups.map((g) => ({
      slug: g.slug,
      title: g.title,
      topics: rows
        .filter((t) => t.groupSlug === g.slug)
        .map((t) => ({ id: t.id, slug: t.slug, title: t.title, groupSlug: t.groupSlug })),
    }));
    return catalogue;
  }

  async function topicById(): Promise<Map<number, TopicInfo>> {
    return new Map((await loadCatalogue()).flatMap((g) => g.topics).map((t) => [t.id, t]));
  }

  async function recomputeAvailability(userId: number, tz: string | null, availLocal: number): Promise<void> {
    const mask = tz ? toUtcWeekMask(availLocal, tz, clock.now()) : null;
    await db
      .update(preferences)
      .set({ availLocal, availUtc: mask, updatedAt: clock.now() })
      .where(eq(preferences.userId, userId));
    await rescheduleDigest(userId, tz, availLocal);
  }

  /** New windows or a new zone move a pending weekly digest into them (same week, new hour). */
  async function rescheduleDigest(userId: number, zone: string | null, availLocal: number): Promise<void> {
    const [u] = await db
      .select({ enabled: users.digestEnabled, anchor: users.digestAnchorAt })
      .from(users)
      .where(eq(users.id, userId));
    if (!u?.enabled || !u.anchor) return;
    const next = nextDigestAt(u.anchor, { availLocal, zone, userId });
    await db.update(users).set({ digestNextAt: next }).where(eq(users.id, userId));
  }

  const service = {
    catalogue: loadCatalogue,

    /** topic id → its title, for texts that name topics (proposals, the profile, the weekly digest). */
    async topicTitles(): Promise<Map<number, string>> {
      return new Map([...(await topicById())].map(([id, t]) => [id, t.title]));
    },

    async findByTelegramId(tgId: number): Promise<UserRow | null> {
      const [row] = await db.select().from(users).where(eq(users.tgId, tgId));
      return row ?? null;
    },

    async findById(userId: number): Promise<UserRow | null> {
      const [row] = await db.select().from(users).where(eq(users.id, userId));
      return row ?? null;
    },

    /** Registration happens here: only a person who accepted the rules is stored at all. */
    async acceptRules(tgId: number, opts: { startPayload?: string } = {}): Promise<UserRow> {
      const now = clock.now();
      return db.transaction(async (tx) => {
        // Someone who erased their data while banned or suspended gets the sanction back.
        const [sanction] = await tx
          .select()
          .from(sanctionedIdentities)
          .where(eq(sanctionedIdentities.tgHash, deps.identityHash(tgId)));
        const carried =
          sanction && (sanction.until === null || sanction.until > now)
            ? { status: sanction.status, suspendedUntil: sanction.until }
            : {};
        // The users row holds the sanction again (appeals and lifts apply to it); the trace goes.
        if (sanction) {
          await tx.delete(sanctionedIdentities).where(eq(sanctionedIdentities.tgHash, sanction.tgHash));
        }
        const [struck] = await tx
          .select()
          .from(struckIdentities)
          .where(eq(struckIdentities.tgHash, deps.identityHash(tgId)));
        if (struck) await tx.delete(struckIdentities).where(eq(struckIdentities.tgHash, struck.tgHash));
        const [row] = await tx
          .insert(users)
          .values({
            tgId,
            ...carried,
            ...(struck ? { toxicityStrikes: struck.toxicityStrikes } : {}),
            safetyAck: true,
            safetyAckAt: now,
            rulesVersion: RULES_VERSION,
            startPayload: opts.startPayload ?? null,
            lastSeenAt: now,
            // Joined now by the service's clock: «new this week» (the weekly digest) counts from it.
            createdAt: now,
          })
          .onConflictDoUpdate({
            target: users.tgId,
            set: {
              safetyAck: true,
              safetyAckAt: now,
              rulesVersion: RULES_VERSION,
              updatedAt: now,
              lastSeenAt: now,
            },
          })
          .returning();
        if (!row) throw new Error("user not stored");
        await tx.insert(preferences).values({ userId: row.id }).onConflictDoNothing();
        await restoreKeptApart(tx, row.id, deps.identityHash(tgId), now);
        return row;
      });
    },

    hasCurrentRules(user: UserRow | null): boolean {
      return user !== null && user.safetyAck && user.rulesVersion === RULES_VERSION;
    },

    async getProfile(userId: number): Promise<Profile> {
      // Four independent reads at once: one round trip's wait, not four.
      const [[user], [prefs], byId, chosen, wished] = await Promise.all([
        db.select().from(users).where(eq(users.id, userId)),
        db.select().from(preferences).where(eq(preferences.userId, userId)),
        topicById(),
        db
          .select()
          .from(userTopics)
          .where(eq(userTopics.userId, userId))
          .orderBy(sql`${userTopics.weight} desc`, asc(userTopics.topicId)),
        db.select().from(userWishlistTopics).where(eq(userWishlistTopics.userId, userId)),
      ]);
      if (!user) throw new Error(`no user ${userId}`);
      return {
        userId,
        nickname: user.nickname,
        avatar: user.nickname ? avatarFor(user.nickname) : null,
        tz: user.tz,
        bio: user.bioShort,
        topics: chosen.flatMap((c) => {
          const t = byId.get(c.topicId);
          return t ? [{ ...t, weight: c.weight }] : [];
        }),
        wishlist: wished.flatMap((w) => byId.get(w.topicId) ?? []),
        purpose: (prefs?.purpose ?? DEFAULT_PURPOSE) as Purpose,
        format: "chat",
        sensitivity: prefs?.sensitivityLevel ?? DEFAULT_SENSITIVITY,
        availLocal: prefs?.availLocal ?? 0,
        receiveProposals: user.receiveProposals,
        digest: user.digestEnabled,
        safetyAck: user.safetyAck,
        rulesVersion: user.rulesVersion,
        status: user.status,
      };
    },

    /** Slugs of the topics two people share (the AI coach picks hints by them). */
    async sharedTopicSlugs(a: number, b: number): Promise<string[]> {
      const [pa, pb] = await Promise.all([service.getProfile(a), service.getProfile(b)]);
      const theirs = new Set(pb.topics.map((t) => t.slug));
      return pa.topics.map((t) => t.slug).filter((slug) => theirs.has(slug));
    },

    /** What stops this person from searching, in the order they should fix it. */
    missingForSearch(profile: Profile | null): Missing[] {
      if (!profile || !profile.safetyAck || profile.rulesVersion !== RULES_VERSION) return ["rules"];
      const missing: Missing[] = [];
      if (!profile.nickname) missing.push("nickname");
      if (!profile.tz) missing.push("timezone");
      if (profile.topics.length < MIN_TOPICS) missing.push("topics");
      return missing;
    },

    async setNickname(userId: number, raw: string): Promise<Result<NicknameRejection>> {
      const checked = validateNickname(raw);
      if (!checked.ok) return checked;
      await db
        .update(users)
        .set({ nickname: checked.value, updatedAt: clock.now() })
        .where(eq(users.id, userId));
      return { ok: true };
    },

    /** Which of these names someone else already goes by (compared without case), so suggestions stay unique. */
    async nicknamesInUse(names: string[], exceptUserId: number): Promise<Set<string>> {
      if (names.length === 0) return new Set();
      const lower = names.map((n) => n.toLowerCase());
      const rows = await db
        .select({ nickname: users.nickname })
        .from(users)
        .where(and(inArray(sql`lower(${users.nickname})`, lower), sql`${users.id} <> ${exceptUserId}`));
      const taken = new Set(rows.map((r) => (r.nickname ?? "").toLowerCase()));
      return new Set(names.filter((n) => taken.has(n.toLowerCase())));
    },

    /**
     * Whether the person has told anything beyond what a search needs (about, purpose, stories, time,
     * proposals, ko-list): until then, a search offers to fill it in.
     */
    hasDetails(profile: Profile): boolean {
      return (
        profile.bio !== null ||
        profile.purpose !== DEFAULT_PURPOSE ||
        profile.sensitivity !== DEFAULT_SENSITIVITY ||
        profile.availLocal !== 0 ||
        profile.receiveProposals ||
        profile.wishlist.length > 0
      );
    },

    async setTimezone(userId: number, zone: string): Promise<Result<"unknown">> {
      if (!isValidTimeZone(zone)) return { ok: false, reason: "unknown" };
      await db.update(users).set({ tz: zone, updatedAt: clock.now() }).where(eq(users.id, userId));
      const [prefs] = await db.select().from(preferences).where(eq(preferences.userId, userId));
      await recomputeAvailability(userId, zone, prefs?.availLocal ?? 0);
      return { ok: true };
    },

    async setTopics(
      userId: number,
      chosen: Array<{ topicId: number; weight: number }>,
    ): Promise<Result<"too_few" | "too_many" | "unknown_topic" | "bad_weight">> {
      const unique = new Map(chosen.map((c) => [c.topicId, c.weight]));
      if (unique.size < MIN_TOPICS) return { ok: false, reason: "too_few" };
      if (unique.size > MAX_TOPICS) return { ok: false, reason: "too_many" };
      const byId = await topicById();
      for (const [topicId, weight] of unique) {
        if (!byId.has(topicId)) return { ok: false, reason: "unknown_topic" };
        if (!Number.isInteger(weight) || weight < 1 || weight > 3) return { ok: false, reason: "bad_weight" };
      }
      await db.transaction(async (tx) => {
        await tx.delete(userTopics).where(eq(userTopics.userId, userId));
        await tx
          .insert(userTopics)
          .values([...unique].map(([topicId, weight]) => ({ userId, topicId, weight })));
        await tx.update(users).set({ updatedAt: clock.now() }).where(eq(users.id, userId));
      });
      return { ok: true };
    },

    async setWishlist(userId: number, topicIds: number[]): Promise<Result<"too_many" | "unknown_topic">> {
      const unique = [...new Set(topicIds)];
      if (unique.length > MAX_WISHLIST_TOPICS) return { ok: false, reason: "too_many" };
      const byId = await topicById();
      if (unique.some((id) => !byId.has(id))) return { ok: false, reason: "unknown_topic" };
      await db.transaction(async (tx) => {
        await tx.delete(userWishlistTopics).where(eq(userWishlistTopics.userId, userId));
        if (unique.length > 0) {
          await tx.insert(userWishlistTopics).values(unique.map((topicId) => ({ userId, topicId })));
        }
      });
      return { ok: true };
    },

    async setBio(userId: number, raw: string | null): Promise<Result<BioRejection>> {
      let value: string | null = null;
      if (raw !== null) {
        const checked = validateBio(raw);
        if (!checked.ok) return checked;
        value = checked.value;
      }
      await db.update(users).set({ bioShort: value, updatedAt: clock.now() }).where(eq(users.id, userId));
      return { ok: true };
    },

    async setPurpose(userId: number, purpose: string): Promise<Result<"unknown">> {
      if (!PURPOSES.includes(purpose as Purpose)) return { ok: false, reason: "unknown" };
      await db
        .update(preferences)
        .set({ purpose, updatedAt: clock.now() })
        .where(eq(preferences.userId, userId));
      return { ok: true };
    },

    async setSensitivity(userId: number, level: number): Promise<Result<"out_of_range">> {
      if (!Number.isInteger(level) || level < 1 || level > 3) return { ok: false, reason: "out_of_range" };
      await db
        .update(preferences)
        .set({ sensitivityLevel: level, updatedAt: clock.now() })
        .where(eq(preferences.userId, userId));
      return { ok: true };
    },

    async setAvailability(userId: number, availLocal: number): Promise<Result<"out_of_range">> {
      if (!Number.isInteger(availLocal) || availLocal < 0 || availLocal > 255) {
        return { ok: false, reason: "out_of_range" };
      }
      const [user] = await db.select({ tz: users.tz }).from(users).where(eq(users.id, userId));
      await recomputeAvailability(userId, user?.tz ?? null, availLocal);
      return { ok: true };
    },

    async setReceiveProposals(userId: number, enabled: boolean): Promise<void> {
      const now = clock.now();
      await db
        .update(users)
        .set({
          receiveProposals: enabled,
          // Turning proposals on makes the person «new» for others' weekly digests; staying on keeps the date.
          receiveProposalsSince: enabled
            ? sql`case when ${users.receiveProposals} then coalesce(${users.receiveProposalsSince}, ${now}) else ${now}::timestamptz end`
            : null,
          updatedAt: now,
        })
        .where(eq(users.id, userId));
    },

    /**
     * The weekly digest on or off. On: the first one about a week from now, in the person's windows;
     * a person who says yes again keeps their date. Off: nothing more is sent.
     */
    async setDigest(userId: number, enabled: boolean): Promise<void> {
      const now = clock.now();
      if (!enabled) {
        await db.update(users).set({ digestEnabled: false, digestNextAt: null }).where(eq(users.id, userId));
        return;
      }
      const [u] = await db
        .select({ enabled: users.digestEnabled, tz: users.tz, avail: preferences.availLocal })
        .from(users)
        .leftJoin(preferences, eq(preferences.userId, users.id))
        .where(eq(users.id, userId));
      if (!u || u.enabled) return;
      const next = nextDigestAt(now, { availLocal: u.avail ?? 0, zone: u.tz, userId });
      await db
        .update(users)
        .set({ digestEnabled: true, digestAnchorAt: now, digestNextAt: next, unreachableSince: null })
        .where(eq(users.id, userId));
    },

    /** The person wrote to the bot again after Telegram had answered 403 (bot blocked). */
    async markReachable(userId: number): Promise<void> {
      await db.update(users).set({ unreachableSince: null }).where(eq(users.id, userId));
    },

    async touch(userId: number): Promise<void> {
      await db.update(users).set({ lastSeenAt: clock.now() }).where(eq(users.id, userId));
    },

    async getFlow(userId: number): Promise<FlowState | null> {
      const [row] = await db.select().from(flowStates).where(eq(flowStates.userId, userId));
      return row ? flowStateOf(row) : null;
    },

    async setFlow(userId: number, state: FlowState): Promise<void> {
      const now = clock.now();
      await db
        .insert(flowStates)
        .values({ userId, flow: state.flow, step: state.step, data: state.data, updatedAt: now })
        .onConflictDoUpdate({
          target: flowStates.userId,
          set: { flow: state.flow, step: state.step, data: state.data, updatedAt: now },
        });
    },

    async clearFlow(userId: number, flow?: string): Promise<void> {
      await db
        .delete(flowStates)
        .where(
          flow
            ? and(eq(flowStates.userId, userId), eq(flowStates.flow, flow))
            : eq(flowStates.userId, userId),
        );
    },
  };
  return service;
}

export type ProfileService = ReturnType<typeof createProfileService>;
