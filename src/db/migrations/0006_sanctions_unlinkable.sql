ALTER TABLE "sanctioned_identities" DROP COLUMN "created_at";--> statement-breakpoint
UPDATE "sanctioned_identities" SET "until" = (date_trunc('day', "until" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') + interval '1 day' WHERE "until" IS NOT NULL AND "until" <> (date_trunc('day', "until" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC');--> statement-breakpoint
UPDATE "sos_hotlines" SET "verified_at" = '2000-01-01T00:00:00Z' WHERE "source" LIKE 'Указан в задаче проекта%' AND "verified_at" = '2026-11-23T00:00:00Z';
