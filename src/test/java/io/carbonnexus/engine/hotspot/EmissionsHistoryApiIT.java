package io.carbonnexus.engine.hotspot;

import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.shared.Hotspot;
import io.carbonnexus.engine.support.EngineUnderTest;
import io.carbonnexus.engine.support.Http;
import io.carbonnexus.engine.support.TestDatabase;
import io.carbonnexus.engine.support.TestEngine;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * {@code GET /emissions/history} on a real database: predictions written straight into the table
 * (the rollup triggers sum them; only the query and HTTP verticles run, so nothing re-predicts
 * them), and every figure checked against hand arithmetic or the model detection learns from the
 * same shipments. Acme Haulage has a stored model but too little history for a band.
 */
class EmissionsHistoryApiIT {

  private static final String ACME = "supplier&entity=Acme%20Haulage";

  /** id, occurred_at, supplier, route, vehicle type, tonne-km, kg CO2 on the basis. */
  private static final Object[][] ROWS = {
    {1, "2025-01-10T08:05:00Z", "Acme Haulage", "R1", "hgv", 1000.0, 100.0},
    {2, "2025-01-10T08:59:59Z", "Acme Haulage", "R1", "hgv", 500.0, 50.0},
    {3, "2025-01-10T09:00:00Z", "Acme Haulage", "R2", "rail", 300.0, 30.0},
    {4, "2025-01-10T08:30:00Z", "Borealis", "R2", "rail", 70.0, 7.0},
    // Before the range asked: never in a bucket.
    {5, "2025-01-10T07:59:59Z", "Acme Haulage", "R1", "hgv", 999.0, 999.0},
  };

  private static SeasonalModel hgvModel;

  @RegisterExtension
  static final EngineUnderTest ENGINE = new EngineUnderTest(TestEngine.onNewDatabase()
    .with(ConfigKeys.NODE_VERTICLES, "queries,http"));

  @BeforeAll
  static void insertRowsAndAModel() {
    String url = ENGINE.dbUrl();
    for (Object[] r : ROWS) {
      TestDatabase.execute(url, "insert into events_normalized (id, occurred_at, supplier, route, vehicle_type,"
        + " distance_km, load_tonnes) values (" + r[0] + ", '" + r[1] + "', '" + r[2] + "', '" + r[3] + "', '" + r[4]
        + "', " + r[5] + ", 1)");
      TestDatabase.execute(url, "insert into predictions (event_id, occurred_at, supplier, route, vehicle_type, co2_kg,"
        + " model, model_version, method, tonne_km, co2e_ttw_kg, co2e_wtt_kg, co2e_wtw_kg, factor_set, basis) values ("
        + r[0] + ", '" + r[1] + "', '" + r[2] + "', '" + r[3] + "', '" + r[4] + "', " + r[6]
        + ", 'builtin', 'test', 'tonne_km', " + r[5] + ", " + r[6] + ", 0, " + r[6] + ", 'defra-2025', 'wtw')");
    }
    // A model learnt from a known rhythm: 10 shipments an hour, every hour of every day.
    SeasonalModel acmeModel = SeasonalModel.learn(SyntheticHistory.BUILT,
      SyntheticHistory.history(SyntheticHistory.BUILT, 28, (type, hour) -> 10, 7), SeasonalModel.Settings.defaults());
    JsonObject json = ModelStore.toJson(new EntityModel(SyntheticHistory.BUILT, acmeModel, Double.NaN));
    TestDatabase.execute(url, "insert into entity_models (entity_type, entity, algorithm, built_at, model) values "
      + "('supplier', 'Acme Haulage', 'seasonal', '" + SyntheticHistory.BUILT + "', '" + json.encode() + "'::jsonb)");
    // The total's expectation comes from the vehicle types' stored models: one for hgv.
    hgvModel = SeasonalModel.learn(SyntheticHistory.BUILT,
      SyntheticHistory.history(SyntheticHistory.BUILT, 28, (type, hour) -> 4, 8), SeasonalModel.Settings.defaults());
    TestDatabase.execute(url, "insert into entity_models (entity_type, entity, algorithm, built_at, model) values "
      + "('vehicle_type', 'hgv', 'seasonal', '" + SyntheticHistory.BUILT + "', '"
      + ModelStore.toJson(new EntityModel(SyntheticHistory.BUILT, hgvModel, Double.NaN)).encode() + "'::jsonb)");
  }

  private static JsonObject history(String query) {
    Http.Response r = Http.get(ENGINE.port(), "/emissions/history?" + query);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json();
  }

  private static List<Double> column(JsonObject answer, String field) {
    return answer.getJsonArray("buckets").stream().map(JsonObject.class::cast)
      .map(b -> b.getValue(field) == null ? null : ((Number) b.getValue(field)).doubleValue()).toList();
  }

