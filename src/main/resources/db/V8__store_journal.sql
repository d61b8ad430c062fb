-- The store's redo journal (issue 23). store_journal holds the sequence number of the last journaled
-- transaction this database file holds: after a crash, the journal's later transactions are replayed.
-- id_counters give rows their ids inside the transaction (not from an identity column, whose cached values
-- H2 may skip after a crash), so a replayed transaction gives every row the id that was acknowledged.
CREATE TABLE store_journal (
  id          INTEGER NOT NULL,
  applied_seq BIGINT  NOT NULL,
  CONSTRAINT store_journal_pk PRIMARY KEY (id)
);
INSERT INTO store_journal (id, applied_seq) VALUES (1, 0);

CREATE TABLE id_counters (
  name    VARCHAR(32) NOT NULL,
  next_id BIGINT      NOT NULL,
  CONSTRAINT id_counters_pk PRIMARY KEY (name)
);
INSERT INTO id_counters (name, next_id) SELECT 'nodes', COALESCE(MAX(id), 0) + 1 FROM nodes;
INSERT INTO id_counters (name, next_id) SELECT 'node_history', COALESCE(MAX(id), 0) + 1 FROM node_history;
INSERT INTO id_counters (name, next_id) SELECT 'tasks', COALESCE(MAX(id), 0) + 1 FROM tasks;
INSERT INTO id_counters (name, next_id) SELECT 'api_tokens', COALESCE(MAX(id), 0) + 1 FROM api_tokens;
