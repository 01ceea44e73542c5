-- A membership names a user of its own tenant. 00002 keyed memberships.user_id to
-- users (id) alone, and foreign keys are checked without row-level security: a tenant
-- could give another tenant's user roles in its own tenant, and tell from the error
-- whether any tenant had a user with a given id. The key is now (tenant_id, user_id),
-- which users' primary key (tenant_id, id) serves.
--
-- A database that already holds a membership naming another tenant's user fails here
-- (23503, constraint memberships_tenant_user_fkey) and keeps its old key: the migration
-- runs in one transaction. Find such rows as footing_system with
--   SELECT m.* FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.tenant_id <> m.tenant_id;
-- and delete them.

-- +goose Up
ALTER TABLE memberships DROP CONSTRAINT memberships_user_id_fkey;
ALTER TABLE memberships ADD CONSTRAINT memberships_tenant_user_fkey
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE;

-- +goose Down
ALTER TABLE memberships DROP CONSTRAINT memberships_tenant_user_fkey;
ALTER TABLE memberships ADD CONSTRAINT memberships_user_id_fkey
    FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE;
