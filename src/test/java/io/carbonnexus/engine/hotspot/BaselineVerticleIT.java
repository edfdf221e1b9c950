package io.carbonnexus.engine.hotspot;

import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.shared.Addresses;
import io.carbonnexus.engine.support.MutableClock;
import io.carbonnexus.engine.support.TestDatabase;
import io.carbonnexus.engine.support.VerticleTestBed;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class BaselineVerticleIT extends VerticleTestBed {

  private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");

  private List<JsonObject> updates;

  @BeforeEach
  void setUp() {
    // The legacy algorithm: its baseline is a plain statistic of past day totals, easy to check by hand.
    ConfigKeys.DETECTION_ALGORITHM.put(config, "legacy");
    ConfigKeys.BASELINES_MIN_WINDOWS.put(config, 5);
    ConfigKeys.BASELINES_STATISTIC.put(config, "median");
    updates = collect(Addresses.BASELINES_UPDATED);
  }

  /** One prediction of {@code kg} for the supplier in the middle of day {@code daysAgo} (1 = yesterday's window). */
  private void day(String supplier, int daysAgo, double kg) {
    Instant at = NOW.minus(Duration.ofDays(daysAgo)).minus(Duration.ofHours(12));
    TestDatabase.execute(url, "insert into predictions (event_id, occurred_at, supplier, route, vehicle_type, co2_kg, model,"
      + " model_version) values (coalesce((select max(event_id) from predictions), 0) + 1, '" + at + "', '" + supplier
      + "', 'R-" + supplier + "', 'van', " + kg + ", 'builtin', 'test')");
  }

  private void deployAndWait() throws InterruptedException {
    deploy(new BaselineVerticle(new MutableClock(NOW)));
    assertThat(updates).as("nothing is learnt before ingestion has caught up").isEmpty();
    vertx.eventBus().publish(Addresses.INGESTION_CAUGHT_UP, new JsonObject().put("events", 0).put("first", true));
    TestDatabase.waitFor("baselines computed", () -> !updates.isEmpty(), Duration.ofSeconds(5));
  }

  private double baseline(String type, String entity) {
    try (var c = TestDatabase.connect(url); var st = c.createStatement();
         var rs = st.executeQuery("select baseline from baselines where source = 'computed' and entity_type = '" + type
           + "' and entity = '" + entity + "'")) {
      return rs.next() ? rs.getDouble(1) : Double.NaN;
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void theBaselineIsTheStatisticOfPastWindowTotalsNotTheCurrentWindow() throws Exception {
    double[] days = {100, 110, 90, 105, 95, 400}; // one surge day; sorted median = (100 + 105) / 2
    for (int i = 0; i < days.length; i++) {
      day("Steady Freight", i + 1, days[i]);
    }
    day("Steady Freight", 0, 10_000); // today's window: compared with the baseline, never part of it
    deployAndWait();
    assertThat(baseline("supplier", "Steady Freight")).isCloseTo(102.5, within(1e-9));
    assertThat(baseline("route", "R-Steady Freight")).isCloseTo(102.5, within(1e-9));
    assertThat(updates.get(0).getInteger("computed")).isEqualTo(3); // supplier, route, vehicle type
  }

  @Test
  void rollupRowsOfAnEntityTypeThisEngineDoesNotKnowAreSkippedNotFatal() throws Exception {
    for (int i = 1; i <= 6; i++) {
      day("Steady Freight", i, 100);
      // As a newer engine of the same cluster might write them: a fourth entity type in the rollups
      // (models learn from the hours).
      for (String table : new String[] {"entity_minute_totals (entity_type, entity, minute",
        "entity_hour_totals (entity_type, entity, hour"}) {
        TestDatabase.execute(url, "insert into " + table + ", co2_kg, events, tonne_km) values ('lane',"
          + " 'Steady Freight > R-Steady Freight', '" + NOW.minus(Duration.ofDays(i)).minus(Duration.ofHours(12)) + "', 100, 1, 0)");
      }
    }
    deployAndWait();
    assertThat(baseline("supplier", "Steady Freight")).isEqualTo(100.0);
    assertThat(updates.get(0).getInteger("computed")).isEqualTo(3);
    assertThat(TestDatabase.queryLong(url, "select count(*) from entity_models where entity_type = 'lane'")).isZero();
  }

  @Test
  void anEntityWithTooLittleHistoryGetsNoComputedBaseline() throws Exception {
    for (int i = 1; i <= 4; i++) {
      day("New Carrier", i, 50);
    }
    deployAndWait();
    assertThat(baseline("supplier", "New Carrier")).isNaN();
  }

  @Test
  void aTargetIsNeverOverwritten() throws Exception {
    for (int i = 1; i <= 6; i++) {
      day("Budget Lines", i, 100);
    }
    TestDatabase.execute(url, "insert into baselines (entity_type, entity, baseline, source) values ('supplier', 'Budget Lines', 42, 'target')");
    deployAndWait();
    assertThat(TestDatabase.queryLong(url, "select baseline from baselines where source = 'target' and entity = 'Budget Lines'"))
      .isEqualTo(42);
    assertThat(baseline("supplier", "Budget Lines")).isEqualTo(100.0);
  }
}
