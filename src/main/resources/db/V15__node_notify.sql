-- Node changes told to every instance sharing the store (issue 20, doc/scale-out.md). H2 is one instance (it
-- locks its file), so it has nothing to tell: this version only keeps both backends at the same number. The
-- PostgreSQL twin (db-postgresql/V15__node_notify.sql) adds the triggers that NOTIFY anvil_nodes.
SELECT 1 FROM nodes WHERE 1 = 0;
