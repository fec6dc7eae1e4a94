import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  check,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  real,
  serial,
  smallint,
  timestamp,
  uniqueIndex,
  varchar,
} from "drizzle-orm/pg-core";
import { REPORT_REASONS } from "../domain/report-reasons.ts";

/**
 * The spec's data model (spec-ty-ne-odin.md §Модель данных, sprint-2 §2, previous-mvp Sprint 3–5), extended.
 * Message text is never stored anywhere in this schema: only counters and metadata.
 * Rules that protect people (one open match per person, one tip per charge, one report per session)
 * are constraints here, not checks in code.
 */

const id = (name = "id") => bigserial(name, { mode: "number" }).primaryKey();
const userRef = (name: string) => bigint(name, { mode: "number" });
const ts = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });
const createdAt = () => ts("created_at").notNull().defaultNow();
/** `('spam','abuse',…)` for CHECK constraints, from the one list (the SQL text stays what migrations hold). */
const reportReasonsSql = sql.raw(`(${REPORT_REASONS.map((r) => `'${r}'`).join(",")})`);

/** 168 bits: one per hour of the week in UTC, Monday 00:00 first. Overlap is `bit_count(a & b)`. */
export const weekMask = customType<{ data: string; driverData: string }>({
  dataType: () => "bit(168)",
});

export const users = pgTable(
  "users",
  {
    id: id(),
    /** Only to deliver messages. NULL once the person erased their data. */
    tgId: bigint("tg_id", { mode: "number" }).unique(),
    /** Up to 32 graphemes (validated in domain/nickname.ts); the column counts code points, so it is wider. */
    nickname: varchar("nickname", { length: 128 }),
    tz: varchar("tz", { length: 64 }),
    /** Up to 160 graphemes (domain/bio.ts); an emoji can be several code points. */
    bioShort: varchar("bio_short", { length: 640 }),
    safetyAck: boolean("safety_ack").notNull().default(false),
    safetyAckAt: ts("safety_ack_at"),
    rulesVersion: integer("rules_version"),
    status: varchar("status", { length: 16 }).notNull().default("active"),
    suspendedUntil: ts("suspended_until"),
    /** Opt-in: may receive proposals while not searching, within availability windows. */
    receiveProposals: boolean("receive_proposals").notNull().default(false),
    /** When they last turned proposals on: «new» for the weekly digest's count (null while off). */
    receiveProposalsSince: ts("receive_proposals_since"),
    /** Opt-in: once a week, how many new people would be proposed to them now (off by default). */
    digestEnabled: boolean("digest_enabled").notNull().default(false),
    /** The opt-in or the last digest run: the next one is about a week after it. */
    digestAnchorAt: ts("digest_anchor_at"),
    /** When the next digest is due (in one of their windows); null while the digest is off. */
    digestNextAt: ts("digest_next_at"),
    /** Telegram answered 403 (the bot is blocked): bulk messages skip them until they write again. */
    unreachableSince: ts("unreachable_since"),
    /** Toxic messages withheld; repeated strikes mute the sender for a while. */
    toxicityStrikes: integer("toxicity_strikes").notNull().default(0),
    mutedUntil: ts("muted_until"),
    /** The person's own switch for AI hints (/coach). */
    coachEnabled: boolean("coach_enabled").notNull().default(true),
    /**
     * The person agreed that their own messages (anonymised) may be sent to the coach's model to help
     * the other person answer. Off until they say yes; without it nothing they write reaches a model.
     */
    coachShareConsent: boolean("coach_share_consent").notNull().default(false),
    /** They were asked once (and answered or not): the question is not repeated. */
    coachShareAsked: boolean("coach_share_asked").notNull().default(false),
    ratingSum: integer("rating_sum").notNull().default(0),
    ratingCount: integer("rating_count").notNull().default(0),
    /** Deep-link payload of the first /start, kept for attribution. */
    startPayload: varchar("start_payload", { length: 64 }),
    createdAt: createdAt(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
    lastSeenAt: ts("last_seen_at"),
    deletedAt: ts("deleted_at"),
  },
  (t) => [
    check("users_status_chk", sql`${t.status} in ('active','suspended','banned','deleted')`),
    check("users_rating_chk", sql`${t.ratingSum} >= 0 and ${t.ratingCount} >= 0`),
    check("users_deleted_no_tg_chk", sql`${t.status} <> 'deleted' or ${t.tgId} is null`),
    // The matching index refreshes from rows changed since its last look (triggers keep it current).
    index("users_updated_at_idx").on(t.updatedAt),
    // The digest job reads only who is due: no scan of everyone registered.
    index("users_digest_due_idx").on(t.digestNextAt).where(sql`${t.digestEnabled}`),
  ],
);

export const topicGroups = pgTable("topic_groups", {
  slug: varchar("slug", { length: 32 }).primaryKey(),
  title: varchar("title", { length: 64 }).notNull(),
  sortOrder: smallint("sort_order").notNull().default(0),
});

export const topics = pgTable(
  "topics",
  {
    id: serial("id").primaryKey(),
    slug: varchar("slug", { length: 32 }).notNull().unique(),
    title: varchar("title", { length: 64 }).notNull(),
    groupSlug: varchar("group_slug", { length: 32 })
      .notNull()
      .references(() => topicGroups.slug),
    sortOrder: smallint("sort_order").notNull().default(0),
  },
  (t) => [check("topics_slug_chk", sql`${t.slug} ~ '^[a-z][a-z0-9_-]*$'`)],
);

export const userTopics = pgTable(
  "user_topics",
  {
    userId: userRef("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    topicId: integer("topic_id")
      .notNull()
      .references(() => topics.id),
    /** 3 очень важно, 2 важно, 1 немного. */
    weight: smallint("weight").notNull().default(2),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.topicId] }),
    index("user_topics_topic_idx").on(t.topicId),
    check("user_topics_weight_chk", sql`${t.weight} between 1 and 3`),
  ],
);

