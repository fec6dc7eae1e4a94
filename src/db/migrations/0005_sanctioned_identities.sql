CREATE TABLE "sanctioned_identities" (
	"tg_hash" varchar(64) PRIMARY KEY NOT NULL,
	"status" varchar(16) NOT NULL,
	"until" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sanctioned_identities_status_chk" CHECK ("sanctioned_identities"."status" in ('banned','suspended'))
);
