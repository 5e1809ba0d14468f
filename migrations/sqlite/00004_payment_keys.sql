-- +goose Up
-- A payment may carry the client's idempotency key (the payment form's hidden field, or the API's
-- "idempotency_key"): a repeated submission returns the payment already recorded instead of a second one.
ALTER TABLE payments ADD COLUMN idempotency_key TEXT;
CREATE UNIQUE INDEX payments_idempotency ON payments (contract_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

-- +goose Down
DROP INDEX payments_idempotency;
ALTER TABLE payments DROP COLUMN idempotency_key;
