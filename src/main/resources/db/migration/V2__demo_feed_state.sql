-- How far the demo feed has written synthetic events. Events and this mark are written in one
-- transaction, so a restart resumes exactly where the feed stopped: no gap, no doubled event.
create table demo_feed_state (
  id              smallint    primary key default 1 check (id = 1),
  generated_until timestamptz not null,
  updated_at      timestamptz not null default now()
);
