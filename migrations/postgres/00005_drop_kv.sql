-- +goose Up
-- The key-value table had no reader: sessions, CSRF tokens and rate limits have tables of their own.
DROP INDEX kv_expires;
DROP TABLE kv;

-- +goose Down
CREATE TABLE kv (
    key TEXT PRIMARY KEY,
    value BYTEA NOT NULL,
    expires_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX kv_expires ON kv (expires_at);
