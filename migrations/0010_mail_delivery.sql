CREATE TABLE "mail_send_slots" (
	"lane" text PRIMARY KEY NOT NULL,
	"next_at" timestamp (3) with time zone NOT NULL
);
