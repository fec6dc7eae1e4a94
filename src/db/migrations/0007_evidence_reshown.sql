ALTER TABLE "report_evidence" ALTER COLUMN "mod_chat_message_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "report_evidence" ADD COLUMN "shown_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "report_evidence" ADD COLUMN "source_message_id" bigint;--> statement-breakpoint
ALTER TABLE "report_evidence" ADD COLUMN "origin" varchar(16) DEFAULT 'conversation' NOT NULL;--> statement-breakpoint
ALTER TABLE "report_evidence" ADD CONSTRAINT "report_evidence_origin_chk" CHECK ("report_evidence"."origin" in ('conversation','self','elsewhere'));--> statement-breakpoint
UPDATE "report_evidence" SET "shown_at" = "created_at" WHERE "mod_chat_message_id" IS NOT NULL;
