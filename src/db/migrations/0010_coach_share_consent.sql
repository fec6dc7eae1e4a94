ALTER TABLE "users" ADD COLUMN "coach_share_consent" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "coach_share_asked" boolean DEFAULT false NOT NULL;