-- Redfish BMCs (issue 19, doc/power.md): the ComputerSystem path when it is not the service root's first member,
-- the pinned SHA-256 of the BMC's TLS certificate (64 lower-case hex digits), and Redfish user names longer than
-- IPMI's 16 characters. Standard SQL that H2 and PostgreSQL both run (no db-postgresql twin needed).
ALTER TABLE node_bmc ADD COLUMN system VARCHAR(255);
ALTER TABLE node_bmc ADD COLUMN certificate_sha256 CHAR(64);
ALTER TABLE node_bmc ALTER COLUMN username SET DATA TYPE VARCHAR(64);
