-- Tenants (organizations), their users and memberships: the first tables the reference
-- service uses, each under tenant row-level security. Columns follow footing.common.v1.

-- +goose Up
CREATE TABLE organizations (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug         text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$'),
    display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
    create_time  timestamptz NOT NULL DEFAULT now(),
    update_time  timestamptz NOT NULL DEFAULT now(),
    version      bigint NOT NULL DEFAULT 1
);
-- An organization is its own tenant: a tenant sees only its own organization row.
SELECT footing_enable_tenant_rls('organizations', 'id');

CREATE TABLE users (
    tenant_id    uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    id           uuid NOT NULL DEFAULT gen_random_uuid(),
    email        text NOT NULL CHECK (length(email) BETWEEN 3 AND 320 AND position('@' IN email) > 1),
    display_name text NOT NULL DEFAULT '' CHECK (length(display_name) <= 200),
    create_time  timestamptz NOT NULL DEFAULT now(),
    update_time  timestamptz NOT NULL DEFAULT now(),
    version      bigint NOT NULL DEFAULT 1,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (id),
    UNIQUE (tenant_id, email)
);
SELECT footing_enable_tenant_rls('users');

CREATE TABLE memberships (
    tenant_id   uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    roles       text[] NOT NULL DEFAULT '{}' CHECK (cardinality(roles) <= 64),
    create_time timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, user_id)
);
SELECT footing_enable_tenant_rls('memberships');

-- +goose Down
DROP TABLE memberships;
DROP TABLE users;
DROP TABLE organizations;
