-- Applicants' and senders' ID numbers, phones, e-mails and addresses are
-- stored sealed (AES-256-GCM, repository/sealing.go): the envelope, nonce and
-- tag make a value longer than the widths the clear text had. TEXT keeps any
-- length; from VARCHAR it is a change of the catalogue only, no rewrite.
-- The service still bounds what it accepts before sealing.
ALTER TABLE dossiers ALTER COLUMN applicant_id_number TYPE TEXT;
ALTER TABLE dossiers ALTER COLUMN applicant_phone TYPE TEXT;
ALTER TABLE dossiers ALTER COLUMN applicant_email TYPE TEXT;
ALTER TABLE dossiers ALTER COLUMN applicant_address TYPE TEXT;
ALTER TABLE feedback ALTER COLUMN sender_phone TYPE TEXT;
ALTER TABLE feedback ALTER COLUMN sender_email TYPE TEXT;
ALTER TABLE feedback ALTER COLUMN sender_address TYPE TEXT;
