CREATE TABLE "job_runs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"organization_id" text,
	"queue" text NOT NULL,
	"created_by" text,
	"progress" smallint DEFAULT 0 NOT NULL,
	"step" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "job_runs_org_created_idx" ON "job_runs" USING btree ("organization_id","created_at","id");--> statement-breakpoint
CREATE INDEX "job_runs_created_idx" ON "job_runs" USING btree ("created_at");