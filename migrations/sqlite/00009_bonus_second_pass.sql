-- +goose Up
-- The bonus rules' second pass (docs/rules.md §3, §9): organisations keep a dated history of the facts a
-- bonus run judges, reviewers can disqualify a recipient for a round, and recovered clawbacks are
-- recorded. Both dialects have the same tables, columns and unique indexes.

-- One dated fact of an organisation: its SME status (sme: true|false), district (district: a code, ''
-- = outside Shanghai), operating state (operating) or credit (credit). valid_from/valid_to bound the days
-- it is in force (inclusive; NULL = open), known_from the day the platform learned it (NULL = known from
-- the start: the first facts recorded). A run uses, for each fact, the entry in force on the deal's
-- effective day that was known on the as-of day, the most recently learned first. Rows are never
-- changed: a correction is a new entry.
CREATE TABLE org_facts (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisations (id),
    fact TEXT NOT NULL,
    value TEXT NOT NULL,
    valid_from TEXT,
    valid_to TEXT,
    known_from TEXT,
    confirmed INTEGER NOT NULL, -- confirmed by staff (import, the bureau); a self-declared SME status does not count
    source TEXT NOT NULL, -- import | registration | bureau
    confirmed_by BIGINT, -- users.id of the bureau user; NULL = the command line or the registrant
    note TEXT NOT NULL DEFAULT '',
    recorded_at DATETIME NOT NULL
);
CREATE INDEX org_facts_org ON org_facts (org_id, fact);

-- The facts organisations had before the history existed: known from the start, in force throughout.
INSERT INTO org_facts (org_id, fact, value, confirmed, source, recorded_at)
SELECT id, 'sme', CASE WHEN is_sme THEN 'true' ELSE 'false' END, sme_confirmed,
       CASE WHEN facts_source = 'self-declared' THEN 'registration' ELSE 'import' END, updated_at FROM organisations;
INSERT INTO org_facts (org_id, fact, value, confirmed, source, recorded_at)
SELECT id, 'district', district_code, facts_source <> 'self-declared',
       CASE WHEN facts_source = 'self-declared' THEN 'registration' ELSE 'import' END, updated_at FROM organisations;
INSERT INTO org_facts (org_id, fact, value, confirmed, source, recorded_at)
SELECT id, 'operating', CASE WHEN operating_normally THEN 'true' ELSE 'false' END, facts_source <> 'self-declared',
       CASE WHEN facts_source = 'self-declared' THEN 'registration' ELSE 'import' END, updated_at FROM organisations;
INSERT INTO org_facts (org_id, fact, value, confirmed, source, recorded_at)
SELECT id, 'credit', CASE WHEN good_credit THEN 'true' ELSE 'false' END, facts_source <> 'self-declared',
       CASE WHEN facts_source = 'self-declared' THEN 'registration' ELSE 'import' END, updated_at FROM organisations;

-- A recipient disqualified for a round (seed Art. 26: 取消承接资格): its lines become ineligible and
-- what it was paid is clawed back.
CREATE TABLE bonus_disqualifications (
    id INTEGER PRIMARY KEY,
    round_id TEXT NOT NULL REFERENCES bonus_rounds (id),
    uscc TEXT NOT NULL,
    note TEXT NOT NULL,
    decided_by BIGINT,
    decided_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX bonus_disqualifications_recipient ON bonus_disqualifications (round_id, uscc);

-- Money recovered on a clawback (追回有关资金): a line of a round (patent '' in per-contract rounds),
-- the amount, the day and the reference of the repayment.
CREATE TABLE bonus_recoveries (
    id INTEGER PRIMARY KEY,
    round_id TEXT NOT NULL REFERENCES bonus_rounds (id),
    contract_no TEXT NOT NULL,
    patent TEXT NOT NULL DEFAULT '',
    amount_fen BIGINT NOT NULL,
    recovered_on TEXT NOT NULL,
    reference TEXT NOT NULL,
    recorded_by BIGINT,
    recorded_at DATETIME NOT NULL
);
CREATE INDEX bonus_recoveries_line ON bonus_recoveries (round_id, contract_no, patent);

-- +goose Down
DROP TABLE bonus_recoveries;
DROP TABLE bonus_disqualifications;
DROP TABLE org_facts;
