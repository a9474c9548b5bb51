-- Fee lines and dossier components of procedures (docs/domain.md,
-- "Components and fees").
--
-- fee_lines breaks a procedure's fee down into charges (lệ phí) and fees
-- (phí): a JSON array of {"kind", "name", "amount"}, [] for a lump sum. When
-- it is not empty, fee is the sum of its amounts (the service keeps it so).
ALTER TABLE procedures ADD COLUMN fee_lines TEXT NOT NULL DEFAULT '[]';

-- The papers a dossier of a procedure is made of (thành phần hồ sơ). A
-- retired component (active false) stays for the dossiers that name it; no
-- row is ever deleted and an id is never reused. code is the component's
-- code in the national procedure database, unique within its procedure when
-- given (retired components included).
CREATE TABLE procedure_components (
    id             BIGSERIAL PRIMARY KEY,
    procedure_code VARCHAR(64) NOT NULL REFERENCES procedures(code),
    code           VARCHAR(200),
    name           VARCHAR(1200) NOT NULL,
    originals      INTEGER NOT NULL DEFAULT 1,
    copies         INTEGER NOT NULL DEFAULT 0,
    required       BOOLEAN NOT NULL DEFAULT TRUE,
    condition_text TEXT NOT NULL DEFAULT '',
    template       VARCHAR(1020),
    position       INTEGER NOT NULL DEFAULT 0,
    active         BOOLEAN NOT NULL DEFAULT TRUE,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX procedure_components_order_idx ON procedure_components(procedure_code, position, id);
CREATE UNIQUE INDEX procedure_components_code_idx ON procedure_components(procedure_code, code) WHERE code IS NOT NULL;
