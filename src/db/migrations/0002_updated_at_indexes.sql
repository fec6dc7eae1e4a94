CREATE INDEX "preferences_updated_at_idx" ON "preferences" USING btree ("updated_at");--> statement-breakpoint
CREATE INDEX "users_updated_at_idx" ON "users" USING btree ("updated_at");