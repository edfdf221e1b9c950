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

  /**
   * The submission a key is remembered for, unless it expired ($2: http.idempotency_key_ttl in
   * seconds). An expired row is as good as absent: the key counts as new.
   */
  static final String FIND_SUBMISSION = """
    select event_ids, request_sha256, created_at, created_at + $2::float8 * interval '1 second' as expires_at
      from event_submissions
     where idempotency_key = $1 and created_at > now() - $2::float8 * interval '1 second'
    """;

  /**
   * Claims a key in the transaction that inserts its events: a new key is inserted, an expired one
   * replaced; a key that another request holds and that has not expired is left alone and no row
   * comes back, so the caller rolls back its events and answers with that request's outcome.
   * Race-safe without a lock of our own: a second transaction claiming the same key waits on the
   * row (or its unique index entry) until the first commits, then sees the first's fresh
   * created_at, which no longer passes the expiry test ($4: the TTL in seconds).
   */
  static final String CLAIM_SUBMISSION = """
    insert into event_submissions as s (idempotency_key, event_ids, request_sha256) values ($1, $2, $3)
    on conflict (idempotency_key) do update
       set event_ids = excluded.event_ids, request_sha256 = excluded.request_sha256, created_at = now()
     where s.created_at <= now() - $4::float8 * interval '1 second'
    returning s.idempotency_key
    """;

  /** Forgets expired keys ($1: the TTL in seconds); by the created_at index. */
  static final String PURGE_SUBMISSIONS = """
    delete from event_submissions where created_at <= now() - $1::float8 * interval '1 second'
    """;

  private IngestionSql() {
  }
}
