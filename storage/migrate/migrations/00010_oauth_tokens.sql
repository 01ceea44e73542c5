-- The token vault (storage/vault): OAuth tokens per tenant and account, sealed with
-- AES-256-GCM. key_id names the key that sealed the row, so keys can rotate; the
-- ciphertext is nonce || sealed JSON and is bound to (tenant_id, account, key_id).
-- expiry is kept in clear so refreshes can be found without decrypting.

-- +goose Up
CREATE TABLE oauth_tokens (
    tenant_id   uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    account     text NOT NULL CHECK (length(account) BETWEEN 1 AND 200),
    key_id      text NOT NULL CHECK (length(key_id) BETWEEN 1 AND 64),
    ciphertext  bytea NOT NULL,
    expiry      timestamptz,
    create_time timestamptz NOT NULL DEFAULT now(),
    update_time timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, account)
);
SELECT footing_enable_tenant_rls('oauth_tokens');
CREATE INDEX oauth_tokens_key_id ON oauth_tokens (key_id);

-- +goose Down
DROP TABLE oauth_tokens;
