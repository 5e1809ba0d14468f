-- +goose Up
-- The demand board grows into matchmaking (docs/rules.md §10): a demand has a budget range, a deadline,
-- the channel it is posted to, a moderation step, and ends closed or fulfilled by a contract. Users save
-- searches; notifications may address one user; alerts remember which (user, patent) pairs were announced.
ALTER TABLE demands ADD COLUMN budget_min_fen BIGINT NOT NULL DEFAULT 0;
ALTER TABLE demands ADD COLUMN budget_max_fen BIGINT NOT NULL DEFAULT 0;
UPDATE demands SET budget_max_fen = budget_fen;
ALTER TABLE demands DROP COLUMN budget_fen;
ALTER TABLE demands ADD COLUMN deadline DATE;
ALTER TABLE demands ADD COLUMN channel TEXT NOT NULL DEFAULT '';
ALTER TABLE demands ADD COLUMN posted_by BIGINT REFERENCES users (id);
ALTER TABLE demands ADD COLUMN moderated_by BIGINT REFERENCES users (id);
ALTER TABLE demands ADD COLUMN moderated_at DATETIME;
ALTER TABLE demands ADD COLUMN moderation_note TEXT NOT NULL DEFAULT '';
ALTER TABLE demands ADD COLUMN contract_id BIGINT REFERENCES contracts (id);
ALTER TABLE demands ADD COLUMN updated_at DATETIME;
ALTER TABLE demands ADD COLUMN closed_at DATETIME;
UPDATE demands SET status = 'open' WHERE status = 'matched';
CREATE INDEX demands_status ON demands (status, created_at);

CREATE TABLE saved_searches (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    org_id BIGINT NOT NULL REFERENCES organisations (id),
    name TEXT NOT NULL,
    query TEXT NOT NULL,
    created_at DATETIME NOT NULL
);
CREATE INDEX saved_searches_user ON saved_searches (user_id);

-- A notification with a user_id is for that user only (a saved search's or a demand's alerts).
ALTER TABLE notifications ADD COLUMN user_id BIGINT REFERENCES users (id);
CREATE INDEX notifications_user ON notifications (user_id, created_at);

-- Patents newly offered, waiting for the alert worker (written with the declaration, like the search
-- outbox), and the (user, patent) pairs already announced: one notification per user per new patent.
CREATE TABLE alert_outbox (
    id INTEGER PRIMARY KEY,
    patent_id BIGINT NOT NULL REFERENCES patents (id),
    created_at DATETIME NOT NULL
);
CREATE TABLE alerted (
    user_id BIGINT NOT NULL REFERENCES users (id),
    patent_id BIGINT NOT NULL REFERENCES patents (id),
    notification_id BIGINT NOT NULL REFERENCES notifications (id),
    PRIMARY KEY (user_id, patent_id)
);

-- +goose Down
DROP TABLE alerted;
DROP TABLE alert_outbox;
DROP INDEX notifications_user;
ALTER TABLE notifications DROP COLUMN user_id;
DROP TABLE saved_searches;
DROP INDEX demands_status;
ALTER TABLE demands ADD COLUMN budget_fen BIGINT NOT NULL DEFAULT 0;
UPDATE demands SET budget_fen = budget_max_fen;
ALTER TABLE demands DROP COLUMN closed_at;
ALTER TABLE demands DROP COLUMN updated_at;
ALTER TABLE demands DROP COLUMN contract_id;
ALTER TABLE demands DROP COLUMN moderation_note;
ALTER TABLE demands DROP COLUMN moderated_at;
ALTER TABLE demands DROP COLUMN moderated_by;
ALTER TABLE demands DROP COLUMN posted_by;
ALTER TABLE demands DROP COLUMN channel;
ALTER TABLE demands DROP COLUMN deadline;
ALTER TABLE demands DROP COLUMN budget_max_fen;
ALTER TABLE demands DROP COLUMN budget_min_fen;
