-- Ingestion: the highest events_normalized id whose prediction is stored. Restarts resume from it
-- (with a look-back for transactions that committed late), so no event is skipped or repeated.
create table ingestion_state (
  id            smallint    primary key default 1 check (id = 1),
  last_event_id bigint      not null default 0,
  updated_at    timestamptz not null default now()
);
insert into ingestion_state (id, last_event_id) values (1, 0);

-- Real-time pick-up: one notification per inserting statement, not per row, so a bulk insert by
-- data-core costs one notification. Polling remains the safety net (e.g. behind a pooler).
create or replace function nexus_notify_events_inserted() returns trigger
language plpgsql as $$
begin
  perform pg_notify('nexus_events', '');
  return null;
end
$$;
drop trigger if exists nexus_events_inserted on events_normalized;
create trigger nexus_events_inserted after insert on events_normalized
  for each statement execute function nexus_notify_events_inserted();

-- How each computed baseline was made, so an operator can read it.
alter table baselines
  add column statistic      text,
  add column samples        integer,
  add column window_seconds bigint;

-- Every change of a hotspot's level (opened, escalated, de-escalated, resolved), once: a change is
-- written in the same transaction as the hotspot row it follows from, so a retried cycle finds
-- the new state and writes nothing.
create table hotspot_changes (
  id            bigserial        primary key,
  hotspot_id    bigint           not null references hotspots (id),
  kind          text             not null check (kind in ('opened', 'escalated', 'deescalated', 'resolved')),
  severity      text             not null check (severity in ('info', 'warn', 'critical')),
  predicted     double precision not null,
  baseline      double precision not null,
  percent_above integer          not null,
  changed_at    timestamptz      not null,
  unique (hotspot_id, changed_at, kind)
);
create index hotspot_changes_changed_at_idx on hotspot_changes (changed_at desc);

-- One periodic detection run per interval across every engine on this database: the engine that
-- inserts the interval's row runs it.
create table detection_runs (
  interval_start timestamptz primary key,
  node           text        not null,
  started_at     timestamptz not null default now(),
  finished_at    timestamptz,
  entities       integer,
  changes        integer
);
