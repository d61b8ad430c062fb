-- Per-node install tokens: only a random nonce and its expiry are stored; the token itself is an HMAC of
-- the node and the nonce under the installation's key (meta 'install-token-key'), recomputed to render.
CREATE TABLE install_tokens (
  node_id    BIGINT       NOT NULL,
  nonce      VARCHAR(64)  NOT NULL,
  expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
  CONSTRAINT install_tokens_pk PRIMARY KEY (node_id),
  CONSTRAINT install_tokens_node_fk FOREIGN KEY (node_id) REFERENCES nodes (id) ON DELETE CASCADE
);
