-- Foundation: agencies, procedures and their publications, the working
-- calendar, users and settings.
CREATE TABLE agencies (
    code        VARCHAR(64) PRIMARY KEY,
    name        VARCHAR(1200) NOT NULL,
    kind        VARCHAR(32) NOT NULL,
    parent_code VARCHAR(64) REFERENCES agencies(code),
    closed      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX agencies_parent_idx ON agencies(parent_code);

CREATE TABLE procedures (
    code                       VARCHAR(64) PRIMARY KEY,
    name                       VARCHAR(1200) NOT NULL,
    field                      VARCHAR(1200) NOT NULL,
    agency_code                VARCHAR(64) NOT NULL REFERENCES agencies(code),
    level                      VARCHAR(16) NOT NULL,
    processing_value           INTEGER NOT NULL,
    processing_unit            VARCHAR(16) NOT NULL,
    fee                        BIGINT NOT NULL DEFAULT 0,
    online_level               VARCHAR(16) NOT NULL,
    on_spot_eligible           BOOLEAN NOT NULL DEFAULT FALSE,
    national_portal_integrated BOOLEAN NOT NULL DEFAULT FALSE,
    status                     VARCHAR(16) NOT NULL,
    created_at                 TIMESTAMP NOT NULL,
    updated_at                 TIMESTAMP NOT NULL
);
CREATE INDEX procedures_agency_idx ON procedures(agency_code);

CREATE TABLE procedure_publications (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    procedure_code VARCHAR(64) NOT NULL REFERENCES procedures(code),
    kind           VARCHAR(16) NOT NULL,
    decision       VARCHAR(1200) NOT NULL,
    decided_on     VARCHAR(10) NOT NULL,
    created_at     TIMESTAMP NOT NULL
);
CREATE INDEX procedure_publications_proc_idx ON procedure_publications(procedure_code);
CREATE INDEX procedure_publications_decided_idx ON procedure_publications(decided_on);

CREATE TABLE calendar_years (
    year             INTEGER PRIMARY KEY,
    holidays         TEXT NOT NULL,
    working_weekends TEXT NOT NULL,
    sessions         TEXT NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);

CREATE TABLE users (
    username      VARCHAR(64) PRIMARY KEY,
    name          VARCHAR(1200) NOT NULL DEFAULT '',
    role          VARCHAR(16) NOT NULL,
    unit_code     VARCHAR(64) REFERENCES agencies(code),
    password_hash VARCHAR(200) NOT NULL,
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);

CREATE TABLE settings (
    key   VARCHAR(64) PRIMARY KEY,
    value TEXT NOT NULL
);
