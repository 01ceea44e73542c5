-- footing_enable_tenant_rls also puts every partition of a partitioned table under the
-- same row-level security. A partition named in a query is checked against its own
-- policies, never its parent's, and 00001's version set up only the parent: as the app
-- role, SELECT * FROM events_2026 returned every tenant's rows while SELECT * FROM events
-- returned the tenant's own. Partitions attached later need the call again (it can be
-- repeated): SELECT footing_enable_tenant_rls('events');

-- +goose Up
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION footing_enable_tenant_rls(tbl regclass, col name DEFAULT 'tenant_id') RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    attnum smallint;
    rel regclass;
BEGIN
    SELECT a.attnum INTO attnum FROM pg_attribute a
    WHERE a.attrelid = tbl AND a.attname = col AND NOT a.attisdropped;
    IF attnum IS NULL THEN
        RAISE EXCEPTION 'footing_enable_tenant_rls: table % has no column %', tbl, col;
    END IF;
    -- The table, and every partition under it (pg_partition_tree lists none for a table
    -- that is not partitioned).
    FOR rel IN SELECT tbl UNION ALL SELECT t.relid FROM pg_partition_tree(tbl) t WHERE t.relid <> tbl LOOP
        EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', rel);
        EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', rel);
        EXECUTE format('DROP POLICY IF EXISTS footing_tenant_isolation ON %s', rel);
        EXECUTE format('CREATE POLICY footing_tenant_isolation ON %s USING (%I = footing_current_tenant()) WITH CHECK (%I = footing_current_tenant())', rel, col, col);
        EXECUTE format('DROP POLICY IF EXISTS footing_system_access ON %s', rel);
        EXECUTE format('CREATE POLICY footing_system_access ON %s TO footing_system USING (true) WITH CHECK (true)', rel);
    END LOOP;
    -- On a partitioned table the index is partitioned: each partition gets its own.
    IF NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = tbl AND i.indkey[0] = attnum) THEN
        EXECUTE format('CREATE INDEX ON %s (%I)', tbl, col);
    END IF;
END
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION footing_enable_tenant_rls(tbl regclass, col name DEFAULT 'tenant_id') RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    attnum smallint;
BEGIN
    SELECT a.attnum INTO attnum FROM pg_attribute a
    WHERE a.attrelid = tbl AND a.attname = col AND NOT a.attisdropped;
    IF attnum IS NULL THEN
        RAISE EXCEPTION 'footing_enable_tenant_rls: table % has no column %', tbl, col;
    END IF;
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
    EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', tbl);
    EXECUTE format('DROP POLICY IF EXISTS footing_tenant_isolation ON %s', tbl);
    EXECUTE format('CREATE POLICY footing_tenant_isolation ON %s USING (%I = footing_current_tenant()) WITH CHECK (%I = footing_current_tenant())', tbl, col, col);
    EXECUTE format('DROP POLICY IF EXISTS footing_system_access ON %s', tbl);
    EXECUTE format('CREATE POLICY footing_system_access ON %s TO footing_system USING (true) WITH CHECK (true)', tbl);
    IF NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = tbl AND i.indkey[0] = attnum) THEN
        EXECUTE format('CREATE INDEX ON %s (%I)', tbl, col);
    END IF;
END
$$;
-- +goose StatementEnd
