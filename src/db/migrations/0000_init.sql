CREATE TABLE "ai_hints" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"chat_session_id" bigint,
	"user_id" bigint NOT NULL,
	"hint_type" varchar(16) NOT NULL,
	"source" varchar(16) NOT NULL,
	"prompt_version" varchar(32),
	"copied" boolean DEFAULT false NOT NULL,
	"sent" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ai_hints_type_chk" CHECK ("ai_hints"."hint_type" in ('empathy','question','boundary','crisis')),
	CONSTRAINT "ai_hints_source_chk" CHECK ("ai_hints"."source" in ('template','model'))
);
--> statement-breakpoint
CREATE TABLE "chat_sessions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"match_id" bigint NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ended_at" timestamp with time zone,
	"ended_by" bigint,
	"end_reason" varchar(16),
	"msg_count_a" integer DEFAULT 0 NOT NULL,
	"msg_count_b" integer DEFAULT 0 NOT NULL,
	"last_message_at" timestamp with time zone,
	"rating_a" smallint,
	"rating_b" smallint,
	"expires_at" timestamp with time zone,
	"extended_count" smallint DEFAULT 0 NOT NULL,
	CONSTRAINT "chat_sessions_match_id_unique" UNIQUE("match_id"),
	CONSTRAINT "chat_sessions_rating_a_chk" CHECK ("chat_sessions"."rating_a" is null or "chat_sessions"."rating_a" between 1 and 5),
	CONSTRAINT "chat_sessions_rating_b_chk" CHECK ("chat_sessions"."rating_b" is null or "chat_sessions"."rating_b" between 1 and 5),
	CONSTRAINT "chat_sessions_counts_chk" CHECK ("chat_sessions"."msg_count_a" >= 0 and "chat_sessions"."msg_count_b" >= 0),
	CONSTRAINT "chat_sessions_end_reason_chk" CHECK ("chat_sessions"."end_reason" is null or "chat_sessions"."end_reason" in ('ended','blocked','reported','peer_gone','expired','deleted','banned'))
);
--> statement-breakpoint
CREATE TABLE "engagements" (
	"user_id" bigint PRIMARY KEY NOT NULL,
	"match_id" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "experiment_assignments" (
	"user_id" bigint NOT NULL,
	"experiment" varchar(32) NOT NULL,
	"variant" varchar(16) NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "experiment_assignments_user_id_experiment_pk" PRIMARY KEY("user_id","experiment")
);
--> statement-breakpoint
CREATE TABLE "flow_states" (
	"user_id" bigint PRIMARY KEY NOT NULL,
	"flow" varchar(32) NOT NULL,
	"step" varchar(32) NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "match_queue" (
	"user_id" bigint PRIMARY KEY NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"score_ready_at" timestamp with time zone DEFAULT now() NOT NULL,
	"requeue_count" smallint DEFAULT 0 NOT NULL,
	"variant" varchar(16) DEFAULT 'strict' NOT NULL,
	CONSTRAINT "match_queue_requeue_chk" CHECK ("match_queue"."requeue_count" between 0 and 10)
);
--> statement-breakpoint
CREATE TABLE "matches" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"user_a" bigint NOT NULL,
	"user_b" bigint NOT NULL,
	"status" varchar(16) DEFAULT 'proposed' NOT NULL,
	"decision_a" varchar(8),
	"decision_b" varchar(8),
	"score" real,
	"variant" varchar(16) DEFAULT 'strict' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"decided_at" timestamp with time zone,
	CONSTRAINT "matches_distinct_users_chk" CHECK ("matches"."user_a" <> "matches"."user_b"),
	CONSTRAINT "matches_status_chk" CHECK ("matches"."status" in ('proposed','active','declined','expired','completed')),
	CONSTRAINT "matches_decision_a_chk" CHECK ("matches"."decision_a" is null or "matches"."decision_a" in ('accept','decline')),
	CONSTRAINT "matches_decision_b_chk" CHECK ("matches"."decision_b" is null or "matches"."decision_b" in ('accept','decline'))
);
--> statement-breakpoint
CREATE TABLE "moderation_actions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"target_user" bigint NOT NULL,
	"actor" varchar(64) NOT NULL,
	"action" varchar(16) NOT NULL,
	"reason" varchar(500),
	"report_id" bigint,
	"until" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "moderation_actions_action_chk" CHECK ("moderation_actions"."action" in ('dismiss','warn','mute','suspend','ban','unban','unsuspend'))
);
--> statement-breakpoint
CREATE TABLE "preferences" (
	"user_id" bigint PRIMARY KEY NOT NULL,
	"purpose" varchar(16) DEFAULT 'support' NOT NULL,
	"format" varchar(16) DEFAULT 'chat' NOT NULL,
	"sensitivity_level" smallint DEFAULT 2 NOT NULL,
	"avail_local" smallint DEFAULT 0 NOT NULL,
	"avail_utc" bit(168),
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "preferences_purpose_chk" CHECK ("preferences"."purpose" in ('support','advice','friendship')),
	CONSTRAINT "preferences_format_chk" CHECK ("preferences"."format" in ('chat')),
	CONSTRAINT "preferences_sensitivity_chk" CHECK ("preferences"."sensitivity_level" between 1 and 3),
	CONSTRAINT "preferences_avail_local_chk" CHECK ("preferences"."avail_local" between 0 and 255)
);
--> statement-breakpoint
CREATE TABLE "recent_contacts" (
	"user_id" bigint NOT NULL,
	"other_id" bigint NOT NULL,
	"until" timestamp with time zone NOT NULL,
	"reason" varchar(16) DEFAULT 'declined' NOT NULL,
	CONSTRAINT "recent_contacts_user_id_other_id_pk" PRIMARY KEY("user_id","other_id"),
	CONSTRAINT "recent_contacts_reason_chk" CHECK ("recent_contacts"."reason" in ('declined','met','blocked','reported'))
);
--> statement-breakpoint
CREATE TABLE "reports" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"chat_session_id" bigint,
	"from_user" bigint NOT NULL,
	"to_user" bigint NOT NULL,
	"reason" varchar(16) NOT NULL,
	"status" varchar(16) DEFAULT 'new' NOT NULL,
	"comment" varchar(500),
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone,
	CONSTRAINT "reports_reason_chk" CHECK ("reports"."reason" in ('spam','abuse','danger','other')),
	CONSTRAINT "reports_status_chk" CHECK ("reports"."status" in ('new','in_review','resolved','dismissed')),
	CONSTRAINT "reports_distinct_chk" CHECK ("reports"."from_user" <> "reports"."to_user")
);
--> statement-breakpoint
CREATE TABLE "safety_flags" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"chat_session_id" bigint,
	"user_id" bigint NOT NULL,
	"label" varchar(32) NOT NULL,
	"severity" smallint NOT NULL,
	"source" varchar(16) DEFAULT 'classifier' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "safety_flags_severity_chk" CHECK ("safety_flags"."severity" between 0 and 3)
);
--> statement-breakpoint
CREATE TABLE "tips" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"chat_session_id" bigint NOT NULL,
	"from_user" bigint,
	"to_user" bigint,
	"amount" integer NOT NULL,
	"currency" varchar(8) DEFAULT 'XTR' NOT NULL,
	"provider" varchar(32) DEFAULT 'telegram-stars' NOT NULL,
	"provider_fee" integer DEFAULT 0 NOT NULL,
	"our_commission" integer DEFAULT 0 NOT NULL,
	"recipient_share" integer DEFAULT 0 NOT NULL,
	"status" varchar(16) DEFAULT 'pending' NOT NULL,
	"invoice_payload" varchar(128),
	"telegram_payment_charge_id" varchar(128),
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"paid_at" timestamp with time zone,
	"refunded_at" timestamp with time zone,
	CONSTRAINT "tips_telegram_payment_charge_id_unique" UNIQUE("telegram_payment_charge_id"),
	CONSTRAINT "tips_amount_chk" CHECK ("tips"."amount" between 1 and 10000),
	CONSTRAINT "tips_currency_chk" CHECK ("tips"."currency" in ('XTR')),
	CONSTRAINT "tips_status_chk" CHECK ("tips"."status" in ('pending','paid','refunded','failed')),
	CONSTRAINT "tips_money_chk" CHECK ("tips"."provider_fee" >= 0 and "tips"."our_commission" >= 0 and "tips"."recipient_share" >= 0 and "tips"."provider_fee" + "tips"."our_commission" + "tips"."recipient_share" <= "tips"."amount"),
	CONSTRAINT "tips_paid_has_charge_chk" CHECK ("tips"."status" not in ('paid','refunded') or "tips"."telegram_payment_charge_id" is not null)
);
--> statement-breakpoint
CREATE TABLE "topic_groups" (
	"slug" varchar(32) PRIMARY KEY NOT NULL,
	"title" varchar(64) NOT NULL,
	"sort_order" smallint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "topics" (
	"id" serial PRIMARY KEY NOT NULL,
	"slug" varchar(32) NOT NULL,
	"title" varchar(64) NOT NULL,
	"group_slug" varchar(32) NOT NULL,
	"sort_order" smallint DEFAULT 0 NOT NULL,
	CONSTRAINT "topics_slug_unique" UNIQUE("slug"),
	CONSTRAINT "topics_slug_chk" CHECK ("topics"."slug" ~ '^[a-z][a-z0-9_-]*$')
);
--> statement-breakpoint
CREATE TABLE "user_topics" (
	"user_id" bigint NOT NULL,
	"topic_id" integer NOT NULL,
	"weight" smallint DEFAULT 2 NOT NULL,
	CONSTRAINT "user_topics_user_id_topic_id_pk" PRIMARY KEY("user_id","topic_id"),
	CONSTRAINT "user_topics_weight_chk" CHECK ("user_topics"."weight" between 1 and 3)
);
--> statement-breakpoint
CREATE TABLE "user_wishlist_topics" (
	"user_id" bigint NOT NULL,
	"topic_id" integer NOT NULL,
	CONSTRAINT "user_wishlist_topics_user_id_topic_id_pk" PRIMARY KEY("user_id","topic_id")
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tg_id" bigint,
	"nickname" varchar(32),
	"tz" varchar(64),
	"bio_short" varchar(160),
	"safety_ack" boolean DEFAULT false NOT NULL,
	"safety_ack_at" timestamp with time zone,
	"rules_version" integer,
	"status" varchar(16) DEFAULT 'active' NOT NULL,
	"suspended_until" timestamp with time zone,
	"receive_proposals" boolean DEFAULT false NOT NULL,
	"rating_sum" integer DEFAULT 0 NOT NULL,
	"rating_count" integer DEFAULT 0 NOT NULL,
	"start_payload" varchar(64),
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "users_tg_id_unique" UNIQUE("tg_id"),
	CONSTRAINT "users_status_chk" CHECK ("users"."status" in ('active','suspended','banned','deleted')),
	CONSTRAINT "users_rating_chk" CHECK ("users"."rating_sum" >= 0 and "users"."rating_count" >= 0),
	CONSTRAINT "users_deleted_no_tg_chk" CHECK ("users"."status" <> 'deleted' or "users"."tg_id" is null)
);
--> statement-breakpoint
ALTER TABLE "ai_hints" ADD CONSTRAINT "ai_hints_chat_session_id_chat_sessions_id_fk" FOREIGN KEY ("chat_session_id") REFERENCES "public"."chat_sessions"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ai_hints" ADD CONSTRAINT "ai_hints_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chat_sessions" ADD CONSTRAINT "chat_sessions_match_id_matches_id_fk" FOREIGN KEY ("match_id") REFERENCES "public"."matches"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chat_sessions" ADD CONSTRAINT "chat_sessions_ended_by_users_id_fk" FOREIGN KEY ("ended_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "engagements" ADD CONSTRAINT "engagements_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "engagements" ADD CONSTRAINT "engagements_match_id_matches_id_fk" FOREIGN KEY ("match_id") REFERENCES "public"."matches"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "experiment_assignments" ADD CONSTRAINT "experiment_assignments_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flow_states" ADD CONSTRAINT "flow_states_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "match_queue" ADD CONSTRAINT "match_queue_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "matches" ADD CONSTRAINT "matches_user_a_users_id_fk" FOREIGN KEY ("user_a") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "matches" ADD CONSTRAINT "matches_user_b_users_id_fk" FOREIGN KEY ("user_b") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "moderation_actions" ADD CONSTRAINT "moderation_actions_target_user_users_id_fk" FOREIGN KEY ("target_user") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "moderation_actions" ADD CONSTRAINT "moderation_actions_report_id_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."reports"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "preferences" ADD CONSTRAINT "preferences_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recent_contacts" ADD CONSTRAINT "recent_contacts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recent_contacts" ADD CONSTRAINT "recent_contacts_other_id_users_id_fk" FOREIGN KEY ("other_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reports" ADD CONSTRAINT "reports_chat_session_id_chat_sessions_id_fk" FOREIGN KEY ("chat_session_id") REFERENCES "public"."chat_sessions"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reports" ADD CONSTRAINT "reports_from_user_users_id_fk" FOREIGN KEY ("from_user") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reports" ADD CONSTRAINT "reports_to_user_users_id_fk" FOREIGN KEY ("to_user") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "safety_flags" ADD CONSTRAINT "safety_flags_chat_session_id_chat_sessions_id_fk" FOREIGN KEY ("chat_session_id") REFERENCES "public"."chat_sessions"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "safety_flags" ADD CONSTRAINT "safety_flags_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tips" ADD CONSTRAINT "tips_chat_session_id_chat_sessions_id_fk" FOREIGN KEY ("chat_session_id") REFERENCES "public"."chat_sessions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tips" ADD CONSTRAINT "tips_from_user_users_id_fk" FOREIGN KEY ("from_user") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tips" ADD CONSTRAINT "tips_to_user_users_id_fk" FOREIGN KEY ("to_user") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "topics" ADD CONSTRAINT "topics_group_slug_topic_groups_slug_fk" FOREIGN KEY ("group_slug") REFERENCES "public"."topic_groups"("slug") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_topics" ADD CONSTRAINT "user_topics_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_topics" ADD CONSTRAINT "user_topics_topic_id_topics_id_fk" FOREIGN KEY ("topic_id") REFERENCES "public"."topics"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_wishlist_topics" ADD CONSTRAINT "user_wishlist_topics_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_wishlist_topics" ADD CONSTRAINT "user_wishlist_topics_topic_id_topics_id_fk" FOREIGN KEY ("topic_id") REFERENCES "public"."topics"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "chat_sessions_open_idx" ON "chat_sessions" USING btree ("started_at") WHERE "chat_sessions"."ended_at" is null;--> statement-breakpoint
CREATE INDEX "match_queue_expires_idx" ON "match_queue" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "matches_pair_idx" ON "matches" USING btree ("user_a","user_b");--> statement-breakpoint
CREATE INDEX "matches_user_b_idx" ON "matches" USING btree ("user_b");--> statement-breakpoint
CREATE INDEX "matches_open_expiry_idx" ON "matches" USING btree ("expires_at") WHERE "matches"."status" = 'proposed';--> statement-breakpoint
CREATE INDEX "moderation_actions_target_idx" ON "moderation_actions" USING btree ("target_user");--> statement-breakpoint
CREATE INDEX "recent_contacts_other_idx" ON "recent_contacts" USING btree ("other_id");--> statement-breakpoint
CREATE UNIQUE INDEX "reports_once_per_session_uq" ON "reports" USING btree ("chat_session_id","from_user") WHERE "reports"."chat_session_id" is not null;--> statement-breakpoint
CREATE INDEX "reports_target_open_idx" ON "reports" USING btree ("to_user") WHERE "reports"."status" in ('new','in_review');--> statement-breakpoint
CREATE INDEX "safety_flags_session_idx" ON "safety_flags" USING btree ("chat_session_id");--> statement-breakpoint
CREATE INDEX "tips_session_idx" ON "tips" USING btree ("chat_session_id");--> statement-breakpoint
CREATE INDEX "tips_to_user_idx" ON "tips" USING btree ("to_user");--> statement-breakpoint
CREATE INDEX "user_topics_topic_idx" ON "user_topics" USING btree ("topic_id");