-- Records the operator adds beside what Anvil derives from nodes (issue 15: several A/AAAA on one name,
-- an AAAA replacing a node's derived one, CNAME, TXT, SRV). Canonical text forms (dev.anvil.core.dns.DnsRecord).
CREATE TABLE dns_records (
  id     BIGINT        NOT NULL,
  name   VARCHAR(253)  NOT NULL,
  type   VARCHAR(8)    NOT NULL,
  data   VARCHAR(1100) NOT NULL,
  ttl    INTEGER       NOT NULL,
  CONSTRAINT dns_records_pk PRIMARY KEY (id),
  CONSTRAINT dns_records_unique UNIQUE (name, type, data)
);
CREATE INDEX dns_records_name ON dns_records (name);
INSERT INTO id_counters (name, next_id) VALUES ('dns_records', 1);
