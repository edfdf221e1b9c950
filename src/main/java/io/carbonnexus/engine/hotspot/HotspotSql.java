package io.carbonnexus.engine.hotspot;

import java.time.Instant;

/** Queries of detection and baselines. Entities are (entity_type, entity) pairs read from predictions. */
final class HotspotSql {

  /** Every prediction counts for its supplier, its route and its vehicle type. */
  private static final String ENTITIES = """
    cross join lateral (values ('supplier', p.supplier), ('route', p.route), ('vehicle_type', p.vehicle_type))
      as x(entity_type, entity)
    """;

  private static final String SUMS = """
    sum(co2_kg) as co2, sum(events) as events, sum(tonne_km) as tkm, sum(co2_sq) as co2_sq,
    sum(co2_tkm) as co2_tkm, sum(tkm_sq) as tkm_sq""";

  /** A lane's sums: an entity's, and the shipments that flew (V19). */
  private static final String LANE_SUMS = SUMS + ", sum(air_events) as air";

  /**
   * What each entity did over the minutes [$1, $2), from the per-minute rollups kept by triggers on
   * predictions: a window's observation. With $3..$5 set, only those suppliers, routes and vehicle
   * types (the fast path); with them null, all.
   */
  static final String WINDOW_ACTIVITY = "select entity_type, entity, " + SUMS + """

      from entity_minute_totals
     where minute >= $1 and minute < $2
       and ($3::text[] is null
            or (entity_type = 'supplier' and entity = any($3))
            or (entity_type = 'route' and entity = any($4))
            or (entity_type = 'vehicle_type' and entity = any($5)))
     group by 1, 2
    """;

  /**
   * What each entity did in each bucket of $2 seconds of [$1, $3): bucket b covers
   * [$1 + b·step, $1 + (b+1)·step). Hourly buckets are what models are learnt from; a replay
   * reads its whole range this way.
   */
  static final String BUCKET_ACTIVITY = bucketActivity("entity_type, entity", "entity_minute_totals", "minute", "");

  /**
   * {@link #BUCKET_ACTIVITY} from the hour rollups (V14, with second moments since V18): the same
   * sums in a sixtieth of the rows, for buckets of whole hours from an hour boundary.
   */
  private static final String HOUR_BUCKET_ACTIVITY = bucketActivity("entity_type, entity", "entity_hour_totals", "hour",
    "");

  /** {@link #ENTITY_BUCKET_ACTIVITY} from the hour rollups. */
  private static final String ENTITY_HOUR_BUCKET_ACTIVITY = bucketActivity("entity_type, entity", "entity_hour_totals",
    "hour", " and entity_type = $4 and entity = $5");

  /**
   * Sums per {@code keys} (two columns) and bucket b of $2 seconds of [$1, $3) from a rollup whose
   * rows start at {@code time}, with more conditions ({@code and ...}) on the rows.
   */
  private static String bucketActivity(String keys, String table, String time, String filter) {
    return bucketActivity(keys, SUMS, table, time, filter);
  }

  /** The same with other sums ({@link #LANE_SUMS}). */
  private static String bucketActivity(String keys, String sums, String table, String time, String filter) {
    return "select " + keys + ", floor(extract(epoch from (" + time + " - $1::timestamptz)) / $2)::int as b, " + sums
      + " from " + table + " where " + time + " >= $1 and " + time + " < $3" + filter + " group by 1, 2, 3";
  }

  /**
   * Every entity's hours ($2 = 3600) of [$1 = from, $3 = to), what models are learnt from: from the
   * hour rollups (UTC hours) when both ends are on an hour (always, unless a window or the history
   * is not whole hours), else from the minutes.
   */
  static String hourlyActivity(Instant from, Instant to) {
    return wholeHours(from, to) ? HOUR_BUCKET_ACTIVITY : BUCKET_ACTIVITY;
  }

  /** One entity's ($4 type, $5 name) hours of [$1, $3), the same way. */
  static String entityHourlyActivity(Instant from, Instant to) {
    return wholeHours(from, to) ? ENTITY_HOUR_BUCKET_ACTIVITY : ENTITY_BUCKET_ACTIVITY;
  }

  private static boolean wholeHours(Instant from, Instant to) {
    return from.getNano() == 0 && to.getNano() == 0 && from.getEpochSecond() % 3600 == 0 && to.getEpochSecond() % 3600 == 0;
  }

  /**
   * The sums of a history in buckets of $2 seconds of [$1, end): bucket b covers
   * [$1 + b·step, $1 + (b+1)·step). One entity ($3 type, $4 name, $5 end) or every shipment ($3
   * end): the vehicle types' rows, as every shipment has exactly one vehicle type and there are
   * fewer of them than suppliers or routes (fewest rows to add up). Steps of whole hours read the
   * hour rollups: at most 672 rows for four weeks where the minutes have up to 40,320 (measured:
   * 25 ms at the median, 64 ms p99 from minutes for the demo's busiest supplier, and 140 ms for
   * the total; benchmarks/history).
   */
  private static String history(String table, String time, boolean oneEntity) {
    String filter = oneEntity ? "entity_type = $3 and entity = $4 and %1$s >= $1 and %1$s < $5"
      : "entity_type = 'vehicle_type' and %1$s >= $1 and %1$s < $3";
    return """
      select floor(extract(epoch from (%1$s - $1::timestamptz)) / $2)::int as b,
             sum(co2_kg) as co2, sum(events) as events, sum(tonne_km) as tkm
        from %2$s
       where %3$s
       group by 1
      """.formatted(time, table, filter.formatted(time));
  }

