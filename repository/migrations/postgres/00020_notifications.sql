-- Citizens' notifications (e-mail and SMS, opt-in per item).
-- notify is the channels the applicant or sender asked to be told on,
-- comma-separated in the order email,sms ('' for none: every item before
-- this migration, and every imported one).
ALTER TABLE dossiers ADD COLUMN notify VARCHAR(16) NOT NULL DEFAULT '';
ALTER TABLE feedback ADD COLUMN notify VARCHAR(16) NOT NULL DEFAULT '';
-- history_id is the history entry the event was recorded for (in
-- dossier_history or feedback_history by subject; NULL for escalations and
-- events older than this column): what a message reads the reason, items
-- and amount staff wrote for that action from.
ALTER TABLE events ADD COLUMN history_id BIGINT;
-- One message per event and channel. The clear address is not kept here:
-- the sender reads it, sealed, from the item when it sends; to_masked is
-- what staff see in the events list. status: pending (not yet sent, or
-- failed and to be tried again), sent, logged (the log-only adapter took
-- it), dead (the last attempt failed, or it cannot be sent). last_error is
-- short and never holds the address or the text.
CREATE TABLE notifications (
    id         BIGSERIAL PRIMARY KEY,
    event_id   VARCHAR(40) NOT NULL REFERENCES events(id),
    channel    VARCHAR(8) NOT NULL CHECK (channel IN ('email', 'sms')),
    to_masked  VARCHAR(300) NOT NULL,
    status     VARCHAR(16) NOT NULL CHECK (status IN ('pending', 'sent', 'logged', 'dead')),
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error VARCHAR(500),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    sent_at    TIMESTAMPTZ
);
CREATE UNIQUE INDEX notifications_event_channel_idx ON notifications(event_id, channel);
