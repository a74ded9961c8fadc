CREATE TABLE "billing_exchange_rates" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"currency" text NOT NULL,
	"date" date NOT NULL,
	"rate" numeric(30, 10) NOT NULL,
	"created_by" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "recurring_invoice_runs" (
	"schedule_id" text NOT NULL,
	"period_start" date NOT NULL,
	"organization_id" text NOT NULL,
	"invoice_id" text,
	"finalize_error" text,
	"send_error" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "recurring_invoice_runs_schedule_id_period_start_pk" PRIMARY KEY("schedule_id","period_start")
);
--> statement-breakpoint
CREATE TABLE "recurring_invoices" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"client_id" text NOT NULL,
	"template" jsonb NOT NULL,
	"interval" text NOT NULL,
	"interval_count" integer DEFAULT 1 NOT NULL,
	"start_date" date NOT NULL,
	"end_date" date,
	"count" integer,
	"auto_finalize" boolean DEFAULT false NOT NULL,
	"auto_send" boolean DEFAULT false NOT NULL,
	"status" text NOT NULL,
	"next_period" integer DEFAULT 0 NOT NULL,
	"next_run_date" date,
	"invoices_generated" integer DEFAULT 0 NOT NULL,
	"last_run_at" timestamp (3) with time zone,
	"last_error" text,
	"created_by" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "billing_exchange_rates_org_currency_date_idx" ON "billing_exchange_rates" USING btree ("organization_id","currency","date");--> statement-breakpoint
CREATE INDEX "billing_exchange_rates_org_created_idx" ON "billing_exchange_rates" USING btree ("organization_id","created_at","id");--> statement-breakpoint
CREATE INDEX "recurring_invoices_org_created_idx" ON "recurring_invoices" USING btree ("organization_id","created_at","id");--> statement-breakpoint
CREATE INDEX "recurring_invoices_due_idx" ON "recurring_invoices" USING btree ("status","next_run_date");