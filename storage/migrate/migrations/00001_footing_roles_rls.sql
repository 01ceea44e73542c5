-- footing's roles, grants and row-level security helpers.
--
-- Roles are cluster-wide: they are created only when missing (NOLOGIN; give them LOGIN and a
-- password yourself), and Down leaves them. Creation tolerates a concurrent migration of
-- another database creating the same role.

-- +goose Up
-- +goose StatementBegin
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT * FROM (VALUES ('footing_owner'), ('footing_app'), ('footing_system')) AS v(name) LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r.name) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN NOBYPASSRLS', r.name);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL; -- created meanwhile by a concurrent migration
            END;
        END IF;
    END LOOP;
END
$$;
-- +goose StatementEnd

-- The application and system roles read and write rows; they own nothing and cannot ALTER.
GRANT USAGE ON SCHEMA public TO footing_app, footing_system;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO footing_app, footing_system;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO footing_app, footing_system;

-- footing_current_tenant is the tenant of the current transaction (set by rls.InTenant), or
-- NULL when none is set: unset, or reset to '' after an earlier transaction on the session.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION footing_current_tenant() RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid
$$;
-- +goose StatementEnd

-- footing_current_user is the user id of the current transaction, or NULL.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION footing_current_user() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT NULLIF(current_setting('app.user_id', true), '')
$$;
-- +goose StatementEnd

-- footing_enable_tenant_rls puts a table under tenant row-level security:
--   ENABLE and FORCE row level security (the owner is held to it too);
--   policy footing_tenant_isolation: USING and WITH CHECK col = footing_current_tenant(),
--     so with no tenant set no row is visible and none can be written;
--   policy footing_system_access: the footing_system role sees and writes every row;
--   an index on col unless an index already leads with it.
-- Call it from a migration after CREATE TABLE:  SELECT footing_enable_tenant_rls('invoices');
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

-- +goose Down
DROP FUNCTION IF EXISTS footing_enable_tenant_rls(regclass, name);
DROP FUNCTION IF EXISTS footing_current_user();
DROP FUNCTION IF EXISTS footing_current_tenant();
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE USAGE, SELECT, UPDATE ON SEQUENCES FROM footing_app, footing_system;
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM footing_app, footing_system;
REVOKE USAGE ON SCHEMA public FROM footing_app, footing_system;
