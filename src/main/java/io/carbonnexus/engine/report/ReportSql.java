package io.carbonnexus.engine.report;

/** Queries of the emissions report. It reads predictions (owned by prediction) and events_normalized; it never writes. */
final class ReportSql {

  /**
   * Per entity of column $3 (supplier, route or vehicle_type) and per calendar period $4 (day,
   * week or month, in UTC) of [$1, $2): events, distinct shipments (an event without a
   * shipment_id is a shipment of its own), tonne-km and the three ISO 14083 figures.
   *
   * <p>A tank-to-wheel-only prediction (an ml-engine answer without well-to-tank, wtt and wtw
   * null) counts in events, tonne-km and TTW, is counted in {@code ttw_only_events}, and is left
   * out of WTT and WTW and of the tonne-km that WTW intensity divides by: never a WTT of zero.
   *
   * <p>With $5 (supplier, route or vehicle_type) and $6, one entity's predictions only.
   *
   * <p>The range is on {@code occurred_at} as it is stored, so that predictions_occurred_at_idx
   * bounds the scan; the event is joined by its primary key only to count shipments.
   */
  static final String REPORT = """
    select case $3::text when 'supplier' then p.supplier when 'route' then p.route else p.vehicle_type end as entity,
           date_trunc($4::text, p.occurred_at, 'UTC') as period_start,
           count(*) as events,
           count(distinct coalesce(e.shipment_id, 'event ' || p.event_id)) as shipments,
           coalesce(sum(p.tonne_km), 0) as tonne_km,
           coalesce(sum(p.tonne_km) filter (where p.co2e_wtw_kg is not null), 0) as tonne_km_wtw,
           coalesce(sum(p.co2e_ttw_kg), 0) as ttw,
           sum(p.co2e_wtt_kg) as wtt,
           sum(p.co2e_wtw_kg) as wtw,
           count(*) filter (where p.co2e_wtw_kg is null) as ttw_only_events
      from predictions p
      left join events_normalized e on e.id = p.event_id
     where p.occurred_at >= $1 and p.occurred_at < $2
       and ($5::text is null
            or case $5::text when 'supplier' then p.supplier when 'route' then p.route else p.vehicle_type end = $6)
     group by 1, 2
     order by 1, 2
    """;

  private ReportSql() {
  }
}
