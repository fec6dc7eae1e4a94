ALTER TABLE "chat_sessions" ADD COLUMN "extend_asked_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "chat_sessions" ADD COLUMN "extend_vote_a" boolean;--> statement-breakpoint
ALTER TABLE "chat_sessions" ADD COLUMN "extend_vote_b" boolean;--> statement-breakpoint
CREATE INDEX "chat_sessions_timer_idx" ON "chat_sessions" USING btree ("expires_at") WHERE "chat_sessions"."ended_at" is null and "chat_sessions"."expires_at" is not null;