CREATE TABLE "invoice_activities" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"invoice_id" text NOT NULL,
	"type" text NOT NULL,
	"actor_id" text,
	"actor_type" text,
	"email_message_id" text,
	"recipient" text,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"delivery_checked_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "invoice_view_tokens" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"invoice_id" text NOT NULL,
	"created_by" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "invoice_activities_invoice_created_idx" ON "invoice_activities" USING btree ("organization_id","invoice_id","created_at","id");--> statement-breakpoint
CREATE INDEX "invoice_activities_delivery_pending_idx" ON "invoice_activities" USING btree ("created_at") WHERE "invoice_activities"."type" = 'sent' AND "invoice_activities"."delivery_checked_at" IS NULL;--> statement-breakpoint
CREATE INDEX "invoice_view_tokens_invoice_idx" ON "invoice_view_tokens" USING btree ("invoice_id");