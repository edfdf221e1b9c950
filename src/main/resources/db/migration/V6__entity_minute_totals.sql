-- Per-minute CO2 totals per entity, kept by triggers on predictions, whoever writes them. Window
-- totals ("the last 24 h") then read at most 1,440 rows per entity instead of every prediction:
-- detection's fast path stays fast however many events the window holds. A window's oldest edge
-- is exact to the minute.
create table entity_minute_totals (
  entity_type text             not null,
  entity      text             not null,
  minute      timestamptz      not null,
  co2_kg      double precision not null,
  events      integer          not null,
  primary key (entity_type, entity, minute)
);
create index entity_minute_totals_minute_idx on entity_minute_totals (minute);

-- Transition tables are visible only in the trigger function itself, so each function carries its
-- own statement. Rows are sorted by key: concurrent writers lock rollup rows in the same order and
-- never deadlock. Rows a conflict skipped (a prediction stored twice) are not in the transition
-- table: a retried insert adds nothing.
create or replace function nexus_predictions_inserted() returns trigger language plpgsql as $$
begin
  insert into entity_minute_totals as t (entity_type, entity, minute, co2_kg, events)
  select x.entity_type, x.entity, date_trunc('minute', r.occurred_at), sum(r.co2_kg), count(*)
    from nexus_new_predictions r
    cross join lateral (values ('supplier', r.supplier), ('route', r.route), ('vehicle_type', r.vehicle_type))
      as x(entity_type, entity)
   group by 1, 2, 3
   order by 1, 2, 3
  on conflict (entity_type, entity, minute) do update
    set co2_kg = t.co2_kg + excluded.co2_kg, events = t.events + excluded.events;
  return null;
end
$$;

create or replace function nexus_predictions_deleted() returns trigger language plpgsql as $$
begin
  insert into entity_minute_totals as t (entity_type, entity, minute, co2_kg, events)
  select x.entity_type, x.entity, date_trunc('minute', r.occurred_at), -sum(r.co2_kg), -count(*)
    from nexus_old_predictions r
    cross join lateral (values ('supplier', r.supplier), ('route', r.route), ('vehicle_type', r.vehicle_type))
      as x(entity_type, entity)
   group by 1, 2, 3
   order by 1, 2, 3
  on conflict (entity_type, entity, minute) do update
    set co2_kg = t.co2_kg + excluded.co2_kg, events = t.events + excluded.events;
  return null;
end
$$;

-- Old rows out and new rows in, in one sorted statement: two concurrent updates lock rollup rows in
-- the same order.
create or replace function nexus_predictions_updated() returns trigger language plpgsql as $$
begin
  insert into entity_minute_totals as t (entity_type, entity, minute, co2_kg, events)
  select d.entity_type, d.entity, d.minute, sum(d.co2_kg), sum(d.events)
    from (select x.entity_type, x.entity, date_trunc('minute', r.occurred_at) as minute, -r.co2_kg as co2_kg, -1 as events
            from nexus_old_predictions r
            cross join lateral (values ('supplier', r.supplier), ('route', r.route), ('vehicle_type', r.vehicle_type))
              as x(entity_type, entity)
          union all
          select x.entity_type, x.entity, date_trunc('minute', r.occurred_at), r.co2_kg, 1
            from nexus_new_predictions r
            cross join lateral (values ('supplier', r.supplier), ('route', r.route), ('vehicle_type', r.vehicle_type))
              as x(entity_type, entity)) d
   group by 1, 2, 3
   order by 1, 2, 3
  on conflict (entity_type, entity, minute) do update
    set co2_kg = t.co2_kg + excluded.co2_kg, events = t.events + excluded.events;
  return null;
end
$$;

-- delete, not truncate: a TRUNCATE naming both tables would otherwise fail inside this trigger.
create or replace function nexus_predictions_truncated() returns trigger language plpgsql as $$
begin
  delete from entity_minute_totals;
  return null;
end
$$;

create trigger nexus_predictions_rollup_insert after insert on predictions
  referencing new table as nexus_new_predictions for each statement execute function nexus_predictions_inserted();
create trigger nexus_predictions_rollup_delete after delete on predictions
  referencing old table as nexus_old_predictions for each statement execute function nexus_predictions_deleted();
create trigger nexus_predictions_rollup_update after update on predictions
  referencing old table as nexus_old_predictions new table as nexus_new_predictions
  for each statement execute function nexus_predictions_updated();
create trigger nexus_predictions_rollup_truncate after truncate on predictions
  for each statement execute function nexus_predictions_truncated();

-- Predictions stored before this migration.
insert into entity_minute_totals (entity_type, entity, minute, co2_kg, events)
select x.entity_type, x.entity, date_trunc('minute', p.occurred_at), sum(p.co2_kg), count(*)
  from predictions p
  cross join lateral (values ('supplier', p.supplier), ('route', p.route), ('vehicle_type', p.vehicle_type))
    as x(entity_type, entity)
 group by 1, 2, 3;
