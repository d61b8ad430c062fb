-- PostgreSQL twin of db/V17__dns_record_notify.sql: every committed statement that changes the operator's DNS
-- records sends NOTIFY anvil_dns_records (no payload: each instance compares the whole list, a few rows); the
-- listener of node changes (PgNodeListener) listens to it too (issue 20, doc/scale-out.md).
CREATE FUNCTION anvil_notify_dns_records() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('anvil_dns_records', '');
  RETURN NULL;
END;
$$;

CREATE TRIGGER dns_records_notify AFTER INSERT OR UPDATE OR DELETE ON dns_records
  FOR EACH STATEMENT EXECUTE FUNCTION anvil_notify_dns_records();
