-- Gap-free counters for dossier and feedback codes: one row per series
-- (unit and local day), incremented inside the registering transaction so a
-- rolled-back registration leaves no gap and concurrent ones queue on the row.
CREATE TABLE sequences (
    name  VARCHAR(200) PRIMARY KEY,
    value BIGINT NOT NULL
);
