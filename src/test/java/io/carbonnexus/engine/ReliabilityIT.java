package io.carbonnexus.engine;

import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.db.DatabaseUrl;
import io.carbonnexus.engine.db.EmbeddedDatabase;
import io.carbonnexus.engine.db.Migrations;
import io.carbonnexus.engine.support.FakeMlEngine;
import io.carbonnexus.engine.support.Http;
import io.carbonnexus.engine.support.TempDirs;
import io.carbonnexus.engine.support.TestDatabase;
import io.carbonnexus.engine.support.TestEngine;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine when its neighbours fail, each test stating its figure: PostgreSQL restarted in
 * the middle of an ingestion backlog and of detection cycles, ml-engine down, stalling and
 * answering garbage over several cycles. Nothing may be lost or doubled.
 */
class ReliabilityIT {

  private static final int BACKLOG = 60_000;

  private static TestEngine engineOn(String url) {
    return TestEngine.onDatabase(url)
      .with(ConfigKeys.DEMO, "false")
      .with(ConfigKeys.DETECTION_INTERVAL, "2s")
      .with(ConfigKeys.DETECTION_FAST_PATH_DELAY, "50ms")
      .with(ConfigKeys.INGESTION_POLL_INTERVAL, "500ms")
      .with(ConfigKeys.INGESTION_BATCH_SIZE, 2_000)
      .with(ConfigKeys.DB_CONNECT_TIMEOUT, "5s");
  }

  /** events over the last {@code minutes}, spread over four suppliers; a few bad rows among them. */
  private static void insertEvents(String url, int events, String prefix) {
    TestDatabase.execute(url, "insert into events_normalized (occurred_at, supplier, route, vehicle_type, distance_km,"
      + " load_tonnes) select now() - make_interval(secs => g % 3600), '" + prefix + "-' || (g % 4), 'R' || (g % 7),"
      + " case when g % 997 = 0 then 'zeppelin' else 'hgv' end, case when g % 1009 = 0 then -1 else 50 + g % 100 end, 10"
      + " from generate_series(1, " + events + ") g");
  }

  private static long unprocessed(String url) {
    return TestDatabase.queryLong(url, "select count(*) from events_normalized e where not exists (select 1 from"
      + " predictions p where p.event_id = e.id) and not exists (select 1 from prediction_errors x where x.event_id = e.id)");
  }

  private static void assertNothingDoubled(String url) {
    assertThat(TestDatabase.queryLong(url, "select count(*) from (select entity_type, entity from hotspots"
      + " where status = 'open' group by 1, 2 having count(*) > 1) d")).as("entities with two open hotspots").isZero();
    assertThat(TestDatabase.queryLong(url, "select count(*) from (select hotspot_id from alerts where kind = 'firing'"
      + " group by hotspot_id, level having count(*) > 1) d")).as("hotspots alerted twice at one level").isZero();
    assertThat(TestDatabase.queryLong(url, "select count(*) from (select hotspot_id from recommendations"
      + " group by hotspot_id, severity having count(*) > 1) d")).as("recommendations doubled").isZero();
  }

