CREATE TABLE "appeals" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"user_id" bigint NOT NULL,
	"moderation_action_id" bigint NOT NULL,
	"text" varchar(1000),
	"status" varchar(16) DEFAULT 'open' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"decided_at" timestamp with time zone,
	CONSTRAINT "appeals_moderation_action_id_unique" UNIQUE("moderation_action_id"),
	CONSTRAINT "appeals_status_chk" CHECK ("appeals"."status" in ('open','granted','rejected'))
);
--> statement-breakpoint
CREATE TABLE "report_evidence" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"report_id" bigint NOT NULL,
	"mod_chat_message_id" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sos_hotlines" (
	"id" serial PRIMARY KEY NOT NULL,
	"country" varchar(2) NOT NULL,
	"name" varchar(160) NOT NULL,
	"phone" varchar(64) NOT NULL,
	"description" varchar(400),
	"hours" varchar(64),
	"source" varchar(400) NOT NULL,
	"verified_at" timestamp with time zone NOT NULL,
	"sort_order" smallint DEFAULT 0 NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sos_hotlines_country_chk" CHECK ("sos_hotlines"."country" ~ '^([A-Z]{2}|[*])$')
);
--> statement-breakpoint
ALTER TABLE "users" ALTER COLUMN "nickname" SET DATA TYPE varchar(128);--> statement-breakpoint
ALTER TABLE "users" ALTER COLUMN "bio_short" SET DATA TYPE varchar(640);--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "toxicity_strikes" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "muted_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "coach_enabled" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "appeals" ADD CONSTRAINT "appeals_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "appeals" ADD CONSTRAINT "appeals_moderation_action_id_moderation_actions_id_fk" FOREIGN KEY ("moderation_action_id") REFERENCES "public"."moderation_actions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "report_evidence" ADD CONSTRAINT "report_evidence_report_id_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."reports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "report_evidence_report_idx" ON "report_evidence" USING btree ("report_id");--> statement-breakpoint
CREATE UNIQUE INDEX "sos_hotlines_country_phone_uq" ON "sos_hotlines" USING btree ("country","phone");