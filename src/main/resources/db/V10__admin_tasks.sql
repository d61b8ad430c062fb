-- Tasks on the admin node itself (OS imports, issue 16): no node, and progress while they run.
ALTER TABLE tasks ALTER COLUMN node_id DROP NOT NULL;
ALTER TABLE tasks ADD COLUMN progress_files BIGINT;
ALTER TABLE tasks ADD COLUMN progress_bytes BIGINT;
