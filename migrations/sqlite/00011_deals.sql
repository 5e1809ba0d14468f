-- +goose Up
-- Deals off the open licence and channel attribution (docs/rules.md §10.3–§10.5): holders' offers of a
-- transfer or a negotiated ordinary licence, buyers' intents and their threads, the channel each
-- acceptance or deal came through, the visits that lead to it, and the channels' targets.

-- An offer: transfer_price_fen (already there) > 0 asks a price for a transfer; negotiable_licence invites
-- negotiated ordinary licences. offered_at is when the patent was first offered (the listing of a deal
-- made without a declaration).
ALTER TABLE patents ADD COLUMN negotiable_licence BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE patents ADD COLUMN offered_at DATETIME;

-- channel: wall:SLUG, supermarket:SLUG, screen:SLUG or demand:ID, the last channel the licensee's
-- organisation came through within 30 days; NULL when none. intent_id: the intent a deal concluded;
-- listed_at: when its patent was offered (the listing of a deal made without a declaration).
ALTER TABLE contracts ADD COLUMN channel TEXT;
ALTER TABLE contracts ADD COLUMN intent_id BIGINT;
ALTER TABLE contracts ADD COLUMN listed_at DATETIME;
-- A channel's deals of a period (docs/rules.md §10.5) count by signing day, else effective day.
CREATE INDEX contracts_channel ON contracts (channel, (COALESCE(signed_on, effective_on)));

CREATE TABLE intents (
    id INTEGER PRIMARY KEY,
    patent_id BIGINT NOT NULL REFERENCES patents (id),
    kind TEXT NOT NULL, -- transfer | ordinary_licence
    buyer_id BIGINT NOT NULL REFERENCES organisations (id),
    holder_id BIGINT NOT NULL REFERENCES organisations (id),
    status TEXT NOT NULL, -- open | declined | withdrawn | agreed
    offer_fen BIGINT,
    channel TEXT,
    contract_id BIGINT REFERENCES contracts (id),
    created_by BIGINT NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    closed_at DATETIME
);
-- One open intent per buyer, patent and kind; one contract per intent.
CREATE UNIQUE INDEX intents_one_open ON intents (patent_id, buyer_id, kind) WHERE status = 'open';
CREATE UNIQUE INDEX intents_contract ON intents (contract_id);
CREATE INDEX intents_buyer ON intents (buyer_id);
CREATE INDEX intents_holder ON intents (holder_id);
CREATE INDEX intents_channel ON intents (channel);

CREATE TABLE intent_messages (
    id INTEGER PRIMARY KEY,
    intent_id BIGINT NOT NULL REFERENCES intents (id),
    org_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    body TEXT NOT NULL,
    created_at DATETIME NOT NULL
);
CREATE INDEX intent_messages_intent ON intent_messages (intent_id, id);

-- The last channel each organisation came through (attribution looks back 30 days from it).
CREATE TABLE channel_touches (
    org_id BIGINT PRIMARY KEY,
    channel TEXT NOT NULL,
    touched_at DATETIME NOT NULL
);

-- Visits through a channel link: one row per channel, patent (0: a page that is no patent's), visitor
-- and Shanghai day, so a view counts once per visitor, patent and day; hits counts every arrival (QR
-- scans are counted each time).
CREATE TABLE channel_visits (
    channel TEXT NOT NULL,
    patent_id BIGINT NOT NULL,
    visitor TEXT NOT NULL,
    day DATE NOT NULL,
    hits BIGINT NOT NULL,
    PRIMARY KEY (channel, patent_id, visitor, day)
);

-- Performance targets (绩效目标) of a channel for a period.
CREATE TABLE channel_targets (
    id INTEGER PRIMARY KEY,
    channel TEXT NOT NULL,
    period_from DATE NOT NULL,
    period_to DATE NOT NULL,
    listings BIGINT NOT NULL,
    intents BIGINT NOT NULL,
    contracts BIGINT NOT NULL,
    smes BIGINT NOT NULL,
    turnover_fen BIGINT NOT NULL,
    set_by BIGINT NOT NULL,
    set_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX channel_targets_period ON channel_targets (channel, period_from, period_to);

-- +goose Down
DROP TABLE channel_targets;
DROP TABLE channel_visits;
DROP TABLE channel_touches;
DROP TABLE intent_messages;
DROP TABLE intents;
DROP INDEX contracts_channel;
ALTER TABLE contracts DROP COLUMN listed_at;
ALTER TABLE contracts DROP COLUMN intent_id;
ALTER TABLE contracts DROP COLUMN channel;
ALTER TABLE patents DROP COLUMN offered_at;
ALTER TABLE patents DROP COLUMN negotiable_licence;
