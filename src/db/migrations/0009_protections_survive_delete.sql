CREATE TABLE "kept_apart_identities" (
	"tg_hash" varchar(64) NOT NULL,
	"other_id" bigint NOT NULL,
	"reason" varchar(16) NOT NULL,
	"until" timestamp with time zone NOT NULL,
	"open_report" varchar(16),
	CONSTRAINT "kept_apart_identities_tg_hash_other_id_pk" PRIMARY KEY("tg_hash","other_id"),
	CONSTRAINT "kept_apart_identities_reason_chk" CHECK ("kept_apart_identities"."reason" in ('blocked','reported')),
	CONSTRAINT "kept_apart_identities_open_report_chk" CHECK ("kept_apart_identities"."open_report" is null or "kept_apart_identities"."open_report" in ('spam','abuse','danger','other'))
);
--> statement-breakpoint
CREATE TABLE "struck_identities" (
	"tg_hash" varchar(64) PRIMARY KEY NOT NULL,
	"toxicity_strikes" integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE "kept_apart_identities" ADD CONSTRAINT "kept_apart_identities_other_id_users_id_fk" FOREIGN KEY ("other_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;