-- Several anvild on one database (issue 20): each instance's heartbeat, and which instance ran a task's latest
-- attempt (or, for a task on the admin node itself, which instance it belongs to).
CREATE TABLE instances (
  id           VARCHAR(64)   NOT NULL,
  started_at   TIMESTAMP WITH TIME ZONE NOT NULL,
  heartbeat_at TIMESTAMP WITH TIME ZONE NOT NULL,
  CONSTRAINT instances_pk PRIMARY KEY (id)
);
ALTER TABLE tasks ADD COLUMN instance VARCHAR(64);
