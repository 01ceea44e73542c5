-- adr_changes is read by the watch hubs as soon as a change commits; each write drops
-- its tenant's changes older than the retention (Store.changed), oldest first, through
-- this index.

-- +goose Up
CREATE INDEX adr_changes_time ON adr_changes (tenant_id, change_time);

-- +goose Down
DROP INDEX adr_changes_time;
