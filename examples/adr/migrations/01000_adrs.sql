-- The reference service's tables: ADRs, the change log WatchADRs streams from, and the
-- outbox the render job writes event envelopes to. All three are under tenant RLS.

-- +goose Up
CREATE TABLE adrs (
    tenant_id     uuid NOT NULL DEFAULT footing_current_tenant(),
    id            uuid NOT NULL DEFAULT gen_random_uuid(),
    title         text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    status        smallint NOT NULL CHECK (status BETWEEN 1 AND 4),
    superseded_by uuid,
    context       text NOT NULL DEFAULT '' CHECK (length(context) <= 20000),
    decision      text NOT NULL DEFAULT '' CHECK (length(decision) <= 20000),
    consequences  text NOT NULL DEFAULT '' CHECK (length(consequences) <= 20000),
    tags          text[] NOT NULL DEFAULT '{}' CHECK (cardinality(tags) <= 20),
    author        text NOT NULL,
    version       bigint NOT NULL DEFAULT 1,
    create_time   timestamptz NOT NULL DEFAULT now(),
    update_time   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CHECK ((status = 4) = (superseded_by IS NOT NULL))
);
SELECT footing_enable_tenant_rls('adrs');
-- ListADRs walks newest first: keyset on (create_time, id) within the tenant.
CREATE INDEX adrs_list ON adrs (tenant_id, create_time DESC, id DESC);
CREATE INDEX adrs_tags ON adrs USING gin (tags);

-- Every change, in order; WatchADRs reads the row a notification names.
CREATE TABLE adr_changes (
    tenant_id   uuid NOT NULL DEFAULT footing_current_tenant(),
    seq         bigint GENERATED ALWAYS AS IDENTITY,
    kind        smallint NOT NULL CHECK (kind BETWEEN 1 AND 3),
    adr         bytea NOT NULL, -- footing.examples.adr.v1.ADR, binary protobuf
    change_time timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, seq)
);
SELECT footing_enable_tenant_rls('adr_changes');

-- Event envelopes (footing.common.v1.EventEnvelope) written by the render job.
CREATE TABLE outbox (
    tenant_id   uuid NOT NULL DEFAULT footing_current_tenant(),
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    type        text NOT NULL,
    subject     text NOT NULL,
    envelope    bytea NOT NULL,
    markdown    text NOT NULL DEFAULT '',
    create_time timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
SELECT footing_enable_tenant_rls('outbox');

-- +goose Down
DROP TABLE outbox;
DROP TABLE adr_changes;
DROP TABLE adrs;
