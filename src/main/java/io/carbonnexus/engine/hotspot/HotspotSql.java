package io.carbonnexus.engine.hotspot;

/** Queries of detection and baselines. Entities are (entity_type, entity) pairs read from predictions. */
final class HotspotSql {

  /** Every prediction counts for its supplier, its route and its vehicle type. */
  private static final String ENTITIES = """
    cross join lateral (values ('supplier', p.supplier), ('route', p.route), ('vehicle_type', p.vehicle_type))
      as x(entity_type, entity)
    """;

  /**
   * Window totals per entity over (from, to] in whole minutes: the minute holding {@code from}
   * through the minute holding {@code to}, from the per-minute rollups kept by triggers on
   * predictions. With $3..$5 set, only those suppliers,
   * routes and vehicle types (the fast path); with them null, all.
   */
  static final String WINDOW_TOTALS = """
    select entity_type, entity, sum(co2_kg) as predicted
      from entity_minute_totals
     where minute >= date_trunc('minute', $1::timestamptz) and minute <= date_trunc('minute', $2::timestamptz)
       and ($3::text[] is null
            or (entity_type = 'supplier' and entity = any($3))
            or (entity_type = 'route' and entity = any($4))
            or (entity_type = 'vehicle_type' and entity = any($5)))
     group by 1, 2
    """;

  /**
   * Totals per entity for each of $3 windows of $2 seconds ending at $1 (k = 0 is the most recent):
   * the history a computed baseline is made from.
   */
  static final String PAST_WINDOW_TOTALS = """
    select x.entity_type, x.entity,
           floor(extract(epoch from ($1::timestamptz - p.occurred_at)) / $2)::int as k,
           sum(p.co2_kg) as total
      from predictions p
    """ + ENTITIES + """
     where p.occurred_at <= $1 and p.occurred_at > $1::timestamptz - make_interval(secs => $2::double precision * $3)
     group by 1, 2, 3
    """;

  /** Totals per entity per bucket of $2 seconds in ($1, $3]; bucket b covers ($1 + (b-1)·step, $1 + b·step]. */
  static final String BUCKET_TOTALS = """
    select x.entity_type, x.entity, ceil(extract(epoch from (p.occurred_at - $1::timestamptz)) / $2)::int as b,
           sum(p.co2_kg) as total
      from predictions p
    """ + ENTITIES + """
     where p.occurred_at > $1 and p.occurred_at <= $3
     group by 1, 2, 3
    """;

  static final String UPSERT_COMPUTED_BASELINE = """
    insert into baselines (entity_type, entity, baseline, source, computed_at, statistic, samples, window_seconds)
    values ($1, $2, $3, 'computed', $4, $5, $6, $7)
    on conflict (entity_type, entity, source) do update
      set baseline = excluded.baseline, computed_at = excluded.computed_at, statistic = excluded.statistic,
          samples = excluded.samples, window_seconds = excluded.window_seconds
    """;

  /** An operator's target wins over the computed value. */
  static final String EFFECTIVE_BASELINES = """
    select distinct on (entity_type, entity) entity_type, entity, baseline, source
      from baselines
     order by entity_type, entity, (source = 'target') desc
    """;

  /** Serialises detection across every engine on this database (fast path and periodic runs). */
  static final String LOCK = "select pg_advisory_xact_lock(hashtext('nexus.detection'))";

  /**
   * Claims the current interval of $1 seconds, on the database's clock, and the one before it if
   * nobody ran it (a tick delayed past its interval's end by a long pause still gives that
   * interval its run, late rather than never); returns the intervals this engine got. The one
   * before is claimed only when the engines have run intervals before (not on a first start).
   */
  static final String CLAIM_INTERVAL = """
    with now_bin as (select date_bin(make_interval(secs => $1), now(), timestamptz '2000-01-01 00:00:00+00') as s)
    insert into detection_runs (interval_start, node)
    select c.s, $2
      from now_bin, lateral (values (now_bin.s), (now_bin.s - make_interval(secs => $1))) as c(s)
     where c.s = now_bin.s
        or exists (select 1 from detection_runs r where r.interval_start = now_bin.s - make_interval(secs => 2 * $1))
    on conflict (interval_start) do nothing
    returning interval_start
    """;

  static final String FINISH_INTERVAL = """
    update detection_runs set finished_at = now(), entities = $2, changes = $3 where interval_start = $1
    """;

  static final String OPEN_HOTSPOTS = """
    select id, entity_type, entity, severity, opened_at, predicted, baseline from hotspots where status = 'open'
    """;

  static final String INSERT_HOTSPOT = """
    insert into hotspots (entity_type, entity, predicted, baseline, percent_above, severity, status, opened_at, updated_at)
    values ($1, $2, $3, $4, $5, $6, 'open', $7, $7)
    returning id
    """;

