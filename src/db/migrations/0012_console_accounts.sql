CREATE TABLE "console_accounts" (
	"id" serial PRIMARY KEY NOT NULL,
	"login" varchar(32) NOT NULL,
	"role" varchar(16) NOT NULL,
	"password_hash" varchar(256),
	"setup_token_hash" varchar(64),
	"setup_expires_at" timestamp with time zone,
	"failed_sign_ins" integer DEFAULT 0 NOT NULL,
	"locked_until" timestamp with time zone,
	"last_sign_in_at" timestamp with time zone,
	"disabled" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "console_accounts_login_unique" UNIQUE("login"),
	CONSTRAINT "console_accounts_role_chk" CHECK ("console_accounts"."role" in ('moderator','admin')),
	CONSTRAINT "console_accounts_login_chk" CHECK ("console_accounts"."login" ~ '^[a-z][a-z0-9_.-]{2,31}$')
);
--> statement-breakpoint
ALTER TABLE "tips" ADD COLUMN "refund_reason" varchar(500);