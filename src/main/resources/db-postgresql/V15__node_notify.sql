-- PostgreSQL twin of db/V15__node_notify.sql: every committed change to a node, or to a row a node is built
-- from (its MACs, addresses, host keys and host key mismatch), sends NOTIFY anvil_nodes with the node's id as
-- the payload (issue 20, doc/scale-out.md). Each anvild LISTENs on its own connection and reads the node back
-- (dev.anvil.app.NodeSync). A notification is delivered at commit, never for a transaction that rolled back,
-- and PostgreSQL folds identical payloads of one transaction into one: a node deleted with its rows is one.
CREATE FUNCTION anvil_notify_node() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- TG_ARGV[0]: the column holding the node's id (id in nodes, node_id in the others)
  IF TG_OP <> 'INSERT' THEN
    PERFORM pg_notify('anvil_nodes', to_jsonb(OLD) ->> TG_ARGV[0]);
  END IF;
  IF TG_OP <> 'DELETE' THEN
    PERFORM pg_notify('anvil_nodes', to_jsonb(NEW) ->> TG_ARGV[0]);
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER nodes_notify AFTER INSERT OR UPDATE OR DELETE ON nodes
  FOR EACH ROW EXECUTE FUNCTION anvil_notify_node('id');
CREATE TRIGGER node_macs_notify AFTER INSERT OR UPDATE OR DELETE ON node_macs
  FOR EACH ROW EXECUTE FUNCTION anvil_notify_node('node_id');
CREATE TRIGGER node_addresses_notify AFTER INSERT OR UPDATE OR DELETE ON node_addresses
  FOR EACH ROW EXECUTE FUNCTION anvil_notify_node('node_id');
CREATE TRIGGER node_host_keys_notify AFTER INSERT OR UPDATE OR DELETE ON node_host_keys
  FOR EACH ROW EXECUTE FUNCTION anvil_notify_node('node_id');
CREATE TRIGGER node_host_key_mismatch_notify AFTER INSERT OR UPDATE OR DELETE ON node_host_key_mismatch
  FOR EACH ROW EXECUTE FUNCTION anvil_notify_node('node_id');
