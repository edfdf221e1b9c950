-- POST /events: an Idempotency-Key remembers which request it was used for, and for how long.
-- request_sha256 is the hex SHA-256 of the submitted events in a canonical form (ingestion's
-- SubmissionFingerprint): the same key with another body is refused instead of replayed. Rows
-- stored before this migration have none (their bodies were never kept): they replay by key alone,
-- as before, until they expire. A key is remembered for http.idempotency_key_ttl after created_at;
-- the index serves the periodic purge of expired keys.
alter table event_submissions add column request_sha256 text;

create index event_submissions_created_at on event_submissions (created_at);
