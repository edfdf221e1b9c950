package io.carbonnexus.engine.prediction;

/**
 * The iLEAP export's queries. A shipment is the events that share a {@code shipment_id}; an event
 * without one is a shipment of its own, named by its id. Only predicted events with both
 * tank-to-wheel and well-to-wheel figures are exported (iLEAP requires both on every TCE); a
 * prediction that is tank-to-wheel only is left out rather than exported with a made-up figure.
 * Shipment keys are compared and ordered byte-wise ({@code collate "C"}) so that a page's
 * {@code after} means the same thing whatever the database's locale.
 */
final class FootprintSql {

  /**
   * One page of shipments: those whose first exported leg lies in [$1, $2) (either bound may be
   * null), with a leg of supplier $3 (null: any), keyed after $4, at most $5. A shipment belongs to
   * the period of its first leg, so consecutive periods export each shipment once and whole.
   */
  static final String SHIPMENT_PAGE = """
    select coalesce(e.shipment_id, e.id::text) collate "C" as shipment_key
    from events_normalized e
    join predictions p on p.event_id = e.id
    where ($1::timestamptz is null or e.occurred_at >= $1)
      and ($2::timestamptz is null or e.occurred_at < $2)
      and ($3::text is null or e.supplier = $3)
      and p.co2e_ttw_kg is not null and p.co2e_wtw_kg is not null
      and coalesce(e.shipment_id, e.id::text) collate "C" > $4::text collate "C"
      and not exists (
        select 1
        from events_normalized b
        join predictions bp on bp.event_id = b.id
        where $1::timestamptz is not null and e.shipment_id is not null
          and b.shipment_id = e.shipment_id and b.occurred_at < $1
          and ($3::text is null or b.supplier = $3)
          and bp.co2e_ttw_kg is not null and bp.co2e_wtw_kg is not null)
    group by 1
    order by 1
    limit $5
    """;

  /**
   * Every exported leg of the shipments $1 (keys) of supplier $3 (null: any), by shipment then
   * time. $2 holds the keys that are event ids, so that a single-event shipment is found by the
   * primary key and a multi-leg one by {@code events_normalized_shipment_idx}.
   */
  static final String SHIPMENT_LEGS = """
    select e.id, coalesce(e.shipment_id, e.id::text) collate "C" as shipment_key, e.occurred_at, e.vehicle_type,
           e.distance_km, e.load_tonnes, coalesce(p.tonne_km, e.distance_km * e.load_tonnes) as tonne_km,
           p.co2e_ttw_kg, p.co2e_wtw_kg
    from events_normalized e
    join predictions p on p.event_id = e.id
    where (e.shipment_id = any($1::text[]) or (e.shipment_id is null and e.id = any($2::bigint[])))
      and ($3::text is null or e.supplier = $3)
      and p.co2e_ttw_kg is not null and p.co2e_wtw_kg is not null
    order by 2, e.occurred_at, e.id
    """;

  private FootprintSql() {
  }
}
