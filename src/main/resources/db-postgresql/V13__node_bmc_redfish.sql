-- PostgreSQL twin of db/V13__node_bmc_redfish.sql (doc/postgresql.md): the same columns; PostgreSQL widens a
-- column with ALTER COLUMN ... TYPE (H2's ALTER COLUMN ... VARCHAR(64) NOT NULL is not its syntax; the NOT NULL
-- of V12 stays).
ALTER TABLE node_bmc ADD COLUMN system VARCHAR(255);
ALTER TABLE node_bmc ADD COLUMN certificate_sha256 CHAR(64);
ALTER TABLE node_bmc ALTER COLUMN username TYPE VARCHAR(64);
