ALTER TABLE "sos_hotlines" ADD COLUMN "problem_reports" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "sos_hotlines" ADD COLUMN "problem_reported_at" timestamp with time zone;