-- Core schema of the Carbon Nexus engine: the seed's tables with the columns DESIGN.md fixes.
-- Rerunning a cycle must never create a second row: every table has the unique key that makes
-- its writes upserts.

-- Shipment events are written by data-core (or POST /events). The table is created here only
-- when it does not exist yet; where data-core made it, its own extra columns are kept and the
-- optional columns the engine reads are added if missing (all nullable, so its writers are not
-- affected).
create table if not exists events_normalized (
  id           bigserial primary key,
  occurred_at  timestamptz      not null,
  supplier     text             not null,
  route        text             not null,
  vehicle_type text             not null,
  distance_km  double precision not null,
  load_tonnes  double precision not null
);
alter table events_normalized
  add column if not exists payload_capacity_tonnes double precision,
  add column if not exists origin text,
  add column if not exists destination text,
  add column if not exists shipment_id text;

-- Windows ("the last 24 h") and incremental pick-up both scan by time.
create index if not exists events_normalized_occurred_at_idx on events_normalized (occurred_at);

-- One prediction per event (the primary key makes a re-prediction an upsert, never a second
-- row). The entity columns and occurred_at are copied from the event so that window totals per
-- supplier, route and vehicle type read one table instead of joining data-core's.
create table predictions (
  event_id      bigint           primary key,
  occurred_at   timestamptz      not null,
  supplier      text             not null,
  route         text             not null,
  vehicle_type  text             not null,
  co2_kg        double precision not null check (co2_kg >= 0),
  model         text             not null,
  model_version text             not null,
  predicted_at  timestamptz      not null default now()
);
create index predictions_occurred_at_idx on predictions (occurred_at);

-- Baseline per entity. source = 'computed' (recomputed hourly from history) or 'target' (an
-- operator's budget, written through the API or straight into this table); a target wins.
create table baselines (
  entity_type text             not null,
  entity      text             not null,
  baseline    double precision not null check (baseline > 0),
  source      text             not null check (source in ('computed', 'target')),
  computed_at timestamptz      not null default now(),
  primary key (entity_type, entity, source)
);

-- A hotspot is a state per entity, not a row per cycle: opened, updated while hot, escalated or
-- de-escalated, then resolved. At most one is open per entity at any time.
create table hotspots (
  id            bigserial        primary key,
  entity_type   text             not null,
  entity        text             not null,
  predicted     double precision not null,
  baseline      double precision not null,
  percent_above integer          not null,
  severity      text             not null check (severity in ('info', 'warn', 'critical')),
  status        text             not null default 'open' check (status in ('open', 'resolved')),
  opened_at     timestamptz      not null,
  updated_at    timestamptz      not null,
  resolved_at   timestamptz
);
create unique index hotspots_one_open_per_entity on hotspots (entity_type, entity) where status = 'open';
create index hotspots_updated_at_idx on hotspots (updated_at desc);

-- Alerts in the seed's shape plus lifecycle fields. dedup_key is built by the alerting policy
-- from the hotspot and the change it reports, so a retried cycle cannot store it twice.
create table alerts (
  id              bigserial   primary key,
  level           text        not null check (level in ('info', 'warn', 'critical')),
  message         text        not null,
  hotspot_id      bigint      not null references hotspots (id),
  kind            text        not null,
  dedup_key       text        not null unique,
  created_at      timestamptz not null default now(),
  acknowledged_at timestamptz,
  acknowledged_by text
);
create index alerts_created_at_idx on alerts (created_at desc);
create index alerts_hotspot_id_idx on alerts (hotspot_id);

-- Root cause and ranked actions for a hotspot, from the RAG service (source 'rag') or the
-- built-in recommender (source 'rules'). One per hotspot and severity: an escalation earns a
-- new recommendation, a retry does not.
create table recommendations (
  id         bigserial   primary key,
  hotspot_id bigint      not null references hotspots (id),
  entity     text        not null,
  severity   text        not null,
  root_cause text        not null,
  actions    jsonb       not null default '[]'::jsonb,
  source     text        not null,
  created_at timestamptz not null default now(),
  unique (hotspot_id, severity)
);
create index recommendations_created_at_idx on recommendations (created_at desc);
