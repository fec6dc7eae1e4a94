CREATE TABLE "searches" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"user_id" bigint NOT NULL,
	"variant" varchar(16) NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"proposed_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "searches" ADD CONSTRAINT "searches_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "searches_user_started_idx" ON "searches" USING btree ("user_id","started_at");--> statement-breakpoint
CREATE INDEX "searches_started_idx" ON "searches" USING btree ("started_at");--> statement-breakpoint
CREATE INDEX "chat_sessions_ended_idx" ON "chat_sessions" USING btree ("ended_at") WHERE "chat_sessions"."ended_at" is not null;--> statement-breakpoint
CREATE INDEX "matches_decided_idx" ON "matches" USING btree ("decided_at");