package io.carbonnexus.engine.ingestion;

/** The ingestion verticle's queries. */
final class IngestionSql {

  static final String READ_WATERMARK = "select last_event_id from ingestion_state where id = 1";

  /**
   * The next events without a prediction or a recorded error, from a little below the watermark:
   * ids are assigned at insert but become visible at commit, so a row can appear below ids
   * already processed. The anti-joins make a re-read harmless. Their "> $1" says nothing new, but
   * lets PostgreSQL read only the same id range of predictions by its key (merge anti-joins, 5 ms
   * at 300,000 events) instead of hashing the whole table (80 ms, growing with it).
   */
  static final String NEXT_EVENTS = """
    select e.id, e.occurred_at, e.supplier, e.route, e.vehicle_type, e.distance_km, e.load_tonnes,
           e.payload_capacity_tonnes
      from events_normalized e
     where e.id > $1
       and not exists (select 1 from predictions p where p.event_id = e.id and p.event_id > $1)
       and not exists (select 1 from prediction_errors x where x.event_id = e.id and x.event_id > $1)
     order by e.id
     limit $2
    """;

  static final String ADVANCE_WATERMARK = """
    update ingestion_state set last_event_id = greatest(last_event_id, $1), updated_at = now() where id = 1
    """;

  static final String CHANNEL = "nexus_events";

  static final String FIND_SUBMISSION = "select event_ids from event_submissions where idempotency_key = $1";

  static final String INSERT_SUBMISSION = "insert into event_submissions (idempotency_key, event_ids) values ($1, $2)";

  private IngestionSql() {
  }
}
