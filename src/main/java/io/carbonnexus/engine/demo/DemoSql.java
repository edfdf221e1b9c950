package io.carbonnexus.engine.demo;

/** The demo feed's queries. */
final class DemoSql {

  /** Locks the mark for the transaction: two feeds on one database (two nodes) never write a range twice. */
  static final String LOCK_STATE = "select generated_until from demo_feed_state where id = 1 for update";

  /** One statement per chunk: the arrays are unnested server-side, far faster than row-by-row inserts. */
  static final String INSERT_EVENTS = """
    insert into events_normalized
      (occurred_at, supplier, route, vehicle_type, distance_km, load_tonnes,
       payload_capacity_tonnes, origin, destination, shipment_id)
    select * from unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::float8[],
                         $7::float8[], $8::text[], $9::text[], $10::text[])
    """;

  static final String WRITE_STATE = """
    insert into demo_feed_state (id, generated_until) values (1, $1)
    on conflict (id) do update set generated_until = excluded.generated_until, updated_at = now()
    """;

  private DemoSql() {
  }
}
