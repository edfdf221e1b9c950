-- POST /events with an Idempotency-Key: the ids a submission created, so a retried request
-- answers with the same ids instead of inserting the events again.
create table event_submissions (
  idempotency_key text        primary key,
  event_ids       bigint[]    not null,
  created_at      timestamptz not null default now()
);
