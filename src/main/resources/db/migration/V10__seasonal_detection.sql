-- Seasonal, multi-window detection (docs/architecture.md, Detection).

-- Each prediction keeps its tonne-km (distance x load): intensity (kg CO2 per tonne-km) is judged
-- from the same rollups as CO2. Predictions made before this version get it from their event.
alter table predictions add column tonne_km double precision;
update predictions p set tonne_km = e.distance_km * e.load_tonnes
  from events_normalized e
 where e.id = p.event_id and p.tonne_km is null;

-- The rollups gain tonne-km and the second moments the spreads are made of: Σ co2², Σ co2·tkm,
-- Σ tkm² per entity and minute.
alter table entity_minute_totals
  add column tonne_km double precision not null default 0,
  add column co2_sq   double precision not null default 0,
  add column co2_tkm  double precision not null default 0,
  add column tkm_sq   double precision not null default 0;

create or replace function nexus_predictions_inserted() returns trigger language plpgsql as $$
begin
  insert into entity_minute_totals as t (entity_type, entity, minute, co2_kg, events, tonne_km, co2_sq, co2_tkm, tkm_sq)
  select x.entity_type, x.entity, date_trunc('minute', r.occurred_at), sum(r.co2_kg), count(*),
         sum(coalesce(r.tonne_km, 0)), sum(r.co2_kg * r.co2_kg), sum(r.co2_kg * coalesce(r.tonne_km, 0)),
         sum(coalesce(r.tonne_km, 0) * coalesce(r.tonne_km, 0))
    from nexus_new_predictions r
    cross join lateral (values ('supplier', r.supplier), ('route', r.route), ('vehicle_type', r.vehicle_type))
      as x(entity_type, entity)
   group by 1, 2, 3
   order by 1, 2, 3
  on conflict (entity_type, entity, minute) do update
    set co2_kg = t.co2_kg + excluded.co2_kg, events = t.events + excluded.events,
        tonne_km = t.tonne_km + excluded.tonne_km, co2_sq = t.co2_sq + excluded.co2_sq,
        co2_tkm = t.co2_tkm + excluded.co2_tkm, tkm_sq = t.tkm_sq + excluded.tkm_sq;
  return null;
end
$$;

create or replace function nexus_predictions_deleted() returns trigger language plpgsql as $$
begin
  insert into entity_minute_totals as t (entity_type, entity, minute, co2_kg, events, tonne_km, co2_sq, co2_tkm, tkm_sq)
  select x.entity_type, x.entity, date_trunc('minute', r.occurred_at), -sum(r.co2_kg), -count(*),
         -sum(coalesce(r.tonne_km, 0)), -sum(r.co2_kg * r.co2_kg), -sum(r.co2_kg * coalesce(r.tonne_km, 0)),
         -sum(coalesce(r.tonne_km, 0) * coalesce(r.tonne_km, 0))
    from nexus_old_predictions r
    cross join lateral (values ('supplier', r.supplier), ('route', r.route), ('vehicle_type', r.vehicle_type))
      as x(entity_type, entity)
   group by 1, 2, 3
   order by 1, 2, 3
  on conflict (entity_type, entity, minute) do update
    set co2_kg = t.co2_kg + excluded.co2_kg, events = t.events + excluded.events,
        tonne_km = t.tonne_km + excluded.tonne_km, co2_sq = t.co2_sq + excluded.co2_sq,
        co2_tkm = t.co2_tkm + excluded.co2_tkm, tkm_sq = t.tkm_sq + excluded.tkm_sq;
  return null;
end
$$;

