-- The events not yet dispatched, oldest first: each dispatch job fans out
-- its own event and a batch of these (repository/events.go), and the
-- index keeps that read small however many events were dispatched before.
CREATE INDEX events_undispatched_idx ON events(created_at, id) WHERE dispatched_at IS NULL;
