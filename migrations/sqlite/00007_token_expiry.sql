-- +goose Up
-- API tokens expire (API_TOKEN_TTL, default 90 days; docs/interfaces.md §5.2). Tokens made before this
-- migration never expired: they get 90 days from the migration, not from their creation, so no client
-- loses access without warning on the day of the upgrade, and none keeps a token for ever. (SQLite adds
-- no NOT NULL column without a default; every row has a value and the store always writes one.)
ALTER TABLE api_tokens ADD COLUMN expires_at DATETIME;
UPDATE api_tokens SET expires_at = strftime('%Y-%m-%d %H:%M:%f+00:00', 'now', '+90 days');

-- +goose Down
ALTER TABLE api_tokens DROP COLUMN expires_at;
