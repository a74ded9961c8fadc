-- The audit trail is append-only: no UPDATE, no DELETE, whoever asks. The one exception is
-- GDPR erasure, which clears personal fields (ip, user agent, metadata) of one actor's entries
-- inside a transaction that first ran SET LOCAL deskbase.audit_anonymize = 'on'.
CREATE FUNCTION audit_logs_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE'
     AND current_setting('deskbase.audit_anonymize', true) = 'on'
     AND NEW.id = OLD.id AND NEW.organization_id = OLD.organization_id
     AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id AND NEW.action = OLD.action
     AND NEW.resource_type = OLD.resource_type AND NEW.resource_id IS NOT DISTINCT FROM OLD.resource_id
     AND NEW.outcome = OLD.outcome AND NEW.severity = OLD.severity AND NEW.created_at = OLD.created_at
     AND NEW.ip_address IS NULL AND NEW.user_agent IS NULL THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_logs is append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER audit_logs_append_only BEFORE UPDATE OR DELETE ON audit_logs
  FOR EACH ROW EXECUTE FUNCTION audit_logs_append_only();
--> statement-breakpoint
CREATE TRIGGER audit_logs_no_truncate BEFORE TRUNCATE ON audit_logs
  FOR EACH STATEMENT EXECUTE FUNCTION audit_logs_append_only();
