ALTER TABLE "payment_allocations" ADD COLUMN "applied_on" date;--> statement-breakpoint
-- Allocations recorded with their payment (within a minute of it) count from the payment's date;
-- credit applied later counts from the day it was applied (UTC).
UPDATE "payment_allocations" AS a SET "applied_on" = CASE WHEN a."created_at" - p."created_at" < interval '1 minute' THEN p."date" ELSE (a."created_at" AT TIME ZONE 'UTC')::date END FROM "payments" AS p WHERE p."id" = a."payment_id";--> statement-breakpoint
ALTER TABLE "payment_allocations" ALTER COLUMN "applied_on" SET NOT NULL;
