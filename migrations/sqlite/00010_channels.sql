-- +goose Up
-- Walls and supermarkets run by their operators (docs/rules.md §10): a wall's rules and its pinned and
-- excluded patents; a supermarket's price bands and its shelves. Rules are JSON
-- ({"industries","ipc","keywords","holder_kinds","districts"}); a wall that showed one industry keeps
-- showing it as a rule.
ALTER TABLE walls ADD COLUMN rules TEXT NOT NULL DEFAULT '{}';
ALTER TABLE walls ADD COLUMN updated_at DATETIME;
UPDATE walls SET rules = json_object('industries', json_array(industry)) WHERE industry <> '';

-- kind 'pin' (shown first, by position) or 'exclude' (never shown); a patent is one or the other.
CREATE TABLE wall_patents (
    wall_id BIGINT NOT NULL REFERENCES walls (id),
    patent_id BIGINT NOT NULL REFERENCES patents (id),
    kind TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (wall_id, patent_id)
);

-- price_bands: the bands' upper bounds in fen, ascending, as a JSON array ('' = the default bands).
ALTER TABLE supermarkets ADD COLUMN price_bands TEXT NOT NULL DEFAULT '';
ALTER TABLE supermarkets ADD COLUMN updated_at DATETIME;

CREATE TABLE supermarket_shelves (
    id INTEGER PRIMARY KEY,
    supermarket_id BIGINT NOT NULL REFERENCES supermarkets (id),
    key TEXT NOT NULL,
    title TEXT NOT NULL,
    position INTEGER NOT NULL,
    rules TEXT NOT NULL DEFAULT '{}',
    pins TEXT NOT NULL DEFAULT '[]',
    max_price_fen BIGINT
);
CREATE UNIQUE INDEX supermarket_shelves_key ON supermarket_shelves (supermarket_id, key);

-- +goose Down
DROP TABLE supermarket_shelves;
ALTER TABLE supermarkets DROP COLUMN updated_at;
ALTER TABLE supermarkets DROP COLUMN price_bands;
DROP TABLE wall_patents;
ALTER TABLE walls DROP COLUMN updated_at;
ALTER TABLE walls DROP COLUMN rules;
