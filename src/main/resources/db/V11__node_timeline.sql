-- The per-node boot timeline (issue 17): protocol events that concern a node, newest kept up to
-- timeline.eventsPerNode per node (the oldest deleted in the batch that passes it); gone with the node.
CREATE TABLE node_timeline (
  id       BIGINT        NOT NULL,
  node_id  BIGINT        NOT NULL,
  at       TIMESTAMP WITH TIME ZONE NOT NULL,
  source   VARCHAR(16)   NOT NULL,
  event    VARCHAR(64)   NOT NULL,
  mac      VARCHAR(17),
  address  VARCHAR(15),
  detail   VARCHAR(512)  NOT NULL,
  CONSTRAINT node_timeline_pk PRIMARY KEY (id),
  CONSTRAINT node_timeline_node_fk FOREIGN KEY (node_id) REFERENCES nodes (id) ON DELETE CASCADE
);
CREATE INDEX node_timeline_node_ix ON node_timeline (node_id, id);
INSERT INTO id_counters (name, next_id) VALUES ('node_timeline', 1);
