-- PostgreSQL twin of db/V12__node_bmc.sql: BYTEA where H2 says VARBINARY.
-- A node's BMC (issue 19, doc/power.md): the settings and the password sealed with AES-GCM under the key in
-- <stateDir>/bmc-secret.key (never in the database); gone with the node.
CREATE TABLE node_bmc (
  node_id       BIGINT        NOT NULL,
  driver        VARCHAR(16)   NOT NULL,
  address       VARCHAR(253)  NOT NULL,
  port          INTEGER       NOT NULL,
  username      VARCHAR(16)   NOT NULL,
  privilege     VARCHAR(16)   NOT NULL,
  cipher_suite  INTEGER       NOT NULL,
  verify_tls    BOOLEAN       NOT NULL,
  uefi          BOOLEAN       NOT NULL,
  secret        BYTEA NOT NULL,
  secret_key_id VARCHAR(32)   NOT NULL,
  secret_set_at TIMESTAMP WITH TIME ZONE NOT NULL,
  CONSTRAINT node_bmc_pk PRIMARY KEY (node_id),
  CONSTRAINT node_bmc_node_fk FOREIGN KEY (node_id) REFERENCES nodes (id) ON DELETE CASCADE
);
