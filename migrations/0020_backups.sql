CREATE TABLE "backup_schedules" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"cron" text NOT NULL,
	"timezone" text NOT NULL,
	"keep_daily" integer NOT NULL,
	"keep_weekly" integer NOT NULL,
	"keep_monthly" integer NOT NULL,
	"enabled" boolean NOT NULL,
	"next_run_at" timestamp (3) with time zone NOT NULL,
	"last_run_at" timestamp (3) with time zone,
	"created_by" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "backups" (
	"id" text PRIMARY KEY NOT NULL,
	"status" text NOT NULL,
	"trigger" text NOT NULL,
	"schedule_id" text,
	"job_id" text,
	"created_by" text,
	"organization_id" text,
	"storage_key" text NOT NULL,
	"size_bytes" bigint,
	"sha256" text,
	"key_id" text,
	"app_version" text,
	"schema_level" text,
	"database_kind" text,
	"table_count" integer,
	"row_count" bigint,
	"file_count" integer,
	"skipped_tables" jsonb,
	"error" text,
	"started_at" timestamp (3) with time zone,
	"completed_at" timestamp (3) with time zone,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "backup_schedules_due_idx" ON "backup_schedules" USING btree ("enabled","next_run_at");--> statement-breakpoint
CREATE INDEX "backups_created_idx" ON "backups" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "backups_schedule_idx" ON "backups" USING btree ("schedule_id","created_at");