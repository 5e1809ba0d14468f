-- +goose Up
-- API tokens expire (API_TOKEN_TTL, default 90 days; docs/interfaces.md §5.2). Tokens made before this
-- migration never expired: they get 90 days from the migration, not from their creation, so no client
-- loses access without warning on the day of the upgrade, and none keeps a token for ever.
ALTER TABLE api_tokens ADD COLUMN expires_at TIMESTAMPTZ;
UPDATE api_tokens SET expires_at = now() + interval '90 days';
ALTER TABLE api_tokens ALTER COLUMN expires_at SET NOT NULL;

-- +goose Down
ALTER TABLE api_tokens DROP COLUMN expires_at;
