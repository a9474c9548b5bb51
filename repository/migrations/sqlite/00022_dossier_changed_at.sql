-- The last change of a dossier: its registration or import, an action, or
-- a file or payment recorded on it (§14.2's export reads dossiers by it,
-- then by code). The stores set it with every such write; existing rows
-- take the latest time known of them: the row's last update or, when later,
-- its latest history entry (file uploads write no update).
ALTER TABLE dossiers ADD COLUMN changed_at TIMESTAMP;
UPDATE dossiers SET changed_at = COALESCE(
    (SELECT MAX(h.at) FROM dossier_history h WHERE h.dossier_id = dossiers.id AND h.at > dossiers.updated_at),
    updated_at);
CREATE INDEX dossiers_changed_idx ON dossiers(changed_at, code);
