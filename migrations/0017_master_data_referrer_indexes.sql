CREATE INDEX "clients_payment_terms_idx" ON "clients" USING btree ("payment_terms_id") WHERE "clients"."payment_terms_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "credit_note_lines_tax_code_idx" ON "credit_note_lines" USING btree ("tax_code_id") WHERE "credit_note_lines"."tax_code_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "invoice_lines_tax_code_idx" ON "invoice_lines" USING btree ("tax_code_id") WHERE "invoice_lines"."tax_code_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "invoice_lines_unit_idx" ON "invoice_lines" USING btree ("unit_id") WHERE "invoice_lines"."unit_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "invoices_payment_terms_idx" ON "invoices" USING btree ("payment_terms_id") WHERE "invoices"."payment_terms_id" IS NOT NULL;