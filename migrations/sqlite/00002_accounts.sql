-- +goose Up
-- Accounts, sessions, API tokens, the contract history (hash-chained events), payments, in-app
-- notifications, SME decisions, a shared rate limiter and a key-value store. Both dialects have the same
-- tables, columns and unique indexes.

-- A user belongs to one organisation, except staff (bureau, admin) who may have none.
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    org_id BIGINT REFERENCES organisations (id),
    email TEXT NOT NULL, -- lower-cased
    name TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL, -- argon2id, PHC string
    role TEXT NOT NULL, -- holder | licensee | operator | bureau | admin
    created_at DATETIME NOT NULL,
    disabled_at DATETIME
);
CREATE UNIQUE INDEX users_email ON users (email);
CREATE INDEX users_org ON users (org_id);

-- Only the SHA-256 of a session token is stored, so a copy of the table logs nobody in.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY, -- hex SHA-256 of the token
    user_id BIGINT NOT NULL REFERENCES users (id),
    csrf_secret TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    expires_at DATETIME NOT NULL,
    last_seen_at DATETIME NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL DEFAULT '',
    token_hash TEXT NOT NULL, -- hex SHA-256 of the token
    created_at DATETIME NOT NULL,
    last_used_at DATETIME,
    revoked_at DATETIME
);
CREATE UNIQUE INDEX api_tokens_token_hash ON api_tokens (token_hash);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- The append-only history of a contract: each row's hash covers the previous row's hash, so an edited,
-- inserted or deleted row breaks the chain (market/events.go documents the hash input).
CREATE TABLE contract_events (
    id INTEGER PRIMARY KEY,
    contract_id BIGINT NOT NULL REFERENCES contracts (id),
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    actor_user_id BIGINT,
    actor_org_id BIGINT,
    payload TEXT NOT NULL,
    at DATETIME NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE UNIQUE INDEX contract_events_contract_seq ON contract_events (contract_id, seq);

-- Triggers refuse UPDATE and DELETE of history rows: a slip in application code cannot rewrite it.
-- Someone with owner rights can still drop the trigger; the hash chain is what detects that.
-- +goose StatementBegin
CREATE TRIGGER contract_events_no_update BEFORE UPDATE ON contract_events
BEGIN
    SELECT RAISE(ABORT, 'contract_events is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER contract_events_no_delete BEFORE DELETE ON contract_events
BEGIN
    SELECT RAISE(ABORT, 'contract_events is append-only');
END;
-- +goose StatementEnd

-- Payments a licensee records against a contract; the licensor confirms (or rejects) each one.
CREATE TABLE payments (
    id INTEGER PRIMARY KEY,
    contract_id BIGINT NOT NULL REFERENCES contracts (id),
    amount_fen BIGINT NOT NULL,
    paid_on TEXT NOT NULL,
    reference TEXT NOT NULL,
    recorded_by BIGINT NOT NULL REFERENCES users (id),
    recorded_at DATETIME NOT NULL,
    confirmed_at DATETIME,
    confirmed_by BIGINT REFERENCES users (id),
    rejected_at DATETIME,
    rejected_by BIGINT REFERENCES users (id),
    reject_note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX payments_contract ON payments (contract_id);

-- In-app notifications of an organisation; emailed_at marks the e-mail outbox as done.
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisations (id),
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT '',
    link TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL,
    read_at DATETIME,
    emailed_at DATETIME
);
CREATE INDEX notifications_org ON notifications (org_id, created_at);
CREATE INDEX notifications_unemailed ON notifications (id) WHERE emailed_at IS NULL;

-- Every SME decision of the bureau (confirm or override), with who and why (docs/rules.md §3).
CREATE TABLE sme_decisions (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisations (id),
    is_sme INTEGER NOT NULL,
    computed_sme INTEGER NOT NULL, -- what the declared figures gave, for the record
    standard TEXT NOT NULL, -- version of the SME standard table, e.g. 2011
    note TEXT NOT NULL,
    decided_by BIGINT NOT NULL REFERENCES users (id),
    decided_at DATETIME NOT NULL
);
CREATE INDEX sme_decisions_org ON sme_decisions (org_id);

-- Fixed-window counters (login attempts, …) shared by every server process. window_start is Unix
-- milliseconds so the window arithmetic is the same on both databases.
CREATE TABLE rate_limits (
    key TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    count INTEGER NOT NULL
);

-- Generic key-value storage with expiry (Unix milliseconds, 0 = never), e.g. as a fiber.Storage.
CREATE TABLE kv (
    key TEXT PRIMARY KEY,
    value BLOB NOT NULL,
    expires_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX kv_expires ON kv (expires_at);

-- +goose Down
DROP TABLE kv;
DROP TABLE rate_limits;
DROP TABLE sme_decisions;
DROP TABLE notifications;
DROP TABLE payments;
DROP TABLE contract_events;
DROP TABLE api_tokens;
DROP TABLE sessions;
DROP TABLE users;
