-- +goose Up
CREATE TABLE organisations (
    id INTEGER PRIMARY KEY,
    uscc TEXT NOT NULL,
    uscc_warning TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    district_code TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    legal_rep TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    founded_on TEXT,
    is_sme INTEGER NOT NULL DEFAULT 0,
    sme_confirmed INTEGER NOT NULL DEFAULT 0,
    sme_industry TEXT NOT NULL DEFAULT '',
    sme_employees BIGINT NOT NULL DEFAULT 0,
    sme_revenue_fen BIGINT NOT NULL DEFAULT 0,
    sme_assets_fen BIGINT NOT NULL DEFAULT 0,
    sme_year INTEGER NOT NULL DEFAULT 0,
    sme_note TEXT NOT NULL DEFAULT '',
    operating_normally INTEGER NOT NULL DEFAULT 1,
    good_credit INTEGER NOT NULL DEFAULT 1,
    facts_source TEXT NOT NULL DEFAULT '',
    facts_as_of TEXT,
    verified_at DATETIME,
    verified_by BIGINT,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX organisations_uscc ON organisations (uscc);
CREATE INDEX organisations_kind ON organisations (kind);

CREATE TABLE patents (
    id INTEGER PRIMARY KEY,
    application_no TEXT NOT NULL,
    type TEXT NOT NULL,
    title TEXT NOT NULL,
    abstract TEXT NOT NULL DEFAULT '',
    patentee_id BIGINT NOT NULL REFERENCES organisations (id),
    filing_date TEXT,
    grant_date TEXT,
    status TEXT NOT NULL,
    industry TEXT NOT NULL DEFAULT '',
    ipc TEXT NOT NULL DEFAULT '',
    fees_unpaid INTEGER NOT NULL DEFAULT 0,
    under_dispute INTEGER NOT NULL DEFAULT 0,
    pledged_no_consent INTEGER NOT NULL DEFAULT 0,
    transfer_price_fen BIGINT NOT NULL DEFAULT 0,
    featured INTEGER NOT NULL DEFAULT 0,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX patents_application_no ON patents (application_no);
CREATE INDEX patents_patentee ON patents (patentee_id);
CREATE INDEX patents_created ON patents (created_at);

CREATE TABLE declarations (
    id INTEGER PRIMARY KEY,
    patent_id BIGINT NOT NULL REFERENCES patents (id),
    fee_model TEXT NOT NULL,
    fee_fen BIGINT NOT NULL DEFAULT 0,
    royalty_bp BIGINT NOT NULL DEFAULT 0,
    royalty_base TEXT NOT NULL DEFAULT '',
    entry_fee_fen BIGINT NOT NULL DEFAULT 0,
    term_months INTEGER NOT NULL,
    evaluation_report_no TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    warnings TEXT NOT NULL DEFAULT '',
    published_at DATETIME NOT NULL,
    withdrawn_at DATETIME,
    created_by BIGINT
);
-- At most one live declaration per patent (docs/rules.md §5), enforced by the database.
CREATE UNIQUE INDEX declarations_one_live ON declarations (patent_id) WHERE status = 'live';
CREATE INDEX declarations_patent ON declarations (patent_id);

CREATE TABLE contracts (
    id INTEGER PRIMARY KEY,
    contract_no TEXT NOT NULL,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    declaration_id BIGINT REFERENCES declarations (id),
    licensor_id BIGINT NOT NULL REFERENCES organisations (id),
    licensee_id BIGINT NOT NULL REFERENCES organisations (id),
    status TEXT NOT NULL,
    amount_due_fen BIGINT NOT NULL DEFAULT 0,
    fee_fen BIGINT NOT NULL DEFAULT 0,
    terms_json TEXT NOT NULL DEFAULT '',
    content_sha256 TEXT NOT NULL DEFAULT '',
    idempotency_key TEXT,
    live_key TEXT,
    signed_on TEXT,
    notice_delivered_at DATETIME,
    paid_at DATETIME,
    effective_at DATETIME,
    effective_on TEXT,
    filing_no TEXT NOT NULL DEFAULT '',
    filed_on TEXT,
    ended_at DATETIME,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX contracts_contract_no ON contracts (contract_no);
CREATE UNIQUE INDEX contracts_idempotency_key ON contracts (idempotency_key);
CREATE UNIQUE INDEX contracts_live_key ON contracts (live_key);
CREATE INDEX contracts_licensor ON contracts (licensor_id);
CREATE INDEX contracts_licensee ON contracts (licensee_id);
CREATE INDEX contracts_effective_on ON contracts (effective_on);

CREATE TABLE contract_patents (
    contract_id BIGINT NOT NULL REFERENCES contracts (id),
    patent_id BIGINT NOT NULL REFERENCES patents (id),
    PRIMARY KEY (contract_id, patent_id)
);
CREATE INDEX contract_patents_patent ON contract_patents (patent_id);

CREATE TABLE filings (
    id INTEGER PRIMARY KEY,
    filing_no TEXT NOT NULL,
    filed_on TEXT,
    kind TEXT NOT NULL,
    patents TEXT NOT NULL,
    licensor_uscc TEXT NOT NULL DEFAULT '',
    licensee_uscc TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    cancelled_on TEXT,
    imported_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX filings_filing_no ON filings (filing_no);

CREATE TABLE ipc_titles (
    symbol TEXT PRIMARY KEY,
    level TEXT NOT NULL,
    title_zh TEXT NOT NULL DEFAULT '',
    title_en TEXT NOT NULL DEFAULT ''
);

CREATE TABLE search_outbox (
    id INTEGER PRIMARY KEY,
    patent_id BIGINT NOT NULL,
    created_at DATETIME NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT ''
);

CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL DEFAULT ''
);

CREATE TABLE walls (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL,
    name TEXT NOT NULL,
    name_en TEXT NOT NULL DEFAULT '',
    industry TEXT NOT NULL DEFAULT '',
    org_id BIGINT NOT NULL REFERENCES organisations (id),
    description TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX walls_slug ON walls (slug);

CREATE TABLE supermarkets (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL,
    name TEXT NOT NULL,
    name_en TEXT NOT NULL DEFAULT '',
    district_code TEXT NOT NULL,
    office_id BIGINT NOT NULL REFERENCES organisations (id),
    agency_id BIGINT REFERENCES organisations (id),
    park TEXT NOT NULL DEFAULT '',
    max_price_fen BIGINT NOT NULL DEFAULT 0,
    created_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX supermarkets_slug ON supermarkets (slug);

CREATE TABLE demands (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisations (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    industry TEXT NOT NULL DEFAULT '',
    ipc TEXT NOT NULL DEFAULT '',
    budget_fen BIGINT NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    created_at DATETIME NOT NULL
);
CREATE INDEX demands_created ON demands (created_at);

-- +goose Down
DROP TABLE demands;
DROP TABLE supermarkets;
DROP TABLE walls;
DROP TABLE meta;
DROP TABLE search_outbox;
DROP TABLE ipc_titles;
DROP TABLE filings;
DROP TABLE contract_patents;
DROP TABLE contracts;
DROP TABLE declarations;
DROP TABLE patents;
DROP TABLE organisations;