  @Test
  void anEntitysHourlyBucketsHoldTheSumsOfItsPredictionsInEachHour() {
    JsonObject answer = history("entity_type=" + ACME + "&from=2025-01-10T08:00:00Z&to=2025-01-10T11:00:00Z");
    assertThat(answer.getString("basis")).isEqualTo("wtw");
    assertThat(answer.getLong("step_seconds")).isEqualTo(3600);
    assertThat(column(answer, "co2_kg")).containsExactly(100.0 + 50, 30.0, 0.0);
    assertThat(column(answer, "events")).containsExactly(2.0, 1.0, 0.0);
    assertThat(column(answer, "tonne_km")).containsExactly(1000.0 + 500, 300.0, 0.0);
    assertThat(answer.getJsonArray("buckets").getJsonObject(1).getString("start")).isEqualTo("2025-01-10T09:00:00Z");
  }

  @Test
  void withoutAnEntityTheBucketsHoldEveryShipmentOnce() {
    JsonObject answer = history("from=2025-01-10T08:00:00Z&to=2025-01-10T10:00:00Z");
    assertThat(answer.getValue("entity")).isNull();
    assertThat(column(answer, "co2_kg")).containsExactly(100.0 + 50 + 7, 30.0);
    assertThat(column(answer, "events")).containsExactly(3.0, 1.0);
  }

  @Test
  void halfHourBucketsSplitTheHourAndTheRangeIsAlignedOnTheStep() {
    JsonObject answer = history("entity_type=" + ACME + "&step=30m&from=2025-01-10T08:20:00Z&to=2025-01-10T09:40:00Z");
    assertThat(answer.getString("from")).isEqualTo("2025-01-10T08:00:00Z");
    assertThat(answer.getString("to")).isEqualTo("2025-01-10T10:00:00Z");
    assertThat(column(answer, "co2_kg")).containsExactly(100.0, 50.0, 30.0, 0.0);
  }

  /**
   * Stepping Freight, 100 kg and 1,000 tonne-km a shipment: ten shipments an hour from 5 December,
   * twenty from 4 January, to 10 January; and a burst of 200 on 8 January at noon, a day before
   * the range asked, inside the gap detection leaves before a model's hour.
   */
  private static final String STEPPING = """
    insert into events_normalized (id, occurred_at, supplier, route, vehicle_type, distance_km, load_tonnes)
    select 10000 + g, timestamptz '2024-12-05T00:00:00Z' + (g * 6 || ' minutes')::interval, 'Stepping Freight', 'R9',
           'hgv', 1000, 1 from generate_series(0, 30 * 240 - 1) g
    union all
    select 20000 + g, timestamptz '2025-01-04T00:00:00Z' + (g * 3 || ' minutes')::interval, 'Stepping Freight', 'R9',
           'hgv', 1000, 1 from generate_series(0, 6 * 480 - 1) g
    union all
    select 30000 + g, timestamptz '2025-01-08T12:00:00Z' + (g * 18 || ' seconds')::interval, 'Stepping Freight', 'R9',
           'hgv', 1000, 1 from generate_series(0, 199) g;
    insert into predictions (event_id, occurred_at, supplier, route, vehicle_type, co2_kg, model, model_version,
                             method, tonne_km, co2e_ttw_kg, co2e_wtt_kg, co2e_wtw_kg, factor_set, basis)
    select id, occurred_at, supplier, route, vehicle_type, 100, 'builtin', 'test', 'tonne_km', 1000, 100, 0, 100,
           'defra-2025', 'wtw'
      from events_normalized where supplier = 'Stepping Freight';
    """;

