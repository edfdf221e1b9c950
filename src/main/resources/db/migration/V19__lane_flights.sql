-- Lanes count their flown shipments, for the air-share test (docs/architecture.md): a supplier
-- that moves some of its vans to air freight changes its kg per tonne-km by a few percent (a
-- diesel van emits 0.63 kg per tonne-km, short-haul air 0.76), but flies on lanes that never fly,
-- which three flights show. A shipment flies when its vehicle type, normalised as the built-in
-- model reads it (EmissionFactorTable.normalize: control characters and blanks trimmed, lower case,
-- runs of whitespace and hyphens as '_'), names a factor of mode 'air' in emission-factors.csv:
-- `air` (aliases `air_long_haul`, `plane`) and `air_short_haul`. A test pins this list and these
-- spellings to the table; a new air factor or alias needs a migration that redefines nexus_flies.
--
-- Writers of other engines wait until this commits, as for V18.
lock table predictions in share mode;

-- Java's trim() strips every character up to U+0020; its \s is [ \t\n\x0B\f\r]. lower() in the C
-- collation lowers ASCII letters as Locale.ROOT does, whatever the database's locale (no Turkish
-- dotless i); the air names are ASCII.
create function nexus_flies(vehicle_type text) returns boolean language sql immutable as $$
  select coalesce(regexp_replace(lower(btrim(vehicle_type collate "C", E'\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0A\x0B\x0C\x0D\x0E'
                                                         || E'\x0F\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1A\x1B\x1C'
                                                         || E'\x1D\x1E\x1F\x20')),
                                 E'[ \t\n\x0B\f\r-]+', '_', 'g')
                  in ('air', 'air_long_haul', 'plane', 'air_short_haul'), false)
$$;

alter table lane_minute_totals add column air_events integer not null default 0;

-- Live detection reads a supplier's lanes over its intensity window (the fast path, by supplier):
-- the primary key leads with the route.
create index lane_minute_totals_supplier_minute_idx on lane_minute_totals (supplier, minute);

-- V15's function with the flights: the same single sorted upsert.
create or replace function nexus_predictions_lanes_changed() returns trigger language plpgsql as $$
declare
  columns constant text :=
    'supplier, route, occurred_at, co2_kg, coalesce(tonne_km, 0) as tkm, nexus_flies(vehicle_type)::int as air';
begin
  execute format($sql$
    insert into lane_minute_totals as t (supplier, route, minute, co2_kg, events, tonne_km, co2_sq, co2_tkm, tkm_sq,
                                         air_events)
    select r.supplier, r.route, date_trunc('minute', r.occurred_at), sum(r.sign * r.co2_kg), sum(r.sign),
           sum(r.sign * r.tkm), sum(r.sign * r.co2_kg * r.co2_kg), sum(r.sign * r.co2_kg * r.tkm),
           sum(r.sign * r.tkm * r.tkm), sum(r.sign * r.air)
      from (%s) r
     group by r.route, r.supplier, 3
     order by r.route, r.supplier, 3
    on conflict (route, supplier, minute) do update
      set co2_kg = t.co2_kg + excluded.co2_kg, events = t.events + excluded.events,
          tonne_km = t.tonne_km + excluded.tonne_km, co2_sq = t.co2_sq + excluded.co2_sq,
          co2_tkm = t.co2_tkm + excluded.co2_tkm, tkm_sq = t.tkm_sq + excluded.tkm_sq,
          air_events = t.air_events + excluded.air_events
    $sql$, case TG_OP
      when 'INSERT' then format('select 1 as sign, %s from nexus_new_predictions', columns)
      when 'DELETE' then format('select -1 as sign, %s from nexus_old_predictions', columns)
      else format('select -1 as sign, %1$s from nexus_old_predictions union all select 1, %1$s from nexus_new_predictions',
                  columns)
    end);
  return null;
end
$$;

-- Flights stored before this migration.
update lane_minute_totals t
   set air_events = f.flown
  from (select supplier, route, date_trunc('minute', occurred_at) as minute, count(*) as flown
          from predictions
         where nexus_flies(vehicle_type)
         group by 1, 2, 3) f
 where t.supplier = f.supplier and t.route = f.route and t.minute = f.minute;