  /** {@link #BUCKET_ACTIVITY} of one entity ($4 type, $5 name). */
  static final String ENTITY_BUCKET_ACTIVITY = bucketActivity("entity_type, entity", "entity_minute_totals", "minute",
    " and entity_type = $4 and entity = $5");

  /** One entity's history with steps shorter than an hour: a range scan of the minute rollups' primary key. */
  static final String ENTITY_HISTORY_MINUTES = history("entity_minute_totals", "minute", true);
  /** One entity's history with steps of whole hours, from the hour rollups. */
  static final String ENTITY_HISTORY_HOURS = history("entity_hour_totals", "hour", true);
  /** Every shipment's history with steps shorter than an hour. */
  static final String TOTAL_HISTORY_MINUTES = history("entity_minute_totals", "minute", false);
  /** Every shipment's history with steps of whole hours. */
  static final String TOTAL_HISTORY_HOURS = history("entity_hour_totals", "hour", false);

  /** What every lane (supplier on a route) did over the minutes [$1, $2), with its flights. */
  static final String LANE_WINDOW_ACTIVITY = laneWindowActivity("");

  /**
   * The same for the lanes of the routes $3 (the fast path). One condition per statement, so that
   * a prepared statement's plan reads the lanes through an index (the primary key leads with the
   * route) rather than every lane's minutes of the window.
   */
  static final String ROUTE_LANES_WINDOW_ACTIVITY = laneWindowActivity(" and route = any($3)");

  /** The same for the lanes of the suppliers $3 (the fast path), through the (supplier, minute) index of V19. */
  static final String SUPPLIER_LANES_WINDOW_ACTIVITY = laneWindowActivity(" and supplier = any($3)");

  private static String laneWindowActivity(String filter) {
    return "select supplier, route, " + LANE_SUMS + " from lane_minute_totals where minute >= $1 and minute < $2" + filter
      + " group by 1, 2";
  }

  /** What each lane did in each bucket of $2 seconds of [$1, $3), as {@link #BUCKET_ACTIVITY} for entities, with flights. */
  static final String LANE_BUCKET_ACTIVITY = bucketActivity("supplier, route", LANE_SUMS, "lane_minute_totals", "minute",
    "");

  static final String UPSERT_LANE_MODELS = upsertModels("lane_models", "supplier, route");

  static final String DELETE_STALE_LANE_MODELS = deleteStaleModels("lane_models");

  static final String LANE_MODELS = "select supplier, route, algorithm, built_at, model from lane_models";

  /** One entity's stored model. */
  static final String ENTITY_MODEL = "select algorithm, built_at, model from entity_models where entity_type = $1 and entity = $2";

  /** The vehicle types' models: their expectations add up to the total's. */
  static final String VEHICLE_TYPE_MODELS =
    "select algorithm, built_at, model from entity_models where entity_type = 'vehicle_type'";

  static final String UPSERT_MODEL = upsertModels("entity_models", "entity_type, entity");

  /** Entities whose history no longer makes a model: their old one must not linger. */
  static final String DELETE_STALE_MODELS = deleteStaleModels("entity_models");

  /**
   * Models of one learning into {@code table}, keyed by its two {@code keys} columns: arrays $1,
   * $2 (the keys), $3 algorithm, $4 built_at, $5 model, one element per model.
   */
  private static String upsertModels(String table, String keys) {
    return """
      insert into %1$s (%2$s, algorithm, built_at, model)
      select * from unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::jsonb[])
      on conflict (%2$s) do update
        set algorithm = excluded.algorithm, built_at = excluded.built_at, model = excluded.model
      """.formatted(table, keys);
  }

  /** The models of {@code table} that the learning at $1 did not refresh. */
  private static String deleteStaleModels(String table) {
    return "delete from " + table + " where built_at < $1";
  }

  static final String MODELS = "select entity_type, entity, algorithm, built_at, model from entity_models";

  /** Each entity's computed baseline: the upper edge of its normal CO2 over detection.window, at $4. */
  static final String UPSERT_COMPUTED_BASELINES = """
    insert into baselines (entity_type, entity, baseline, source, computed_at, statistic, samples, window_seconds,
                           expected)
    select t, e, b, 'computed', $4, s, n, w, x
      from unnest($1::text[], $2::text[], $3::float8[], $5::text[], $6::int[], $7::bigint[], $8::float8[])
        as u(t, e, b, s, n, w, x)
    on conflict (entity_type, entity, source) do update
      set baseline = excluded.baseline, computed_at = excluded.computed_at, statistic = excluded.statistic,
          samples = excluded.samples, window_seconds = excluded.window_seconds, expected = excluded.expected
    """;