create or replace function nexus_predictions_updated() returns trigger language plpgsql as $$
begin
  insert into entity_minute_totals as t (entity_type, entity, minute, co2_kg, events, tonne_km, co2_sq, co2_tkm, tkm_sq)
  select d.entity_type, d.entity, d.minute, sum(d.co2_kg), sum(d.events), sum(d.tonne_km), sum(d.co2_sq),
         sum(d.co2_tkm), sum(d.tkm_sq)
    from (select x.entity_type, x.entity, date_trunc('minute', r.occurred_at) as minute, -r.co2_kg as co2_kg,
                 -1 as events, -coalesce(r.tonne_km, 0) as tonne_km, -r.co2_kg * r.co2_kg as co2_sq,
                 -r.co2_kg * coalesce(r.tonne_km, 0) as co2_tkm, -coalesce(r.tonne_km, 0) * coalesce(r.tonne_km, 0) as tkm_sq
            from nexus_old_predictions r
            cross join lateral (values ('supplier', r.supplier), ('route', r.route), ('vehicle_type', r.vehicle_type))
              as x(entity_type, entity)
          union all
          select x.entity_type, x.entity, date_trunc('minute', r.occurred_at), r.co2_kg, 1, coalesce(r.tonne_km, 0),
                 r.co2_kg * r.co2_kg, r.co2_kg * coalesce(r.tonne_km, 0), coalesce(r.tonne_km, 0) * coalesce(r.tonne_km, 0)
            from nexus_new_predictions r
            cross join lateral (values ('supplier', r.supplier), ('route', r.route), ('vehicle_type', r.vehicle_type))
              as x(entity_type, entity)) d
   group by 1, 2, 3
   order by 1, 2, 3
  on conflict (entity_type, entity, minute) do update
    set co2_kg = t.co2_kg + excluded.co2_kg, events = t.events + excluded.events,
        tonne_km = t.tonne_km + excluded.tonne_km, co2_sq = t.co2_sq + excluded.co2_sq,
        co2_tkm = t.co2_tkm + excluded.co2_tkm, tkm_sq = t.tkm_sq + excluded.tkm_sq;
  return null;
end
$$;

-- The new sums of the rollups that already exist.
update entity_minute_totals t
   set tonne_km = s.tonne_km, co2_sq = s.co2_sq, co2_tkm = s.co2_tkm, tkm_sq = s.tkm_sq
  from (select x.entity_type, x.entity, date_trunc('minute', p.occurred_at) as minute,
               sum(coalesce(p.tonne_km, 0)) as tonne_km, sum(p.co2_kg * p.co2_kg) as co2_sq,
               sum(p.co2_kg * coalesce(p.tonne_km, 0)) as co2_tkm,
               sum(coalesce(p.tonne_km, 0) * coalesce(p.tonne_km, 0)) as tkm_sq
          from predictions p
          cross join lateral (values ('supplier', p.supplier), ('route', p.route), ('vehicle_type', p.vehicle_type))
            as x(entity_type, entity)
         group by 1, 2, 3) s
 where t.entity_type = s.entity_type and t.entity = s.entity and t.minute = s.minute;

-- What each entity's normal is, learnt hourly by the baselines verticle and read by detection on
-- every node: one row per entity, the model as JSON (or the legacy algorithm's one baseline).
create table entity_models (
  entity_type text        not null,
  entity      text        not null,
  algorithm   text        not null,
  built_at    timestamptz not null,
  model       jsonb       not null,
  primary key (entity_type, entity)
);

-- baselines keeps its contract: one row per entity and source, the computed one being the upper
-- edge of normal CO2 over detection.window (what a target replaces), now beside its expected value.
-- Every window and measure an entity is judged on has its band in baseline_bands.
alter table baselines add column expected double precision;
create table baseline_bands (
  entity_type    text             not null,
  entity         text             not null,
  window_seconds bigint           not null,
  kind           text             not null check (kind in ('emissions', 'intensity')),
  expected       double precision not null,
  baseline       double precision not null,
  computed_at    timestamptz      not null,
  primary key (entity_type, entity, window_seconds, kind)
);

-- Hotspots say which window and measure fired, and the value expected there.
alter table hotspots
  add column "window" text,
  add column kind     text not null default 'emissions' check (kind in ('emissions', 'intensity')),
  add column expected double precision;
-- (hotspot_changes.kind is the change itself, opened ... resolved: the measure is its own column.)
alter table hotspot_changes
  add column "window" text,
  add column measure  text not null default 'emissions' check (measure in ('emissions', 'intensity')),
  add column expected double precision;

-- The demo's first-start surge (demo_feed.showcase): when it began, so that later writes and
-- restarts generate the very same events.
alter table demo_feed_state add column showcase_from timestamptz;
