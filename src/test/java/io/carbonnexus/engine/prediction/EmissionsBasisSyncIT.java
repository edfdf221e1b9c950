package io.carbonnexus.engine.prediction;

import io.carbonnexus.engine.db.DatabaseUrl;
import io.carbonnexus.engine.shared.EmissionsBasis;
import io.carbonnexus.engine.support.DatabaseExtension;
import io.carbonnexus.engine.support.FreshDatabase;
import io.carbonnexus.engine.support.TestDatabase;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;


import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Predictions stored before the three figures existed, and predictions stored on the other basis,
 * are brought to the configured basis at start; the rollups follow and the normals are learnt again.
 */
@ExtendWith(DatabaseExtension.class)
class EmissionsBasisSyncIT {

  private Vertx vertx;
  private String url;
  private DatabaseUrl db;

  @BeforeEach
  void setUp(FreshDatabase fresh) {
    vertx = Vertx.vertx();
    url = fresh.url();
    db = DatabaseUrl.parse(url);
    // As an engine before V11 stored them: one figure, basis null. Event 4's row in events_normalized is gone.
    TestDatabase.execute(url, """
      insert into events_normalized (id, occurred_at, supplier, route, vehicle_type, distance_km, load_tonnes,
                                     payload_capacity_tonnes)
      values (1, '2026-11-01T10:00:00Z', 'S', 'R', 'hgv_diesel', 100, 10, 20),
             (2, '2026-11-01T10:00:00Z', 'S', 'R', 'van_electric', 40, 0.5, null),
             (3, '2026-11-01T10:00:00Z', 'S', 'R', 'rail', 650, 60, null);
      insert into predictions (event_id, occurred_at, supplier, route, vehicle_type, co2_kg, model, model_version, method)
      values (1, '2026-11-01T10:00:00Z', 'S', 'R', 'hgv_diesel', 83.589, 'builtin', 'old', 'load_factor'),
             (2, '2026-11-01T10:00:00Z', 'S', 'R', 'van_electric', 4.3984, 'builtin', 'old', 'tonne_km'),
             (3, '2026-11-01T10:00:00Z', 'S', 'R', 'rail', 1000, 'ml-engine', 'm-1', 'ml'),
             (4, '2026-11-01T10:00:00Z', 'S', 'R', 'ship', 50, 'ml-engine', 'm-1', 'ml');
      insert into entity_models (entity_type, entity, algorithm, built_at, model)
      values ('supplier', 'S', 'seasonal', now(), '{}');
      insert into lane_models (supplier, route, algorithm, built_at, model) values ('S', 'R', 'seasonal', now(), '{}');
      insert into baselines (entity_type, entity, baseline, source, computed_at)
      values ('supplier', 'S', 1, 'computed', now()), ('route', 'R', 5, 'target', now());
      """);
  }

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  private double value(String sql) {
    return TestDatabase.queryDouble(url, sql);
  }

  @Test
  void olderPredictionsGetTheirThreeFiguresFromTheirEventsAndTheTables() {
    long changed = EmissionsBasisSync.run(vertx, db.connectOptions(), EmissionsBasis.WTW);

    assertThat(changed).isEqualTo(4);
    // Built-in diesel, load-factor method: TTW 83.589, WTT 100 km x (0.15527 + 0.5 x 0.08415) = 19.7345.
    assertThat(value("select co2e_ttw_kg from predictions where event_id = 1")).isCloseTo(83.589, within(1e-9));
    assertThat(value("select co2e_wtt_kg from predictions where event_id = 1")).isCloseTo(19.7345, within(1e-9));
    assertThat(value("select co2_kg from predictions where event_id = 1")).isCloseTo(103.3235, within(1e-9));
    // Built-in electric van: the old figure was generation, now well-to-tank; TTW 0.
    assertThat(value("select co2e_ttw_kg from predictions where event_id = 2")).isZero();
    assertThat(value("select co2e_wtw_kg from predictions where event_id = 2")).isCloseTo(5.525, within(1e-9));
    // ml-engine: its figure is TTW, the table adds WTT: 39000 tkm x 0.00691 = 269.49.
    assertThat(value("select co2e_ttw_kg from predictions where event_id = 3")).isEqualTo(1000);
    assertThat(value("select co2_kg from predictions where event_id = 3")).isCloseTo(1269.49, within(1e-9));
    // No event left: tank-to-wheel only, its figure kept, and it says so.
    assertThat(TestDatabase.queryLong(url, "select count(*) from predictions where event_id = 4 and co2_kg = 50"
      + " and co2e_ttw_kg = 50 and co2e_wtt_kg is null and co2e_wtw_kg is null and basis = 'wtw'")).isEqualTo(1);
    assertThat(TestDatabase.queryLong(url, "select count(*) from predictions where basis is null")).isZero();
  }

  @Test
  void theRollupsFollowAndTheNormalsAreLearntAgainButTargetsStay() {
    EmissionsBasisSync.run(vertx, db.connectOptions(), EmissionsBasis.WTW);

    assertThat(value("select sum(co2_kg) from entity_minute_totals where entity_type = 'supplier'"))
      .isCloseTo(value("select sum(co2_kg) from predictions"), within(1e-6));
    assertThat(value("select sum(co2_kg) from lane_minute_totals"))
      .isCloseTo(value("select sum(co2_kg) from predictions"), within(1e-6));
    assertThat(TestDatabase.queryLong(url, "select count(*) from entity_models")).isZero();
    assertThat(TestDatabase.queryLong(url, "select count(*) from lane_models")).isZero();
    assertThat(TestDatabase.queryLong(url, "select count(*) from baselines where source = 'computed'")).isZero();
    assertThat(TestDatabase.queryLong(url, "select count(*) from baselines where source = 'target'")).isEqualTo(1);
  }

  @Test
  void switchingTheBasisMovesEveryCo2AndRunningAgainChangesNothing() {
    EmissionsBasisSync.run(vertx, db.connectOptions(), EmissionsBasis.WTW);
    double wtw = value("select sum(co2_kg) from predictions");

    assertThat(EmissionsBasisSync.run(vertx, db.connectOptions(), EmissionsBasis.TTW)).isEqualTo(4);
    assertThat(TestDatabase.queryLong(url, "select count(*) from predictions where co2_kg = co2e_ttw_kg and basis = 'ttw'"))
      .isEqualTo(4);
    assertThat(value("select sum(co2_kg) from entity_minute_totals where entity_type = 'route'"))
      .isCloseTo(83.589 + 0 + 1000 + 50, within(1e-6));
    assertThat(EmissionsBasisSync.run(vertx, db.connectOptions(), EmissionsBasis.TTW)).isZero();

    assertThat(EmissionsBasisSync.run(vertx, db.connectOptions(), EmissionsBasis.WTW)).isEqualTo(4);
    assertThat(value("select sum(co2_kg) from predictions")).isCloseTo(wtw, within(1e-9));
  }
}
