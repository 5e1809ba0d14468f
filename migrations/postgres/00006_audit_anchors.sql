-- +goose Up
-- The running digest over all contracts' chain heads (market/audit.go, docs/rules.md §7): every step
-- that appends history events also appends one anchor here, in the same transaction. No foreign key to
-- contracts: an anchor outlives a deleted contract, which is how the deletion shows.
CREATE TABLE audit_anchors (
    seq BIGINT PRIMARY KEY,
    contract_id BIGINT NOT NULL,
    contract_no TEXT NOT NULL,
    event_seq INTEGER NOT NULL,
    event_hash TEXT NOT NULL,
    digest TEXT NOT NULL
);
CREATE INDEX audit_anchors_contract ON audit_anchors (contract_id, event_seq);

-- The last anchor's seq and digest, one row; updating it serialises anchor appends.
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    digest TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, digest) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- +goose StatementBegin
CREATE FUNCTION audit_anchors_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_anchors is append-only';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_anchors_no_update BEFORE UPDATE ON audit_anchors
    FOR EACH ROW EXECUTE FUNCTION audit_anchors_append_only();
CREATE TRIGGER audit_anchors_no_delete BEFORE DELETE ON audit_anchors
    FOR EACH ROW EXECUTE FUNCTION audit_anchors_append_only();

-- +goose Down
DROP TABLE audit_head;
DROP TABLE audit_anchors;
DROP FUNCTION audit_anchors_append_only();
