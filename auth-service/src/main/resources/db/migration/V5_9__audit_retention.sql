-- Audit events stay append-only for the application (no UPDATE, DELETE or TRUNCATE), except the deletion of rows past
-- their retention by common-lib's retention purge, which marks its own transaction with agency.purge = 'audit-events'
-- (RetentionRule, AuditRetention: a year unless agency.retention.keep.audit-events says otherwise).
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('agency.purge', true) = 'audit-events' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit_events is append-only';
END;
$$;
