-- Feature flag overrides (storage/flags): a value per tenant (user_id = '') or per user
-- within a tenant, as JSON. Defaults come from the environment (FEATURE_<NAME>).

-- +goose Up
CREATE TABLE feature_flag_overrides (
    tenant_id   uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    flag        text NOT NULL CHECK (flag ~ '^[a-z0-9][a-z0-9_.-]{0,127}$'),
    user_id     text NOT NULL DEFAULT '' CHECK (length(user_id) <= 256),
    value       jsonb NOT NULL,
    update_time timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, flag, user_id)
);
SELECT footing_enable_tenant_rls('feature_flag_overrides');

-- +goose Down
DROP TABLE feature_flag_overrides;
