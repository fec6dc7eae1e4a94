-- Every change that matters to matching moves users.updated_at / preferences.updated_at, whatever code
-- made it: the worker's candidate index refreshes from rows changed since its last look.
CREATE OR REPLACE FUNCTION tno_touch_updated_at() RETURNS trigger AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER users_touch_updated_at BEFORE UPDATE ON users
  FOR EACH ROW EXECUTE FUNCTION tno_touch_updated_at();
--> statement-breakpoint
CREATE TRIGGER preferences_touch_updated_at BEFORE UPDATE ON preferences
  FOR EACH ROW EXECUTE FUNCTION tno_touch_updated_at();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION tno_touch_user_from_topics() RETURNS trigger AS $$
BEGIN
  UPDATE users SET updated_at = now() WHERE id = COALESCE(NEW.user_id, OLD.user_id);
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER user_topics_touch_user AFTER INSERT OR UPDATE OR DELETE ON user_topics
  FOR EACH ROW EXECUTE FUNCTION tno_touch_user_from_topics();
