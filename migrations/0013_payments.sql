CREATE TABLE "payment_allocations" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"payment_id" text NOT NULL,
	"invoice_id" text NOT NULL,
	"amount" numeric(30, 6) NOT NULL,
	"refunded_amount" numeric(30, 6) DEFAULT '0' NOT NULL,
	"created_by" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "payment_refunds" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"payment_id" text NOT NULL,
	"amount" numeric(30, 6) NOT NULL,
	"currency" text NOT NULL,
	"reason" text NOT NULL,
	"date" date NOT NULL,
	"from_unapplied" numeric(30, 6) NOT NULL,
	"allocations" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"provider" text NOT NULL,
	"provider_reference" text,
	"created_by" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "payments" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"client_id" text NOT NULL,
	"amount" numeric(30, 6) NOT NULL,
	"currency" text NOT NULL,
	"date" date NOT NULL,
	"method" text NOT NULL,
	"reference" text,
	"provider" text NOT NULL,
	"provider_reference" text,
	"status" text NOT NULL,
	"unapplied_amount" numeric(30, 6) NOT NULL,
	"refunded_amount" numeric(30, 6) DEFAULT '0' NOT NULL,
	"notes" text DEFAULT '' NOT NULL,
	"created_by" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "amount_refunded" numeric(30, 6) DEFAULT '0' NOT NULL;--> statement-breakpoint
CREATE INDEX "payment_allocations_payment_idx" ON "payment_allocations" USING btree ("payment_id","created_at");--> statement-breakpoint
CREATE INDEX "payment_allocations_invoice_idx" ON "payment_allocations" USING btree ("organization_id","invoice_id");--> statement-breakpoint
CREATE INDEX "payment_refunds_payment_idx" ON "payment_refunds" USING btree ("payment_id","created_at");--> statement-breakpoint
CREATE INDEX "payments_org_created_idx" ON "payments" USING btree ("organization_id","created_at","id");--> statement-breakpoint
CREATE INDEX "payments_org_date_idx" ON "payments" USING btree ("organization_id","date","id");--> statement-breakpoint
CREATE INDEX "payments_org_client_idx" ON "payments" USING btree ("organization_id","client_id","currency");