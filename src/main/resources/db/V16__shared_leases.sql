-- Several anvild on one database (issue 20, doc/scale-out.md): every instance's DHCP leases, and for each pool
-- address the instance that may offer it (holder: it claimed the address; no other instance offers it). Rows are
-- written on PostgreSQL only (H2 is one instance: its leases stay in the lease journal). seq orders the changes
-- (lease_seq) so each instance reads its peers' since the last it saw.
CREATE TABLE leases (
  network  VARCHAR(32)  NOT NULL,
  ip       BIGINT       NOT NULL,
  holder   VARCHAR(64),
  mac      BIGINT,
  state    VARCHAR(16),
  expires  TIMESTAMP WITH TIME ZONE,
  seq      BIGINT       NOT NULL,
  CONSTRAINT leases_pk PRIMARY KEY (network, ip)
);
CREATE INDEX leases_seq ON leases (seq);
CREATE INDEX leases_holder ON leases (holder);
CREATE SEQUENCE lease_seq;
