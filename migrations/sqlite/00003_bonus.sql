-- +goose Up
-- Bonus programmes (docs/rules.md §9): rounds are data, runs are stored immutable with the hash of their
-- inputs, and reviewers' decisions on flagged lines are kept across runs. Both dialects have the same
-- tables, columns and unique indexes.

-- A round: one rule applied to one window with its amounts and fraud-flag settings. A flag setting of 0
-- (or FALSE) switches that flag off.
CREATE TABLE bonus_rounds (
    id TEXT PRIMARY KEY, -- slug, e.g. art22-2022
    name TEXT NOT NULL DEFAULT '',
    rule TEXT NOT NULL, -- licensor_open_licence | institution_per_patent
    window_from TEXT NOT NULL, -- inclusive, Shanghai calendar days
    window_to TEXT NOT NULL, -- inclusive
    basis TEXT NOT NULL DEFAULT 'effective', -- effective | filed: which date must fall in the window
    unit_fen BIGINT NOT NULL, -- per contract or per patent, a ceiling
    cap_fen BIGINT NOT NULL, -- total of the round
    recipient_cap_fen BIGINT, -- NULL = no per-recipient cap
    requires_filing INTEGER NOT NULL DEFAULT 1, -- 实绩实奖: match CNIPA's filing list
    flag_related_party INTEGER NOT NULL DEFAULT 1,
    circular_days INTEGER NOT NULL DEFAULT 365,
    new_licensee_days INTEGER NOT NULL DEFAULT 180,
    burst_count INTEGER NOT NULL DEFAULT 5,
    burst_days INTEGER NOT NULL DEFAULT 30,
    reversal_days INTEGER NOT NULL DEFAULT 365,
    low_fee_percent INTEGER NOT NULL DEFAULT 10,
    flag_double_claim INTEGER NOT NULL DEFAULT 1,
    created_at DATETIME NOT NULL,
    created_by BIGINT, -- users.id; NULL = command line
    updated_at DATETIME NOT NULL,
    updated_by BIGINT
);

-- A computed run. result holds every line (gzip of a compact binary encoding, see bonus/codec.go):
-- a million lines are a few megabytes, written and read in one go. flagged holds the lines with flags
-- as JSON so the review queue never has to decode the whole run.
CREATE TABLE bonus_runs (
    id INTEGER PRIMARY KEY,
    round_id TEXT NOT NULL REFERENCES bonus_rounds (id),
    n INTEGER NOT NULL, -- 1, 2, 3 … per round
    as_of TEXT NOT NULL,
    input_hash TEXT NOT NULL,
    cap_fen BIGINT NOT NULL,
    eligible_fen BIGINT NOT NULL,
    total_fen BIGINT NOT NULL,
    scaled INTEGER NOT NULL,
    line_count INTEGER NOT NULL,
    eligible_count INTEGER NOT NULL,
    held_count INTEGER NOT NULL,
    clawback_fen BIGINT NOT NULL DEFAULT 0,
    result BLOB NOT NULL,
    flagged TEXT NOT NULL DEFAULT '[]',
    frozen INTEGER NOT NULL DEFAULT 0, -- final: what was paid; later runs claw back from it
    frozen_at DATETIME,
    frozen_by BIGINT,
    created_at DATETIME NOT NULL,
    created_by BIGINT
);
CREATE UNIQUE INDEX bonus_runs_round_n ON bonus_runs (round_id, n);

-- A reviewer's decision on a held line; patent is '' for per-contract rounds. flags records what the
-- reviewer saw: an approval no longer applies once a new flag appears.
CREATE TABLE flag_reviews (
    id INTEGER PRIMARY KEY,
    round_id TEXT NOT NULL REFERENCES bonus_rounds (id),
    contract_no TEXT NOT NULL,
    patent TEXT NOT NULL DEFAULT '',
    decision TEXT NOT NULL, -- approved | rejected
    flags TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL,
    reviewer_user_id BIGINT,
    decided_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX flag_reviews_line ON flag_reviews (round_id, contract_no, patent);

-- The seed's two rounds (seed Arts. 19 and 22), so they exist out of the box.
INSERT INTO bonus_rounds (id, name, rule, window_from, window_to, basis, unit_fen, cap_fen, requires_filing, created_at, updated_at)
VALUES ('art22-2022', '2022年度企业（许可人）专利开放许可绩效奖补（第二十二条）', 'licensor_open_licence',
        '2022-01-01', '2022-12-31', 'effective', 300000, 30000000, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
       ('art19-2022', '高校院所专利许可转让绩效奖补（第十九条）', 'institution_per_patent',
        '2022-07-01', '2023-06-30', 'effective', 150000, 300000000, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);

-- +goose Down
DROP TABLE flag_reviews;
DROP TABLE bonus_runs;
DROP TABLE bonus_rounds;