/** «Ко-лист»: topics a person would like to talk about later. */
export const userWishlistTopics = pgTable(
  "user_wishlist_topics",
  {
    userId: userRef("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    topicId: integer("topic_id")
      .notNull()
      .references(() => topics.id),
  },
  (t) => [primaryKey({ columns: [t.userId, t.topicId] })],
);

export const preferences = pgTable(
  "preferences",
  {
    userId: userRef("user_id")
      .primaryKey()
      .references(() => users.id, { onDelete: "cascade" }),
    purpose: varchar("purpose", { length: 16 }).notNull().default("support"),
    format: varchar("format", { length: 16 }).notNull().default("chat"),
    /** How heavy the stories the person is ready to hear: 1 light … 3 anything. */
    sensitivityLevel: smallint("sensitivity_level").notNull().default(2),
    /** Availability as chosen, in the person's own time: bit i of weekday×4 + weekend×4 (утро, день, вечер, ночь). */
    availLocal: smallint("avail_local").notNull().default(0),
    /** The same windows projected onto a UTC week, recomputed when the time zone or windows change. */
    availUtc: weekMask("avail_utc"),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [
    check("preferences_purpose_chk", sql`${t.purpose} in ('support','advice','friendship')`),
    check("preferences_format_chk", sql`${t.format} in ('chat')`),
    check("preferences_sensitivity_chk", sql`${t.sensitivityLevel} between 1 and 3`),
    check("preferences_avail_local_chk", sql`${t.availLocal} between 0 and 255`),
    index("preferences_updated_at_idx").on(t.updatedAt),
  ],
);

/** Resumable multi-step flows (profile, edits): survives restarts and day-long pauses. */
export const flowStates = pgTable("flow_states", {
  userId: userRef("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  flow: varchar("flow", { length: 32 }).notNull(),
  step: varchar("step", { length: 32 }).notNull(),
  data: jsonb("data").notNull().default({}),
  updatedAt: ts("updated_at").notNull().defaultNow(),
});

/** One row per person searching: the source of truth for the search (the stream only wakes workers). */
export const matchQueue = pgTable(
  "match_queue",
  {
    userId: userRef("user_id")
      .primaryKey()
      .references(() => users.id, { onDelete: "cascade" }),
    enqueuedAt: createdAt(),
    expiresAt: ts("expires_at").notNull(),
    /** Earliest time a worker should look again (spec: score_ready_at). */
    scoreReadyAt: ts("score_ready_at").notNull().defaultNow(),
    requeueCount: smallint("requeue_count").notNull().default(0),
    variant: varchar("variant", { length: 16 }).notNull().default("strict"),
  },
  (t) => [
    index("match_queue_expires_idx").on(t.expiresAt),
    check("match_queue_requeue_chk", sql`${t.requeueCount} between 0 and 10`),
  ],
);

/**
 * Every search a person started with /find, kept after its match_queue row is gone (cancelled,
 * expired, replaced, ended by a chat): the KPI «share of searches matched within 24 h» needs the
 * searches that found nobody too. `started_at` is the queue row's `enqueued_at` — that is how the
 * running search finds its row —, `proposed_at` its first proposal (as the one searching or as the
 * one proposed). No other person, no text. /delete removes a person's rows, /export lists them.
 */
export const searches = pgTable(
  "searches",
  {
    id: id(),
    userId: userRef("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    variant: varchar("variant", { length: 16 }).notNull(),
    startedAt: ts("started_at").notNull(),
    proposedAt: ts("proposed_at"),
  },
  (t) => [
    index("searches_user_started_idx").on(t.userId, t.startedAt),
    index("searches_started_idx").on(t.startedAt),
  ],
);

export const matches = pgTable(
  "matches",
  {
    id: id(),
    userA: userRef("user_a")
      .notNull()
      .references(() => users.id),
    userB: userRef("user_b")
      .notNull()
      .references(() => users.id),
    status: varchar("status", { length: 16 }).notNull().default("proposed"),
    decisionA: varchar("decision_a", { length: 8 }),
    decisionB: varchar("decision_b", { length: 8 }),
    score: real("score"),
    variant: varchar("variant", { length: 16 }).notNull().default("strict"),
    createdAt: createdAt(),
    expiresAt: ts("expires_at").notNull(),
    decidedAt: ts("decided_at"),
  },
  (t) => [
    check("matches_distinct_users_chk", sql`${t.userA} <> ${t.userB}`),
    check("matches_status_chk", sql`${t.status} in ('proposed','active','declined','expired','completed')`),
    check("matches_decision_a_chk", sql`${t.decisionA} is null or ${t.decisionA} in ('accept','decline')`),
    check("matches_decision_b_chk", sql`${t.decisionB} is null or ${t.decisionB} in ('accept','decline')`),
    index("matches_pair_idx").on(t.userA, t.userB),
    index("matches_user_b_idx").on(t.userB),
    index("matches_open_expiry_idx").on(t.expiresAt).where(sql`${t.status} = 'proposed'`),
    // Decisions per day (accept rate, KPIs) read a window of decided_at, not the whole table.
    index("matches_decided_idx").on(t.decidedAt),
  ],
);

/**
 * No double booking by construction: a person has a row here exactly while they are in an open
 * proposal or an active chat. The primary key makes a second one impossible.
 */
export const engagements = pgTable("engagements", {
  userId: userRef("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  matchId: bigint("match_id", { mode: "number" })
    .notNull()
    .references(() => matches.id, { onDelete: "cascade" }),
  since: createdAt(),
});

export const chatSessions = pgTable(
  "chat_sessions",
  {
    id: id(),
    matchId: bigint("match_id", { mode: "number" })
      .notNull()
      .unique()
      .references(() => matches.id),
    startedAt: ts("started_at").notNull().defaultNow(),
    endedAt: ts("ended_at"),
    endedBy: userRef("ended_by").references(() => users.id),
    endReason: varchar("end_reason", { length: 16 }),
    msgCountA: integer("msg_count_a").notNull().default(0),
    msgCountB: integer("msg_count_b").notNull().default(0),
    lastMessageAt: ts("last_message_at"),
    ratingA: smallint("rating_a"),
    ratingB: smallint("rating_b"),
    /** Temp-chat: the session ends at this time unless both agree to extend. */
    expiresAt: ts("expires_at"),
    extendedCount: smallint("extended_count").notNull().default(0),
    /** When both were asked «продлить?» for the current expires_at (null: not yet). */
    extendAskedAt: ts("extend_asked_at"),
    /** Each person's answer to that question (null: not answered). */
    extendVoteA: boolean("extend_vote_a"),
    extendVoteB: boolean("extend_vote_b"),
  },
  (t) => [
    check("chat_sessions_rating_a_chk", sql`${t.ratingA} is null or ${t.ratingA} between 1 and 5`),
    check("chat_sessions_rating_b_chk", sql`${t.ratingB} is null or ${t.ratingB} between 1 and 5`),
    check("chat_sessions_counts_chk", sql`${t.msgCountA} >= 0 and ${t.msgCountB} >= 0`),
    check(
      "chat_sessions_end_reason_chk",
      sql`${t.endReason} is null or ${t.endReason} in ('ended','blocked','reported','peer_gone','expired','deleted','banned')`,
    ),
    index("chat_sessions_open_idx").on(t.startedAt).where(sql`${t.endedAt} is null`),
    // Conversations ended per day (KPIs) read a window of ended_at.
    index("chat_sessions_ended_idx").on(t.endedAt).where(sql`${t.endedAt} is not null`),
    index("chat_sessions_timer_idx")
      .on(t.expiresAt)
      .where(sql`${t.endedAt} is null and ${t.expiresAt} is not null`),
  ],
);

/**
 * People who erased their data while banned or suspended: a keyed hash of the Telegram id (never the
 * id), so coming back with /start brings the sanction back instead of a clean slate.
 */
export const sanctionedIdentities = pgTable(
  "sanctioned_identities",
  {
    tgHash: varchar("tg_hash", { length: 64 }).primaryKey(),
    status: varchar("status", { length: 16 }).notNull(),
    /**
     * End of a suspension, rounded up to the next UTC midnight; null: a ban, or a suspension pending
     * review. Deliberately no creation time and no exact instant: nothing here may line up with the
     * scrubbed person's rows (deleted_at, moderation_actions.until) and tie them back to the id.
     */
    until: ts("until"),
  },
  (t) => [check("sanctioned_identities_status_chk", sql`${t.status} in ('banned','suspended')`)],
);

/**
 * What protects others survives /delete as keyed hashes (like `sanctioned_identities`): the people an
 * erased person was kept apart from (a block or a report, either way), with an open report one of them
 * filed, and toxicity strikes. Restored into the new users row on the next /start, then deleted. No
 * creation time, and `until` rounded up to a UTC midnight, so nothing lines up with the scrubbed rows.
 */
export const keptApartIdentities = pgTable(
  "kept_apart_identities",
  {
    tgHash: varchar("tg_hash", { length: 64 }).notNull(),
    otherId: userRef("other_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    reason: varchar("reason", { length: 16 }).notNull(),
    until: ts("until").notNull(),
    /** The reason of a report the other person filed that was still open, or null. */
    openReport: varchar("open_report", { length: 16 }),
  },
  (t) => [
    primaryKey({ columns: [t.tgHash, t.otherId] }),
    check("kept_apart_identities_reason_chk", sql`${t.reason} in ('blocked','reported')`),
    check(
      "kept_apart_identities_open_report_chk",
      sql`${t.openReport} is null or ${t.openReport} in ${reportReasonsSql}`,
    ),
  ],
);

export const struckIdentities = pgTable("struck_identities", {
  tgHash: varchar("tg_hash", { length: 64 }).primaryKey(),
  toxicityStrikes: integer("toxicity_strikes").notNull(),
});

/** Cooldowns between two people, one row per direction: after a decline (72 h), a block (30 days), a report (forever). */
export const recentContacts = pgTable(
  "recent_contacts",
  {
    userId: userRef("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    otherId: userRef("other_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    until: ts("until").notNull(),
    reason: varchar("reason", { length: 16 }).notNull().default("declined"),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.otherId] }),
    index("recent_contacts_other_idx").on(t.otherId),
    check("recent_contacts_reason_chk", sql`${t.reason} in ('declined','met','blocked','reported')`),
  ],
);

export const tips = pgTable(
  "tips",
  {
    id: id(),
    chatSessionId: bigint("chat_session_id", { mode: "number" })
      .notNull()
      .references(() => chatSessions.id),
    fromUser: userRef("from_user").references(() => users.id),
    toUser: userRef("to_user").references(() => users.id),
    amount: integer("amount").notNull(),
    currency: varchar("currency", { length: 8 }).notNull().default("XTR"),
    provider: varchar("provider", { length: 32 }).notNull().default("telegram-stars"),
    providerFee: integer("provider_fee").notNull().default(0),
    ourCommission: integer("our_commission").notNull().default(0),
    recipientShare: integer("recipient_share").notNull().default(0),
    status: varchar("status", { length: 16 }).notNull().default("pending"),
    invoicePayload: varchar("invoice_payload", { length: 128 }),
    telegramPaymentChargeId: varchar("telegram_payment_charge_id", { length: 128 }).unique(),
    createdAt: createdAt(),
    paidAt: ts("paid_at"),
    refundedAt: ts("refunded_at"),
    /** The operator's reason for a refund from the console (null for the admin API and Telegram's own). */
    refundReason: varchar("refund_reason", { length: 500 }),
  },
  (t) => [
    check("tips_amount_chk", sql`${t.amount} between 1 and 10000`),
    check("tips_currency_chk", sql`${t.currency} in ('XTR')`),
    check("tips_status_chk", sql`${t.status} in ('pending','paid','refunded','failed')`),
    check(
      "tips_money_chk",
      sql`${t.providerFee} >= 0 and ${t.ourCommission} >= 0 and ${t.recipientShare} >= 0 and ${t.providerFee} + ${t.ourCommission} + ${t.recipientShare} <= ${t.amount}`,
    ),
    check(
      "tips_paid_has_charge_chk",
      sql`${t.status} not in ('paid','refunded') or ${t.telegramPaymentChargeId} is not null`,
    ),
    index("tips_session_idx").on(t.chatSessionId),
    index("tips_to_user_idx").on(t.toUser),
  ],
);

export const reports = pgTable(
  "reports",
  {
    id: id(),
    chatSessionId: bigint("chat_session_id", { mode: "number" }).references(() => chatSessions.id, {
      onDelete: "set null",
    }),
    fromUser: userRef("from_user")
      .notNull()
      .references(() => users.id),
    toUser: userRef("to_user")
      .notNull()
      .references(() => users.id),
    reason: varchar("reason", { length: 16 }).notNull(),
    status: varchar("status", { length: 16 }).notNull().default("new"),
    comment: varchar("comment", { length: 500 }),
    createdAt: createdAt(),
    closedAt: ts("closed_at"),
  },
  (t) => [
    check("reports_reason_chk", sql`${t.reason} in ${reportReasonsSql}`),
    check("reports_status_chk", sql`${t.status} in ('new','in_review','resolved','dismissed')`),
    check("reports_distinct_chk", sql`${t.fromUser} <> ${t.toUser}`),
    uniqueIndex("reports_once_per_session_uq")
      .on(t.chatSessionId, t.fromUser)
      .where(sql`${t.chatSessionId} is not null`),
    index("reports_target_open_idx").on(t.toUser).where(sql`${t.status} in ('new','in_review')`),
  ],
);

export const moderationActions = pgTable(
  "moderation_actions",
  {
    id: id(),
    targetUser: userRef("target_user")
      .notNull()
      .references(() => users.id),
    /** Pseudonymised moderator (keyed hash) or 'system' for automatic actions. */
    actor: varchar("actor", { length: 64 }).notNull(),
    action: varchar("action", { length: 16 }).notNull(),
    reason: varchar("reason", { length: 500 }),
    reportId: bigint("report_id", { mode: "number" }).references(() => reports.id, { onDelete: "set null" }),
    until: ts("until"),
    createdAt: createdAt(),
  },
  (t) => [
    check(
      "moderation_actions_action_chk",
      sql`${t.action} in ('dismiss','warn','mute','suspend','ban','unban','unsuspend')`,
    ),
    index("moderation_actions_target_idx").on(t.targetUser),
  ],
);

export const safetyFlags = pgTable(
  "safety_flags",
  {
    id: id(),
    chatSessionId: bigint("chat_session_id", { mode: "number" }).references(() => chatSessions.id, {
      onDelete: "set null",
    }),
    userId: userRef("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    label: varchar("label", { length: 32 }).notNull(),
    severity: smallint("severity").notNull(),
    source: varchar("source", { length: 16 }).notNull().default("classifier"),
    createdAt: createdAt(),
  },
  (t) => [
    check("safety_flags_severity_chk", sql`${t.severity} between 0 and 3`),
    index("safety_flags_session_idx").on(t.chatSessionId),
  ],
);

/** AI coach hints: what kind, where from, whether used — never the text, which may echo the conversation. */
export const aiHints = pgTable(
  "ai_hints",
  {
    id: id(),
    chatSessionId: bigint("chat_session_id", { mode: "number" }).references(() => chatSessions.id, {
      onDelete: "set null",
    }),
    userId: userRef("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    hintType: varchar("hint_type", { length: 16 }).notNull(),
    source: varchar("source", { length: 16 }).notNull(),
    promptVersion: varchar("prompt_version", { length: 32 }),
    copied: boolean("copied").notNull().default(false),
    sent: boolean("sent").notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [
    check("ai_hints_type_chk", sql`${t.hintType} in ('empathy','question','boundary','crisis')`),
    check("ai_hints_source_chk", sql`${t.source} in ('template','model')`),
  ],
);

export const experimentAssignments = pgTable(
  "experiment_assignments",
  {
    userId: userRef("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    experiment: varchar("experiment", { length: 32 }).notNull(),
    variant: varchar("variant", { length: 16 }).notNull(),
    assignedAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.experiment] })],
);

/**
 * Crisis hotlines by country, editable by moderators. A wrong number in a crisis does harm: every
 * entry carries its source and when it was last verified.
 */
export const sosHotlines = pgTable(
  "sos_hotlines",
  {
    id: serial("id").primaryKey(),
    /** ISO 3166-1 alpha-2, or "*" for entries shown everywhere (112). */
    country: varchar("country", { length: 2 }).notNull(),
    name: varchar("name", { length: 160 }).notNull(),
    phone: varchar("phone", { length: 64 }).notNull(),
    description: varchar("description", { length: 400 }),
    hours: varchar("hours", { length: 64 }),
    source: varchar("source", { length: 400 }).notNull(),
    verifiedAt: ts("verified_at").notNull(),
    sortOrder: smallint("sort_order").notNull().default(0),
    /** 'emergency' (112, an ambulance) or 'support' (a line that listens): decides how the list is worded. */
    kind: varchar("kind", { length: 16 }).notNull().default("support"),
    /** The line answers in Russian. */
    russianSpeaking: boolean("russian_speaking").notNull().default(false),
    /** People who said this number did not work («Номер не сработал?»), since it was last verified. */
    problemReports: integer("problem_reports").notNull().default(0),
    problemReportedAt: ts("problem_reported_at"),
    active: boolean("active").notNull().default(true),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("sos_hotlines_country_phone_uq").on(t.country, t.phone),
    check("sos_hotlines_country_chk", sql`${t.country} ~ '^([A-Z]{2}|[*])$'`),
    check("sos_hotlines_kind_chk", sql`${t.kind} in ('emergency','support')`),
  ],
);

/**
 * Caring contact: after a conversation with signs of crisis the person may accept one check-in
 * («Как ты сейчас?») 24 h later. Only the answer's category is kept, never text.
 */
export const checkIns = pgTable(
  "check_ins",
  {
    id: id(),
    userId: userRef("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    dueAt: ts("due_at").notNull(),
    /** scheduled → sent → answered; cancelled when the person went away first. */
    status: varchar("status", { length: 16 }).notNull().default("scheduled"),
    answer: varchar("answer", { length: 8 }),
    createdAt: createdAt(),
    sentAt: ts("sent_at"),
    answeredAt: ts("answered_at"),
  },
  (t) => [
    check("check_ins_status_chk", sql`${t.status} in ('scheduled','sent','answered','cancelled')`),
    check("check_ins_answer_chk", sql`${t.answer} is null or ${t.answer} in ('better','same','worse')`),
    index("check_ins_due_idx").on(t.status, t.dueAt),
    index("check_ins_user_idx").on(t.userId),
  ],
);

/**
 * The weekly digest's runs, one row per person and week: sent, held back (the control arm of
 * DIGEST_ROLLOUT) or skipped (nobody new, busy, unreachable). Whether a search followed within 24 h
 * and whether they stopped the digest are the KPI; no names, no text.
 */
export const digestRuns = pgTable(
  "digest_runs",
  {
    id: id(),
    userId: userRef("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    arm: varchar("arm", { length: 8 }).notNull(),
    outcome: varchar("outcome", { length: 16 }).notNull(),
    /** How many people it counted (capped), 0 when skipped before counting. */
    candidates: smallint("candidates").notNull().default(0),
    at: ts("at").notNull(),
    searchedAt: ts("searched_at"),
    stoppedAt: ts("stopped_at"),
  },
  (t) => [
    check("digest_runs_arm_chk", sql`${t.arm} in ('digest','control')`),
    check(
      "digest_runs_outcome_chk",
      sql`${t.outcome} in ('sent','held','empty','busy','unreachable','failed')`,
    ),
    index("digest_runs_user_at_idx").on(t.userId, t.at),
    index("digest_runs_at_idx").on(t.at),
  ],
);

/** One appeal per ban or suspension, into the moderators' queue. */
export const appeals = pgTable(
  "appeals",
  {
    id: id(),
    userId: userRef("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    moderationActionId: bigint("moderation_action_id", { mode: "number" })
      .notNull()
      .unique()
      .references(() => moderationActions.id, { onDelete: "cascade" }),
    /** What the person wrote to the moderators (not a chat message). */
    text: varchar("text", { length: 1000 }),
    status: varchar("status", { length: 16 }).notNull().default("open"),
    createdAt: createdAt(),
    decidedAt: ts("decided_at"),
  },
  (t) => [check("appeals_status_chk", sql`${t.status} in ('open','granted','rejected')`)],
);

/**
 * Evidence a reporter forwarded: kept as copies in the moderators' chat (only message ids here, never
 * content), deleted 30 days after the report closes.
 */
export const reportEvidence = pgTable(
  "report_evidence",
  {
    id: id(),
    reportId: bigint("report_id", { mode: "number" })
      .notNull()
      .references(() => reports.id, { onDelete: "cascade" }),
    /**
     * The copy in the moderators' chat while it is shown; null once taken down. Telegram lets a bot
     * delete a message only within 48 h, so copies come down after 47 h and can be shown again.
     */
    modChatMessageId: bigint("mod_chat_message_id", { mode: "number" }),
    shownAt: ts("shown_at"),
    /** The message the reporter forwarded, in their own chat with the bot: the source to show again. */
    sourceMessageId: bigint("source_message_id", { mode: "number" }),
    /** Who wrote it, as far as the forward tells: the conversation (via the bot), the reporter, elsewhere. */
    origin: varchar("origin", { length: 16 }).notNull().default("conversation"),
    createdAt: createdAt(),
  },
  (t) => [
    index("report_evidence_report_idx").on(t.reportId),
    check("report_evidence_origin_chk", sql`${t.origin} in ('conversation','self','elsewhere')`),
  ],
);

/**
 * People who run the moderation console (`/console`): moderators and admins, each with their own
 * sign-in. Created by an admin (`npm run console:add-user`), who hands over a one-time link where the
 * person sets their password. Passwords are scrypt hashes; failed sign-ins lock the account a while.
 */
export const consoleAccounts = pgTable(
  "console_accounts",
  {
    id: serial("id").primaryKey(),
    login: varchar("login", { length: 32 }).notNull().unique(),
    role: varchar("role", { length: 16 }).notNull(),
    /** `scrypt$N$r$p$salt$hash` (base64url); null until the one-time link is used. */
    passwordHash: varchar("password_hash", { length: 256 }),
    /** SHA-256 of the one-time setup token; null once used. */
    setupTokenHash: varchar("setup_token_hash", { length: 64 }),
    setupExpiresAt: ts("setup_expires_at"),
    failedSignIns: integer("failed_sign_ins").notNull().default(0),
    lockedUntil: ts("locked_until"),
    lastSignInAt: ts("last_sign_in_at"),
    disabled: boolean("disabled").notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [
    check("console_accounts_role_chk", sql`${t.role} in ('moderator','admin')`),
    check("console_accounts_login_chk", sql`${t.login} ~ '^[a-z][a-z0-9_.-]{2,31}$'`),
  ],
);
