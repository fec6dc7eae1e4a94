CREATE TABLE "check_ins" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"user_id" bigint NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"status" varchar(16) DEFAULT 'scheduled' NOT NULL,
	"answer" varchar(8),
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	"answered_at" timestamp with time zone,
	CONSTRAINT "check_ins_status_chk" CHECK ("check_ins"."status" in ('scheduled','sent','answered','cancelled')),
	CONSTRAINT "check_ins_answer_chk" CHECK ("check_ins"."answer" is null or "check_ins"."answer" in ('better','same','worse'))
);
--> statement-breakpoint
ALTER TABLE "sos_hotlines" ADD COLUMN "kind" varchar(16) DEFAULT 'support' NOT NULL;--> statement-breakpoint
ALTER TABLE "sos_hotlines" ADD COLUMN "russian_speaking" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "check_ins" ADD CONSTRAINT "check_ins_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "check_ins_due_idx" ON "check_ins" USING btree ("status","due_at");--> statement-breakpoint
CREATE INDEX "check_ins_user_idx" ON "check_ins" USING btree ("user_id");--> statement-breakpoint
ALTER TABLE "sos_hotlines" ADD CONSTRAINT "sos_hotlines_kind_chk" CHECK ("sos_hotlines"."kind" in ('emergency','support'));--> statement-breakpoint
UPDATE "sos_hotlines" SET "kind" = 'emergency' WHERE regexp_replace("phone", '\D', '', 'g') IN ('112','101','103','911','999','998','124','194','1669');--> statement-breakpoint
UPDATE "sos_hotlines" SET "russian_speaking" = true WHERE "kind" = 'support' AND "country" IN ('RU','BY','KZ','KG','UZ','AM','AZ','UA','TJ','MD');
