package io.carbonnexus.engine.recommendation;

/** The recommendation verticle's queries. */
final class RecommendationSql {

  /** GET /recommendations: $1 severities, $2 entity, $3 hotspot id, $4 source, $5 since, $6 limit, $7 entity_type. */
  static final String LIST = """
    select r.id, r.hotspot_id, r.entity, h.entity_type, r.severity, r.root_cause, r.actions, r.source, r.created_at
      from recommendations r join hotspots h on h.id = r.hotspot_id
     where ($1::text[] is null or r.severity = any($1))
       and ($2::text is null or r.entity = $2)
       and ($3::bigint is null or r.hotspot_id = $3)
       and ($4::text is null or r.source = $4)
       and ($5::timestamptz is null or r.created_at >= $5)
       and ($7::text is null or h.entity_type = $7)
     order by r.created_at desc, r.id desc
     limit $6
    """;

  static final String QUEUED = "select count(*) from recommendation_requests";

  static final String ENQUEUE = """
    insert into recommendation_requests (hotspot_id, severity, entity_type, entity, predicted, baseline, percent_above,
                                         "window", kind, lane_supplier, measured_at)
    values ($1, $2, $3, $4, $5, $6, $7, $8, coalesce($9, 'emissions'), $10, $11)
    on conflict (hotspot_id, severity) do nothing
    """;

  /**
   * Takes due requests for this worker: their next attempt moves to the end of a lease ($2), so
   * another engine skips them (SKIP LOCKED now, the lease later) while this one asks for them.
   */
  static final String CLAIM_DUE = """
    with due as materialized (
      select hotspot_id, severity from recommendation_requests
       where status = 'pending' and next_attempt_at <= $1
       order by next_attempt_at
       limit $3
       for update skip locked)
    update recommendation_requests r
       set next_attempt_at = $2, attempts = r.attempts + 1, first_attempt_at = coalesce(r.first_attempt_at, $1)
      from due
     where r.hotspot_id = due.hotspot_id and r.severity = due.severity
    returning r.hotspot_id, r.severity, r.entity_type, r.entity, r.predicted, r.baseline, r.percent_above, r.attempts,
              r.first_attempt_at, r."window", r.kind, r.lane_supplier, r.measured_at
    """;

  /** Open hotspots that need a recommendation and have no request (a change missed by a restart or an error). */
  static final String ENQUEUE_MISSING = """
    insert into recommendation_requests (hotspot_id, severity, entity_type, entity, predicted, baseline, percent_above,
                                         "window", kind, lane_supplier, measured_at)
    select h.id, h.severity, h.entity_type, h.entity, h.predicted, h.baseline, h.percent_above, h."window", h.kind,
           h.lane_supplier, h.updated_at
      from hotspots h
     where h.status = 'open' and h.severity = any($1)
       and not exists (select 1 from recommendation_requests r where r.hotspot_id = h.id and r.severity = h.severity)
    on conflict (hotspot_id, severity) do nothing
    """;

  /** One recommendation per hotspot and severity: a request answered twice stores nothing more. */
  static final String STORE = """
    insert into recommendations (hotspot_id, entity, severity, root_cause, actions, source, created_at)
    values ($1, $2, $3, $4, $5, $6, $7)
    on conflict (hotspot_id, severity) do nothing
    returning id
    """;

  static final String DONE = """
    update recommendation_requests set status = 'done', last_error = null where hotspot_id = $1 and severity = $2
    """;

  static final String RETRY_LATER = """
    update recommendation_requests set next_attempt_at = $3, last_error = $4 where hotspot_id = $1 and severity = $2
    """;

  /**
   * The entity's emissions over the window ($3, $4] that fired by vehicle type, with distances and load
   * factors: the rules' facts; on a route read through a lane, only that supplier's ($5) shipments
   * on it. Well-to-wheel whatever the basis (tank-to-wheel where that is all there is): on
   * tank-to-wheel an electric vehicle would look free.
   */
  static final String MIX = mix("p.vehicle_type");

  /** The same facts by supplier: whose shipments a vehicle type's CO2 is. */
  static final String MIX_BY_SUPPLIER = mix("p.supplier");

  private static String mix(String groupBy) {
    return """
      select %1$s, sum(coalesce(p.co2e_wtw_kg, p.co2_kg)), sum(e.distance_km * e.load_tonnes), avg(e.distance_km),
             avg(e.load_tonnes / e.payload_capacity_tonnes) filter (where e.payload_capacity_tonnes > 0), count(*)
        from predictions p
        join events_normalized e on e.id = p.event_id
       where p.occurred_at > $3 and p.occurred_at <= $4
         and (($1 = 'supplier' and p.supplier = $2) or ($1 = 'route' and p.route = $2)
              or ($1 = 'vehicle_type' and p.vehicle_type = $2))
         and ($5::text is null or p.supplier = $5)
       group by %1$s
      """.formatted(groupBy);
  }

  private RecommendationSql() {
  }
}
