CREATE TABLE "credit_note_lines" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"credit_note_id" text NOT NULL,
	"position" integer NOT NULL,
	"invoice_line_id" text,
	"description" text NOT NULL,
	"quantity" numeric(30, 6) NOT NULL,
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
CREATE TABLE "credit_notes" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"number" text NOT NULL,
	"invoice_id" text NOT NULL,
	"invoice_number" text NOT NULL,
	"client_id" text NOT NULL,
	"currency" text NOT NULL,
	"issue_date" date NOT NULL,
	"reason" text NOT NULL,
	"memo" text DEFAULT '' NOT NULL,
	"supply_type" text NOT NULL,
	"subtotal" numeric(30, 6) NOT NULL,
	"discount_total" numeric(30, 6) NOT NULL,
	"tax_total" numeric(30, 6) NOT NULL,
	"total" numeric(30, 6) NOT NULL,
	"applied_to_invoice" numeric(30, 6) NOT NULL,
	"credited_to_balance" numeric(30, 6) NOT NULL,
	"credit_payment_id" text,
	"tax_breakdown" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"hsn_summary" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_by" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "amount_credited" numeric(30, 6) DEFAULT '0' NOT NULL;--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "discount_taken" numeric(30, 6) DEFAULT '0' NOT NULL;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "credit_note_id" text;--> statement-breakpoint
CREATE INDEX "credit_note_lines_note_idx" ON "credit_note_lines" USING btree ("credit_note_id","position");--> statement-breakpoint
CREATE UNIQUE INDEX "credit_notes_org_number_idx" ON "credit_notes" USING btree ("organization_id","number");--> statement-breakpoint
CREATE INDEX "credit_notes_org_created_idx" ON "credit_notes" USING btree ("organization_id","created_at","id");--> statement-breakpoint
CREATE INDEX "credit_notes_org_invoice_idx" ON "credit_notes" USING btree ("organization_id","invoice_id");