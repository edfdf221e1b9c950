-- Lanes: one supplier on one route. A dozen extra shipments on one lane of a route that other
-- suppliers also serve are far out against the lane's own rate and lost in the route's total, so
-- detection also judges each lane's burst windows and reports what it finds on the route. Per
-- minute, the same sums as entity_minute_totals, kept by triggers on predictions; read by the
-- baselines verticle (lane models), detection and the replay. Lanes are never hotspots themselves.
create table lane_minute_totals (
  supplier text             not null,
  route    text             not null,
  minute   timestamptz      not null,
  co2_kg   double precision not null,
  events   integer          not null,
  tonne_km double precision not null,
  co2_sq   double precision not null,
  co2_tkm  double precision not null,
  tkm_sq   double precision not null,
  primary key (route, supplier, minute)
);
create index lane_minute_totals_minute_idx on lane_minute_totals (minute);

-- One function for every write: the statement's rows signed (+1 new, -1 old; an update moves both
-- in one statement, as the minutes' and hours' triggers do), summed per lane and minute in one
-- sorted upsert, so that concurrent writers lock lane rows in the same order. The rows come from
-- the transition tables the trigger has, named in dynamic SQL because an INSERT trigger has no old
-- table to plan against. Named after the minutes' and hours' triggers (zlanes): they fire last.
create function nexus_predictions_lanes_changed() returns trigger language plpgsql as $$
declare
  columns constant text := 'supplier, route, occurred_at, co2_kg, coalesce(tonne_km, 0) as tkm';
begin
  execute format($sql$
    insert into lane_minute_totals as t (supplier, route, minute, co2_kg, events, tonne_km, co2_sq, co2_tkm, tkm_sq)
    select r.supplier, r.route, date_trunc('minute', r.occurred_at), sum(r.sign * r.co2_kg), sum(r.sign),
           sum(r.sign * r.tkm), sum(r.sign * r.co2_kg * r.co2_kg), sum(r.sign * r.co2_kg * r.tkm),
           sum(r.sign * r.tkm * r.tkm)
      from (%s) r
     group by r.route, r.supplier, 3
     order by r.route, r.supplier, 3
    on conflict (route, supplier, minute) do update
      set co2_kg = t.co2_kg + excluded.co2_kg, events = t.events + excluded.events,
          tonne_km = t.tonne_km + excluded.tonne_km, co2_sq = t.co2_sq + excluded.co2_sq,
          co2_tkm = t.co2_tkm + excluded.co2_tkm, tkm_sq = t.tkm_sq + excluded.tkm_sq
    $sql$, case TG_OP
      when 'INSERT' then format('select 1 as sign, %s from nexus_new_predictions', columns)
      when 'DELETE' then format('select -1 as sign, %s from nexus_old_predictions', columns)
      else format('select -1 as sign, %1$s from nexus_old_predictions union all select 1, %1$s from nexus_new_predictions',
                  columns)
    end);
  return null;
end
$$;

create function nexus_predictions_lanes_truncated() returns trigger language plpgsql as $$
begin
  delete from lane_minute_totals;
  return null;
end
$$;

create trigger nexus_predictions_rollup_zlanes_insert after insert on predictions
  referencing new table as nexus_new_predictions for each statement execute function nexus_predictions_lanes_changed();
create trigger nexus_predictions_rollup_zlanes_delete after delete on predictions
  referencing old table as nexus_old_predictions for each statement execute function nexus_predictions_lanes_changed();
create trigger nexus_predictions_rollup_zlanes_update after update on predictions
  referencing old table as nexus_old_predictions new table as nexus_new_predictions
  for each statement execute function nexus_predictions_lanes_changed();
create trigger nexus_predictions_rollup_zlanes_truncate after truncate on predictions
  for each statement execute function nexus_predictions_lanes_truncated();

-- Predictions stored before this migration.
insert into lane_minute_totals (supplier, route, minute, co2_kg, events, tonne_km, co2_sq, co2_tkm, tkm_sq)
select supplier, route, date_trunc('minute', occurred_at), sum(co2_kg), count(*), sum(coalesce(tonne_km, 0)),
       sum(co2_kg * co2_kg), sum(co2_kg * coalesce(tonne_km, 0)), sum(coalesce(tonne_km, 0) * coalesce(tonne_km, 0))
  from predictions
 group by 1, 2, 3;

-- Each lane's normal, learnt hourly with the entities' by the baselines verticle and read by
-- detection on every node; lanes have no baselines or bands of their own.
create table lane_models (
  supplier  text        not null,
  route     text        not null,
  algorithm text        not null,
  built_at  timestamptz not null,
  model     jsonb       not null,
  primary key (supplier, route)
);