  @Test
  void postgresRestartedDuringABacklogAndDetectionCyclesLosesAndDoublesNothing(@TempDir Path dir) throws Exception {
    int pgPort = TempDirs.freePort();
    Path data = dir.resolve("pg");
    EmbeddedDatabase db = EmbeddedDatabase.start(data, pgPort, Duration.ofSeconds(60), false, Map.of());
    String url = db.url();
    Migrations.migrate(DatabaseUrl.parse(url), Duration.ofSeconds(10));
    insertEvents(url, BACKLOG, "Restart");
    long bad = TestDatabase.queryLong(url, "select count(*) from events_normalized where vehicle_type = 'zeppelin'"
      + " or distance_km < 0");
    // Targets well below the window totals: hotspots open during the backlog and stay open.
    for (int s = 0; s < 4; s++) {
      TestDatabase.execute(url, "insert into baselines (entity_type, entity, baseline, source) values ('supplier',"
        + " 'Restart-" + s + "', 1000, 'target')");
    }
    TestEngine setup = engineOn(url);
    int http = setup.port();
    try (Engine engine = setup.start()) {
      TestDatabase.waitFor("part of the backlog", () -> TestDatabase.queryLong(url, "select count(*) from predictions")
        > BACKLOG / 6, Duration.ofSeconds(60));
      long before = TestDatabase.queryLong(url, "select count(*) from predictions");
      db.close();
      Thread.sleep(3_000);
      assertThat(Http.get(http, "/health").status()).as("health while the database is down").isEqualTo(503);
      db = EmbeddedDatabase.start(data, pgPort, Duration.ofSeconds(60), false, Map.of());
      long restartedAt = System.currentTimeMillis();

      TestDatabase.waitFor("the backlog drained after the restart", () -> unprocessed(url) == 0, Duration.ofSeconds(90));
      TestDatabase.waitFor("detection cycles after the restart", () -> TestDatabase.queryLong(url,
        "select count(*) from detection_runs where started_at > to_timestamp(" + restartedAt / 1000 + ")") >= 2,
        Duration.ofSeconds(20));
      long predicted = TestDatabase.queryLong(url, "select count(*) from predictions");
      long skipped = TestDatabase.queryLong(url, "select count(*) from prediction_errors");
      System.out.printf("PostgreSQL restart: %d of %d predicted before the stop; after: %d predicted, %d skipped"
        + " (bad rows %d), lost %d%n", before, BACKLOG, predicted, skipped, bad, BACKLOG - predicted - skipped);
      assertThat(before).isLessThan(BACKLOG - bad);
      assertThat(predicted).as("events lost").isEqualTo(BACKLOG - bad);
      assertThat(skipped).isEqualTo(bad);
      assertThat(TestDatabase.queryLong(url, "select count(*) from hotspots where status = 'open'"
        + " and entity like 'Restart-%'")).isEqualTo(4);
      assertNothingDoubled(url);
      assertThat(Http.get(http, "/health").status()).isEqualTo(200);
    } finally {
      db.close();
    }
  }

  @Test
  void mlEngineDownStallingAndAnsweringGarbageLosesNoCycleAndNoEvent() throws Exception {
    String url = TestDatabase.get().createDatabase();
    Vertx vertx = Vertx.vertx();
    try (FakeMlEngine ml = FakeMlEngine.start(vertx)) {
      TestEngine setup = engineOn(url)
        .with(ConfigKeys.ML_URL, ml.url())
        .with(ConfigKeys.ML_TIMEOUT, "300ms")
        .with(ConfigKeys.ML_BREAKER_RESET_TIMEOUT, "1s");
      try (Engine engine = setup.start()) {
        int total = 0;
        for (FakeMlEngine.Mode mode : new FakeMlEngine.Mode[] {FakeMlEngine.Mode.HEALTHY, FakeMlEngine.Mode.FAIL,
          FakeMlEngine.Mode.STALL, FakeMlEngine.Mode.GARBAGE, FakeMlEngine.Mode.WRONG_SHAPE, FakeMlEngine.Mode.HEALTHY}) {
          ml.mode(mode);
          long runsBefore = TestDatabase.queryLong(url, "select count(*) from detection_runs");
          insertEvents(url, 2_000, "Ml" + mode.ordinal());
          total += 2_000;
          int expected = total;
          TestDatabase.waitFor("events under " + mode, () -> unprocessed(url) == 0
            && TestDatabase.queryLong(url, "select count(*) from predictions") + TestDatabase.queryLong(url,
            "select count(*) from prediction_errors") == expected, Duration.ofSeconds(30));
          // Two whole intervals under this mode: each one ran.
          TestDatabase.waitFor("two detection cycles under " + mode, () -> TestDatabase.queryLong(url,
            "select count(*) from detection_runs where finished_at is not null") >= runsBefore + 2, Duration.ofSeconds(15));
        }
        long gaps = TestDatabase.queryLong(url, "select count(*) from (select interval_start - lag(interval_start)"
          + " over (order by interval_start) as gap from detection_runs) g where gap > interval '2 seconds'");
        long unfinished = TestDatabase.queryLong(url, "select count(*) from detection_runs where finished_at is null"
          + " and started_at < now() - interval '5 seconds'");
        long builtin = TestDatabase.queryLong(url, "select count(*) from predictions where model = 'builtin'");
        long fromMl = TestDatabase.queryLong(url, "select count(*) from predictions where model = 'ml-engine'");
        System.out.printf("ml-engine faults: %d events, %d by ml-engine, %d by the built-in fallback; cycles lost %d,"
          + " unfinished %d%n", total, fromMl, builtin, gaps, unfinished);
        assertThat(gaps).as("detection intervals lost").isZero();
        assertThat(unfinished).as("detection cycles that never finished").isZero();
        assertThat(fromMl).isPositive();
        assertThat(builtin).isPositive();
        assertNothingDoubled(url);
      }
    } finally {
      vertx.close().await();
    }
  }
}
