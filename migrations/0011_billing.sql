CREATE TABLE "client_contacts" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"client_id" text NOT NULL,
	"name" text NOT NULL,
	"email" text,
	"phone" text,
	"is_primary" boolean DEFAULT false NOT NULL,
	"position" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "clients" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"name" text NOT NULL,
	"email" text,
	"phone" text,
	"currency" text NOT NULL,
	"billing_address" jsonb NOT NULL,
	"shipping_address" jsonb,
	"tax_id" text,
	"payment_terms_id" text,
	"credit_limit" numeric(30, 6),
	"tags" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"notes" text DEFAULT '' NOT NULL,
	"created_by" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "billing_categories" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"company_id" text,
	"name" text NOT NULL,
	"code" text NOT NULL,
	"category_type" text NOT NULL,
	"parent_category_id" text,
	"level" integer DEFAULT 0 NOT NULL,
	"path" text NOT NULL,
	"description" text,
	"is_active" boolean DEFAULT true NOT NULL,
	"sort_order" integer DEFAULT 0 NOT NULL,
	"default_income_account_id" text,
	"default_expense_account_id" text,
	"default_tax_code_id" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "billing_payment_terms" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"name" text NOT NULL,
	"code" text NOT NULL,
	"description" text,
	"payment_days" integer NOT NULL,
	"early_payment_discount_days" integer,
	"early_payment_discount_rate" numeric(9, 4),
	"late_payment_penalty_rate" numeric(9, 4),
	"late_payment_penalty_period" text,
	"payment_schedule" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"credit_limit_amount" numeric(20, 4),
	"currency" text NOT NULL,
	"requires_approval" boolean DEFAULT false NOT NULL,
	"is_active" boolean DEFAULT true NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "billing_tax_codes" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"name" text NOT NULL,
	"code" text NOT NULL,
	"tax_type" text NOT NULL,
	"rate" numeric(9, 4) NOT NULL,
	"components" jsonb NOT NULL,
	"hsn_sac_code" text,
	"description" text,
	"effective_from" date NOT NULL,
	"effective_to" date,
	"is_active" boolean DEFAULT true NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "billing_units" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"company_id" text,
	"name" text NOT NULL,
	"symbol" text NOT NULL,
	"unit_type" text NOT NULL,
	"description" text,
	"is_base_unit" boolean DEFAULT false NOT NULL,
	"conversion_factor" numeric(32, 16) NOT NULL,
	"decimal_places" integer DEFAULT 2 NOT NULL,
	"is_active" boolean DEFAULT true NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "billing_settings" (
	"organization_id" text PRIMARY KEY NOT NULL,
	"legal_name" text,
	"address" jsonb,
	"tax_id" text,
	"logo_file_id" text,
	"base_currency" text NOT NULL,
	"invoice_number_pattern" text NOT NULL,
	"credit_note_number_pattern" text NOT NULL,
	"default_payment_terms_id" text,
	"default_notes" text DEFAULT '' NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "client_contacts_client_idx" ON "client_contacts" USING btree ("client_id","position");--> statement-breakpoint
CREATE UNIQUE INDEX "client_contacts_one_primary_idx" ON "client_contacts" USING btree ("client_id") WHERE "client_contacts"."is_primary";--> statement-breakpoint
CREATE INDEX "clients_org_created_idx" ON "clients" USING btree ("organization_id","created_at","id");--> statement-breakpoint
CREATE INDEX "clients_org_name_idx" ON "clients" USING btree ("organization_id","name","id");--> statement-breakpoint
CREATE UNIQUE INDEX "clients_org_tax_id_idx" ON "clients" USING btree ("organization_id","tax_id") WHERE "clients"."tax_id" IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "billing_categories_org_code_idx" ON "billing_categories" USING btree ("organization_id",lower("code"));--> statement-breakpoint
CREATE INDEX "billing_categories_org_parent_idx" ON "billing_categories" USING btree ("organization_id","parent_category_id");--> statement-breakpoint
CREATE INDEX "billing_categories_org_path_idx" ON "billing_categories" USING btree ("organization_id","path");--> statement-breakpoint
CREATE INDEX "billing_categories_org_sort_idx" ON "billing_categories" USING btree ("organization_id","sort_order","id");--> statement-breakpoint
CREATE INDEX "billing_categories_org_created_idx" ON "billing_categories" USING btree ("organization_id","created_at","id");--> statement-breakpoint
CREATE INDEX "billing_categories_org_name_idx" ON "billing_categories" USING btree ("organization_id","name","id");--> statement-breakpoint
CREATE UNIQUE INDEX "billing_payment_terms_org_code_idx" ON "billing_payment_terms" USING btree ("organization_id",lower("code"));--> statement-breakpoint
CREATE INDEX "billing_payment_terms_org_created_idx" ON "billing_payment_terms" USING btree ("organization_id","created_at","id");--> statement-breakpoint
CREATE INDEX "billing_payment_terms_org_name_idx" ON "billing_payment_terms" USING btree ("organization_id","name","id");--> statement-breakpoint
CREATE INDEX "billing_tax_codes_org_code_idx" ON "billing_tax_codes" USING btree ("organization_id",lower("code"),"effective_from");--> statement-breakpoint
CREATE INDEX "billing_tax_codes_org_created_idx" ON "billing_tax_codes" USING btree ("organization_id","created_at","id");--> statement-breakpoint
CREATE INDEX "billing_tax_codes_org_name_idx" ON "billing_tax_codes" USING btree ("organization_id","name","id");--> statement-breakpoint
CREATE UNIQUE INDEX "billing_units_org_symbol_idx" ON "billing_units" USING btree ("organization_id","symbol");--> statement-breakpoint
CREATE UNIQUE INDEX "billing_units_org_base_idx" ON "billing_units" USING btree ("organization_id","unit_type") WHERE "billing_units"."is_base_unit";--> statement-breakpoint
CREATE INDEX "billing_units_org_created_idx" ON "billing_units" USING btree ("organization_id","created_at","id");--> statement-breakpoint
CREATE INDEX "billing_units_org_name_idx" ON "billing_units" USING btree ("organization_id","name","id");