-- The text a leader chose to publish instead of the item's own title,
-- content and answer (NULL: publish the item's own). Both are redacted when
-- shown publicly; the originals stay as received and answered.
ALTER TABLE feedback ADD COLUMN public_title TEXT;
ALTER TABLE feedback ADD COLUMN public_content TEXT;
ALTER TABLE feedback ADD COLUMN public_answer TEXT;
