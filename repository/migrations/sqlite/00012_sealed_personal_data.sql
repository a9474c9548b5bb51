-- Applicants' and senders' ID numbers, phones, e-mails and addresses are
-- stored sealed (AES-256-GCM, repository/sealing.go), longer than the clear
-- text. SQLite does not enforce a VARCHAR width, so nothing changes here; the
-- file keeps the two dialects' migrations numbered alike.
SELECT 1;
