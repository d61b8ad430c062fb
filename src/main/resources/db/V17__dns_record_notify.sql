-- The operator's DNS records told to every instance sharing the store (issue 20, doc/scale-out.md). H2 is one
-- instance: this version only keeps both backends at the same number. The PostgreSQL twin
-- (db-postgresql/V17__dns_record_notify.sql) adds the trigger that NOTIFYs anvil_dns_records.
SELECT 1 FROM dns_records WHERE 1 = 0;
