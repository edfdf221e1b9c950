package io.carbonnexus.engine.prediction;

/** The prediction verticle's queries. */
final class PredictionSql {

  /** One statement per request; {@code do nothing} keeps an event's first prediction, so a retry adds no row. */
  static final String INSERT_PREDICTIONS = """
    insert into predictions
      (event_id, occurred_at, supplier, route, vehicle_type, co2_kg, model, model_version, method, tonne_km,
       co2e_ttw_kg, co2e_wtt_kg, co2e_wtw_kg, factor_set, basis)
    select * from unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::float8[],
                         $7::text[], $8::text[], $9::text[], $10::float8[], $11::float8[], $12::float8[], $13::float8[],
                         $14::text[], $15::text[])
    on conflict (event_id) do nothing
    """;

  static final String INSERT_ERRORS = """
    insert into prediction_errors (event_id, reason)
    select * from unnest($1::bigint[], $2::text[])
    on conflict (event_id) do nothing
    """;

  private PredictionSql() {
  }
}
