-- SSH host key pinning: the host public keys a node's installed system reported in its install-complete
-- callback (bound to the node's id, forgotten on a new install), and the key its SSH server presented
-- instead, when it presented another one.
CREATE TABLE node_host_keys (
  node_id  BIGINT         NOT NULL,
  position INTEGER        NOT NULL,
  key_type VARCHAR(32)    NOT NULL,
  key_data VARCHAR(16384) NOT NULL,
  CONSTRAINT node_host_keys_pk PRIMARY KEY (node_id, position),
  CONSTRAINT node_host_keys_node_fk FOREIGN KEY (node_id) REFERENCES nodes (id) ON DELETE CASCADE
);

CREATE TABLE node_host_key_mismatch (
  node_id     BIGINT        NOT NULL,
  key_type    VARCHAR(1024) NOT NULL,
  fingerprint VARCHAR(64),
  seen_at     TIMESTAMP WITH TIME ZONE NOT NULL,
  CONSTRAINT node_host_key_mismatch_pk PRIMARY KEY (node_id),
  CONSTRAINT node_host_key_mismatch_node_fk FOREIGN KEY (node_id) REFERENCES nodes (id) ON DELETE CASCADE
);
