-- A staff member's work e-mail address, optional: the escalation digests
-- go to the users that have one. Stored lowercased (domain/user), so that
-- it compares as the mail system does.
ALTER TABLE users ADD COLUMN email VARCHAR(254);
