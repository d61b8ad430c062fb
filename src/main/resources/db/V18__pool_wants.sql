-- Several anvild on one database (doc/scale-out.md "Redundant DHCP: shared pools"): an instance whose claim on a
-- pool found no address left says so here (wanted_at, refreshed at each claim that finds nothing; the row goes once
-- a claim finds some). The instances that hold unused addresses of that pool give them back for it to claim.
-- Written on PostgreSQL only (H2 is one instance); the table exists on both so they count the same versions.
CREATE TABLE pool_wants (
  network    VARCHAR(32)  NOT NULL,
  instance   VARCHAR(64)  NOT NULL,
  wanted_at  TIMESTAMP WITH TIME ZONE NOT NULL,
  CONSTRAINT pool_wants_pk PRIMARY KEY (network, instance)
);
