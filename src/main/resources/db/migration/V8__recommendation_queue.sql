-- The durable queue of recommendation requests: one per hotspot and severity (an escalation asks
-- again), kept until a recommendation is stored. A request that failed waits for its next attempt
-- here, not in memory: a restart loses nothing.
create table recommendation_requests (
  hotspot_id       bigint           not null references hotspots (id),
  severity         text             not null,
  entity_type      text             not null,
  entity           text             not null,
  predicted        double precision not null,
  baseline         double precision not null,
  percent_above    integer          not null,
  status           text             not null default 'pending' check (status in ('pending', 'done')),
  attempts         integer          not null default 0,
  first_attempt_at timestamptz,
  next_attempt_at  timestamptz      not null default now(),
  last_error       text,
  created_at       timestamptz      not null default now(),
  primary key (hotspot_id, severity)
);
create index recommendation_requests_due_idx on recommendation_requests (next_attempt_at) where status = 'pending';
