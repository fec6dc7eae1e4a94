CREATE TABLE "digest_runs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"user_id" bigint NOT NULL,
	"arm" varchar(8) NOT NULL,
	"outcome" varchar(16) NOT NULL,
	"candidates" smallint DEFAULT 0 NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"searched_at" timestamp with time zone,
	"stopped_at" timestamp with time zone,
	CONSTRAINT "digest_runs_arm_chk" CHECK ("digest_runs"."arm" in ('digest','control')),
	CONSTRAINT "digest_runs_outcome_chk" CHECK ("digest_runs"."outcome" in ('sent','held','empty','busy','unreachable','failed'))
);
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "receive_proposals_since" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "digest_enabled" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "digest_anchor_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "digest_next_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "unreachable_since" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "digest_runs" ADD CONSTRAINT "digest_runs_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "digest_runs_user_at_idx" ON "digest_runs" USING btree ("user_id","at");--> statement-breakpoint
CREATE INDEX "digest_runs_at_idx" ON "digest_runs" USING btree ("at");--> statement-breakpoint
CREATE INDEX "users_digest_due_idx" ON "users" USING btree ("digest_next_at") WHERE "users"."digest_enabled";