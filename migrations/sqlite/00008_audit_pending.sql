-- +goose Up
-- Chain heads waiting to be anchored (market/audit.go, docs/rules.md §7): a step that appends history
-- events inserts one row here in its own transaction (a plain insert, no shared row), and the anchorer
-- moves pending heads into audit_anchors in batches, so signers no longer queue on audit_head.
CREATE TABLE audit_pending (
    id INTEGER PRIMARY KEY,
    contract_id BIGINT NOT NULL,
    contract_no TEXT NOT NULL
);

-- +goose Down
DROP TABLE audit_pending;
