CREATE TABLE "document_sequences" (
	"organization_id" text NOT NULL,
	"kind" text NOT NULL,
	"scope" text NOT NULL,
	"last_value" integer NOT NULL,
	CONSTRAINT "document_sequences_organization_id_kind_scope_pk" PRIMARY KEY("organization_id","kind","scope")
);
--> statement-breakpoint
CREATE TABLE "invoice_lines" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"invoice_id" text NOT NULL,
	"position" integer NOT NULL,
	"description" text NOT NULL,
	"quantity" numeric(30, 6) NOT NULL,
	"unit_id" text,
	"unit_price" numeric(30, 6) NOT NULL,
	"discount_percent" numeric(9, 4) DEFAULT '0' NOT NULL,
	"tax_code_id" text,
	"hsn_sac_code" text,
	"amount" numeric(30, 6) NOT NULL,
	"discount_amount" numeric(30, 6) NOT NULL,
	"taxable_amount" numeric(30, 6) NOT NULL,
	"tax_amount" numeric(30, 6) NOT NULL,
	"total" numeric(30, 6) NOT NULL,
	"tax_components" jsonb DEFAULT '[]'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "invoices" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"client_id" text NOT NULL,
	"number" text,
	"status" text NOT NULL,
	"currency" text NOT NULL,
	"issue_date" date NOT NULL,
	"due_date" date,
	"due_date_given" boolean DEFAULT false NOT NULL,
	"place_of_supply" text,
	"supply_type" text NOT NULL,
	"payment_terms_id" text,
	"exchange_rate" numeric(30, 10),
	"notes" text DEFAULT '' NOT NULL,
	"subtotal" numeric(30, 6) NOT NULL,
	"discount_total" numeric(30, 6) NOT NULL,
	"tax_total" numeric(30, 6) NOT NULL,
	"total" numeric(30, 6) NOT NULL,
	"amount_paid" numeric(30, 6) DEFAULT '0' NOT NULL,
	"tax_breakdown" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"hsn_summary" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"installments" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"issuer" jsonb,
	"customer" jsonb,
	"overdue" boolean DEFAULT false NOT NULL,
	"void_reason" text,
	"finalized_at" timestamp (3) with time zone,
	"sent_at" timestamp (3) with time zone,
	"viewed_at" timestamp (3) with time zone,
	"paid_at" timestamp (3) with time zone,
	"voided_at" timestamp (3) with time zone,
	"marked_uncollectible_at" timestamp (3) with time zone,
	"created_by" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "invoice_lines_invoice_idx" ON "invoice_lines" USING btree ("invoice_id","position");--> statement-breakpoint
CREATE INDEX "invoices_org_created_idx" ON "invoices" USING btree ("organization_id","created_at","id");--> statement-breakpoint
CREATE INDEX "invoices_org_status_created_idx" ON "invoices" USING btree ("organization_id","status","created_at","id");--> statement-breakpoint
CREATE INDEX "invoices_org_client_idx" ON "invoices" USING btree ("organization_id","client_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "invoices_org_number_idx" ON "invoices" USING btree ("organization_id","number") WHERE "invoices"."number" IS NOT NULL;