  @Test
  void eachBucketOfAnEntityHasTheExpectationAndUpperEdgeOfItsDaysOwnModel() {
    TestDatabase.execute(ENGINE.dbUrl(), STEPPING);
    JsonObject answer = history("entity_type=supplier&entity=Stepping%20Freight&from=2025-01-09T00:00:00Z"
      + "&to=2025-01-10T00:00:00Z");
    DetectionSettings settings = DetectionSettingsReader.read(ENGINE.engine().config());
    WindowSpec hour = settings.windows().stream().filter(w -> w.length().equals(Duration.ofHours(1))).findFirst()
      .orElseThrow();
    // The same shipments, hour by hour, without the burst: what detection learnt at the start of 9 January
    // cannot have seen it (it lies in the gap before the model's hour).
    Hours hours = new Hours(Instant.parse("2024-12-05T00:00:00Z"), 36 * 24);
    for (int h = 0; h < 36 * 24; h++) {
      int n = h < 30 * 24 ? 10 : 20;
      hours.add(h, new Activity(100.0 * n, n, 1000.0 * n, 100.0 * 100 * n, 100.0 * 1000 * n, 1000.0 * 1000 * n));
    }
    SeasonalModel then = EntityModel.learn(Instant.parse("2025-01-09T00:00:00Z"), hours, settings).seasonal();
    Instant start = Instant.parse("2025-01-09T10:00:00Z");
    SeasonalModel.Expected x = then.expected(start, start.plus(Duration.ofHours(1)));
    JsonObject bucket = answer.getJsonArray("buckets").getJsonObject(10);
    assertThat(bucket.getString("start")).isEqualTo(start.toString());
    assertThat(bucket.getDouble("co2_kg")).isEqualTo(2_000.0);
    // Four days at twenty among 28 at ten: the normal is learning the step, not yet at it.
    assertThat(bucket.getDouble("expected_co2_kg")).isCloseTo(x.co2(), within(0.001)).isBetween(1_000.0, 1_500.0);
    assertThat(bucket.getDouble("upper_co2_kg")).isCloseTo(then.co2Band(x, hour.k())[1], within(0.001))
      .isGreaterThan(bucket.getDouble("expected_co2_kg"));
    JsonObject model = answer.getJsonObject("model");
    assertThat(model.getString("learnt")).isEqualTo("daily");
    assertThat(model.getString("built_at")).isEqualTo("2025-01-09T00:00:00Z");
    assertThat(model.getInteger("models")).isEqualTo(1);
    assertThat(model.getString("window")).isEqualTo("1h");
    assertThat(model.getDouble("k")).isEqualTo(hour.k());
  }

  @Test
  void theTotalIsExpectedFromTheVehicleTypesStoredModelsWithoutAnUpperEdge() {
    JsonObject answer = history("from=2025-01-10T08:00:00Z&to=2025-01-10T09:00:00Z");
    Instant start = Instant.parse("2025-01-10T08:00:00Z");
    assertThat(column(answer, "expected_co2_kg"))
      .containsExactly(Hotspot.round(hgvModel.expected(start, start.plus(Duration.ofHours(1))).co2()));
    assertThat(column(answer, "upper_co2_kg")).containsOnlyNulls();
    assertThat(answer.getJsonObject("model").getString("learnt")).isEqualTo("stored");
    assertThat(answer.getJsonObject("model").getInteger("models")).isEqualTo(1);
  }

  @Test
  void aStoredModelDoesNotDrawABandOverDaysWhoseHistoryWasTooShortForDetection() {
    // Acme has a stored model, but only three shipments before the range: detection had no normal for it then.
    JsonObject answer = history("entity_type=" + ACME + "&from=2025-01-10T08:00:00Z&to=2025-01-10T10:00:00Z");
    assertThat(answer.getValue("model")).isNull();
    assertThat(column(answer, "expected_co2_kg")).containsOnlyNulls();
    assertThat(column(answer, "upper_co2_kg")).containsOnlyNulls();
  }

  @Test
  void anEntityWithoutAModelHasNoBand() {
    JsonObject answer = history("entity_type=supplier&entity=Borealis&from=2025-01-10T08:00:00Z&to=2025-01-10T09:00:00Z");
    assertThat(answer.getValue("model")).isNull();
    JsonObject bucket = answer.getJsonArray("buckets").getJsonObject(0);
    assertThat(bucket.getDouble("co2_kg")).isEqualTo(7.0);
    assertThat(bucket.containsKey("expected_co2_kg")).isTrue();
    assertThat(bucket.getValue("expected_co2_kg")).isNull();
    assertThat(bucket.getValue("upper_co2_kg")).isNull();
  }

  @Test
  void byDefaultTheLast28DaysByHourEndWithThePartialBucketOfNow() {
    JsonObject answer = history("");
    JsonArray buckets = answer.getJsonArray("buckets");
    assertThat(buckets).hasSize(28 * 24);
    assertThat(buckets.getJsonObject(buckets.size() - 1).getBoolean("partial")).isTrue();
    assertThat(buckets.getJsonObject(0).containsKey("partial")).isFalse();
  }

  @Test
  void aStepOutsideTheListIsRefusedNamingTheParameter() {
    Http.Response r = Http.get(ENGINE.port(), "/emissions/history?step=7m");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.body()).contains("step");
  }

  @Test
  void anEntityTypeWithoutAnEntityIsRefusedNamingTheMissingOne() {
    Http.Response r = Http.get(ENGINE.port(), "/emissions/history?entity_type=supplier");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().getString("error")).startsWith("entity:");
  }

  @Test
  void moreThanTheMostBucketsIsRefusedNamingTheStep() {
    Http.Response r = Http.get(ENGINE.port(), "/emissions/history?step=5m&from=2025-01-01&to=2025-02-01");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().getString("error")).startsWith("step:").contains("2016");
  }
}