  /** Computed baselines that were not refreshed by the last learning (no model any more). */
  static final String DELETE_STALE_BASELINES = "delete from baselines where source = 'computed' and computed_at < $1";

  /** Every window's and measure's band of each entity, at $3. */
  static final String UPSERT_BANDS = """
    insert into baseline_bands (entity_type, entity, window_seconds, kind, expected, baseline, computed_at)
    select t, e, w, k, x, b, $3
      from unnest($1::text[], $2::text[], $4::bigint[], $5::text[], $6::float8[], $7::float8[]) as u(t, e, w, k, x, b)
    on conflict (entity_type, entity, window_seconds, kind) do update
      set expected = excluded.expected, baseline = excluded.baseline, computed_at = excluded.computed_at
    """;

  static final String DELETE_STALE_BANDS = "delete from baseline_bands where computed_at < $1";

  /** Operators' targets: kg CO2 per detection.window (written through the API or straight into the table). */
  static final String TARGETS = """
    select entity_type, entity, baseline from baselines where source = 'target'
    """;

  /** The baseline in force per entity (what /emissions/current and the comparison show): an operator's target wins. */
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
    select id, entity_type, entity, severity, opened_at, predicted, baseline, "window", kind, expected, lane_supplier,
           level_reached_at
      from hotspots where status = 'open'
    """;

  static final String RELEASE_ALL_HOLDS = """
    update hotspots set level_reached_at = null where status = 'open' and level_reached_at is not null
    """;

  /** $1 entity_type, $2 entity. */
  static final String RELEASE_HOLD = """
    update hotspots set level_reached_at = null where status = 'open' and entity_type = $1 and entity = $2
    """;

  static final String INSERT_HOTSPOT = """
    insert into hotspots (entity_type, entity, predicted, baseline, percent_above, severity, status, opened_at, updated_at,
                          "window", kind, expected, lane_supplier, level_reached_at)
    values ($1, $2, $3, $4, $5, $6, 'open', $7, $7, $8, $9, $10, $11, $12)
    returning id
    """;

  static final String UPDATE_HOTSPOT = """
    update hotspots set predicted = $2, baseline = $3, percent_above = $4, severity = $5, updated_at = $6,
                        "window" = $7, kind = $8, expected = $9, lane_supplier = $10, level_reached_at = $11
     where id = $1 and status = 'open'
    """;

  static final String RESOLVE_HOTSPOT = """
    update hotspots set predicted = $2, baseline = $3, percent_above = $4, status = 'resolved', updated_at = $5,
                        resolved_at = $5, "window" = $6, kind = $7, expected = $8, lane_supplier = $9,
                        level_reached_at = null
     where id = $1 and status = 'open'
    """;

  /** The change's kind is the hotspot change (opened, ...); {@code measure} is the hotspot's kind (emissions, intensity). */
  static final String INSERT_CHANGE = """
    insert into hotspot_changes (hotspot_id, kind, severity, predicted, baseline, percent_above, changed_at, "window",
                                 expected, measure)
    values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
    on conflict do nothing
    """;

  /** Hotspots for GET /hotspots: $1 severities, $2 status, $3 entity_type, $4 entity, $5 since, $6 limit. */
  static final String LIST_HOTSPOTS = """
    select id, entity, entity_type, predicted, baseline, percent_above, severity, status, opened_at, updated_at,
           resolved_at, "window", kind, expected, lane_supplier
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
  /** The baselines in force (a target wins) of one entity type ($1) or all, one entity ($2) or all, with their bands. */
  static final String LIST_BASELINES = """
    select b.entity_type, b.entity, b.baseline, b.source, b.computed_at, b.statistic, b.samples, b.window_seconds,
           b.expected,
           (select coalesce(jsonb_agg(jsonb_build_object('window_seconds', x.window_seconds, 'kind', x.kind,
                                                          'expected', x.expected, 'baseline', x.baseline)
                                      order by x.kind, x.window_seconds), '[]'::jsonb)
              from baseline_bands x where x.entity_type = b.entity_type and x.entity = b.entity) as bands
      from (select distinct on (entity_type, entity) *
              from baselines
             where ($1::text is null or entity_type = $1) and ($2::text is null or entity = $2)
             order by entity_type, entity, (source = 'target') desc) b
     order by b.entity_type, b.entity
     limit $3
    """;

  static final String UPSERT_TARGET = """
    insert into baselines (entity_type, entity, baseline, source, computed_at, statistic, window_seconds)
    values ($1, $2, $3, 'target', now(), 'target', $4)
    on conflict (entity_type, entity, source) do update
      set baseline = excluded.baseline, computed_at = excluded.computed_at, window_seconds = excluded.window_seconds
    returning entity_type, entity, baseline, source, computed_at, statistic, samples, window_seconds, expected,
              '[]'::jsonb as bands
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
           resolved_at, "window", kind, expected, lane_supplier
      from hotspots
     where status = 'open' and entity_type = 'supplier' and entity = any($1)
    """;

  private HotspotSql() {
  }
}
