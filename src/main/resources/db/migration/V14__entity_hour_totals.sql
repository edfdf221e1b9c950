-- Per-hour CO2, events and tonne-km per entity, kept by triggers on predictions beside the
-- per-minute rollups (V6, V10), for GET /emissions/history: four weeks by hour read at most 672
-- rows per entity instead of up to 40,320. Written by these triggers only; read by the hotspot
-- query verticle. Only what the history shows is kept (detection reads the minutes).
create table entity_hour_totals (
  entity_type text             not null,
  entity      text             not null,
  hour        timestamptz      not null,
  co2_kg      double precision not null,
  events      integer          not null,
  tonne_km    double precision not null,
  primary key (entity_type, entity, hour)
);
create index entity_hour_totals_type_hour_idx on entity_hour_totals (entity_type, hour);

-- As for the minutes: one sorted statement per trigger, so that concurrent writers lock hour rows
-- in the same order; these triggers are named after the minutes' and so fire after them, once all
-- the statement's minute rows are locked.
create or replace function nexus_predictions_hours_inserted() returns trigger language plpgsql as $$
begin
  insert into entity_hour_totals as t (entity_type, entity, hour, co2_kg, events, tonne_km)
  select x.entity_type, x.entity, date_trunc('hour', r.occurred_at), sum(r.co2_kg), count(*), sum(coalesce(r.tonne_km, 0))
    from nexus_new_predictions r
    cross join lateral (values ('supplier', r.supplier), ('route', r.route), ('vehicle_type', r.vehicle_type))
      as x(entity_type, entity)
   group by 1, 2, 3
   order by 1, 2, 3
  on conflict (entity_type, entity, hour) do update
    set co2_kg = t.co2_kg + excluded.co2_kg, events = t.events + excluded.events, tonne_km = t.tonne_km + excluded.tonne_km;
  return null;
end
$$;

create or replace function nexus_predictions_hours_deleted() returns trigger language plpgsql as $$
begin
  insert into entity_hour_totals as t (entity_type, entity, hour, co2_kg, events, tonne_km)
  select x.entity_type, x.entity, date_trunc('hour', r.occurred_at), -sum(r.co2_kg), -count(*), -sum(coalesce(r.tonne_km, 0))
    from nexus_old_predictions r
    cross join lateral (values ('supplier', r.supplier), ('route', r.route), ('vehicle_type', r.vehicle_type))
      as x(entity_type, entity)
   group by 1, 2, 3
   order by 1, 2, 3
  on conflict (entity_type, entity, hour) do update
    set co2_kg = t.co2_kg + excluded.co2_kg, events = t.events + excluded.events, tonne_km = t.tonne_km + excluded.tonne_km;
  return null;
end
$$;

create or replace function nexus_predictions_hours_updated() returns trigger language plpgsql as $$
begin
  insert into entity_hour_totals as t (entity_type, entity, hour, co2_kg, events, tonne_km)
  select d.entity_type, d.entity, d.hour, sum(d.co2_kg), sum(d.events), sum(d.tonne_km)
    from (select x.entity_type, x.entity, date_trunc('hour', r.occurred_at) as hour, -r.co2_kg as co2_kg, -1 as events,
                 -coalesce(r.tonne_km, 0) as tonne_km
            from nexus_old_predictions r
            cross join lateral (values ('supplier', r.supplier), ('route', r.route), ('vehicle_type', r.vehicle_type))
              as x(entity_type, entity)
          union all
          select x.entity_type, x.entity, date_trunc('hour', r.occurred_at), r.co2_kg, 1, coalesce(r.tonne_km, 0)
            from nexus_new_predictions r
            cross join lateral (values ('supplier', r.supplier), ('route', r.route), ('vehicle_type', r.vehicle_type))
              as x(entity_type, entity)) d
   group by 1, 2, 3
   order by 1, 2, 3
  on conflict (entity_type, entity, hour) do update
    set co2_kg = t.co2_kg + excluded.co2_kg, events = t.events + excluded.events, tonne_km = t.tonne_km + excluded.tonne_km;
  return null;
end
$$;

create or replace function nexus_predictions_hours_truncated() returns trigger language plpgsql as $$
begin
  delete from entity_hour_totals;
  return null;
end
$$;

create trigger nexus_predictions_rollup_zhours_insert after insert on predictions
  referencing new table as nexus_new_predictions for each statement execute function nexus_predictions_hours_inserted();
create trigger nexus_predictions_rollup_zhours_delete after delete on predictions
  referencing old table as nexus_old_predictions for each statement execute function nexus_predictions_hours_deleted();
create trigger nexus_predictions_rollup_zhours_update after update on predictions
  referencing old table as nexus_old_predictions new table as nexus_new_predictions
  for each statement execute function nexus_predictions_hours_updated();
create trigger nexus_predictions_rollup_zhours_truncate after truncate on predictions
  for each statement execute function nexus_predictions_hours_truncated();

-- Predictions stored before this migration: from the minutes, which hold them all.
insert into entity_hour_totals (entity_type, entity, hour, co2_kg, events, tonne_km)
select entity_type, entity, date_trunc('hour', minute), sum(co2_kg), sum(events), sum(tonne_km)
  from entity_minute_totals
 group by 1, 2, 3;