  static final String UPDATE_HOTSPOT = """
    update hotspots set predicted = $2, baseline = $3, percent_above = $4, severity = $5, updated_at = $6
     where id = $1 and status = 'open'
    """;

  static final String RESOLVE_HOTSPOT = """
    update hotspots set predicted = $2, baseline = $3, percent_above = $4, status = 'resolved', updated_at = $5,
                        resolved_at = $5
     where id = $1 and status = 'open'
    """;

  static final String INSERT_CHANGE = """
    insert into hotspot_changes (hotspot_id, kind, severity, predicted, baseline, percent_above, changed_at)
    values ($1, $2, $3, $4, $5, $6, $7)
    on conflict do nothing
    """;

  /** Hotspots for GET /hotspots: $1 severities, $2 status, $3 entity_type, $4 entity, $5 since, $6 limit. */
  static final String LIST_HOTSPOTS = """
    select id, entity, entity_type, predicted, baseline, percent_above, severity, status, opened_at, updated_at,
           resolved_at
      from hotspots
     where ($1::text[] is null or severity = any($1))
       and ($2::text is null or status = $2)
       and ($3::text is null or entity_type = $3)
       and ($4::text is null or entity = $4)
       and ($5::timestamptz is null or updated_at >= $5)
     order by updated_at desc, id desc
     limit $6
    """;

  /** Effective baselines of one entity type ($1) or all, one entity ($2) or all, with how they were made. */
  static final String LIST_BASELINES = """
    select distinct on (entity_type, entity) entity_type, entity, baseline, source, computed_at, statistic, samples
      from baselines
     where ($1::text is null or entity_type = $1) and ($2::text is null or entity = $2)
     order by entity_type, entity, (source = 'target') desc
     limit $3
    """;

  static final String UPSERT_TARGET = """
    insert into baselines (entity_type, entity, baseline, source, computed_at, statistic)
    values ($1, $2, $3, 'target', now(), 'target')
    on conflict (entity_type, entity, source) do update
      set baseline = excluded.baseline, computed_at = excluded.computed_at
    returning entity_type, entity, baseline, source, computed_at, statistic, samples
    """;

  static final String DELETE_TARGET = """
    delete from baselines where entity_type = $1 and entity = $2 and source = 'target'
    """;

  /**
   * Suppliers $1 side by side over the window of minutes [$2, $3] and the window before it
   * [$4, $2): CO2 and events from the rollups, tonne-km from the events themselves, the effective
   * baseline, and whether the engine has ever seen the supplier.
   */
  static final String COMPARE_SUPPLIERS = """
    with asked as (select s, ord from unnest($1::text[]) with ordinality as a(s, ord)),
    cur as (select entity, sum(co2_kg) as co2, sum(events) as events from entity_minute_totals
             where entity_type = 'supplier' and entity = any($1)
               and minute >= date_trunc('minute', $2::timestamptz) and minute <= date_trunc('minute', $3::timestamptz)
             group by entity),
    prev as (select entity, sum(co2_kg) as co2 from entity_minute_totals
              where entity_type = 'supplier' and entity = any($1)
                and minute >= date_trunc('minute', $4::timestamptz) and minute < date_trunc('minute', $2::timestamptz)
              group by entity),
    tkm as (select p.supplier, sum(e.distance_km * e.load_tonnes) as tkm
              from predictions p join events_normalized e on e.id = p.event_id
             where p.supplier = any($1)
               and p.occurred_at >= date_trunc('minute', $2::timestamptz)
               and p.occurred_at < date_trunc('minute', $3::timestamptz) + interval '1 minute'
             group by p.supplier),
    base as (select distinct on (entity) entity, baseline, source from baselines
              where entity_type = 'supplier' and entity = any($1)
              order by entity, (source = 'target') desc)
    select a.s as supplier, coalesce(cur.co2, 0) as predicted, coalesce(cur.events, 0) as events,
           coalesce(prev.co2, 0) as previous, coalesce(tkm.tkm, 0) as tonne_km, base.baseline, base.source,
           exists (select 1 from entity_minute_totals m where m.entity_type = 'supplier' and m.entity = a.s)
             or base.baseline is not null as known
      from asked a
      left join cur on cur.entity = a.s
      left join prev on prev.entity = a.s
      left join tkm on tkm.supplier = a.s
      left join base on base.entity = a.s
     order by a.ord
    """;

  static final String OPEN_SUPPLIER_HOTSPOTS = """
    select id, entity, entity_type, predicted, baseline, percent_above, severity, status, opened_at, updated_at,
           resolved_at
      from hotspots
     where status = 'open' and entity_type = 'supplier' and entity = any($1)
    """;

  private HotspotSql() {
  }
}
