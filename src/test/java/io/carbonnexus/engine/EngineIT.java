package io.carbonnexus.engine;

import io.carbonnexus.engine.config.ConfigException;
import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.demo.DemoEventGenerator;
import io.carbonnexus.engine.shared.RuntimeKeys;
import io.carbonnexus.engine.support.Http;
import io.carbonnexus.engine.support.TestDatabase;
import io.carbonnexus.engine.support.TestEngine;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EngineIT {

  private static TestEngine embeddedOn(Path dataDir) {
    return TestEngine.embedded(dataDir)
      .with(ConfigKeys.DEMO_FEED_HISTORY_DAYS, 1)
      .with(ConfigKeys.DEMO_FEED_INTERVAL, "200ms");
  }

  @Test
  void theEngineStartsWithEmbeddedDefaultsAndHealthReportsTheDatabase(@TempDir Path dir) {
    TestEngine setup = embeddedOn(dir.resolve("pg"));
    int port = setup.port();
    try (Engine engine = setup.start()) {
      assertThat(engine.config().getBoolean(RuntimeKeys.EMBEDDED_DATABASE)).isTrue();
      Http.Response health = Http.get(port, "/health");
      assertThat(health.status()).isEqualTo(200);
      JsonObject body = health.json();
      assertThat(body.getString("status")).isEqualTo("UP");
      JsonObject db = body.getJsonArray("checks").getJsonObject(0);
      assertThat(db.getString("id")).isEqualTo("database");
      assertThat(db.getJsonObject("data").getString("schema_version")).isEqualTo(latestMigration());
      assertThat(db.getJsonObject("data").getString("server_version")).startsWith("17.");
    }
  }

  @Test
  void aRestartedEngineKeepsItsDataAndTheDemoFeedResumesWithNoGapAndNoDuplicate(@TempDir Path dir) throws Exception {
    TestEngine setup = embeddedOn(dir.resolve("pg")); // the second start: the same data and port
    Instant firstMark;
    long demoRowsBeforeStop;
    try (Engine first = setup.start()) {
      String url = ConfigKeys.DB_URL.get(first.config());
      TestDatabase.waitFor("the demo feed wrote its history", () -> count(url, "select count(*) from demo_feed_state") == 1,
        Duration.ofSeconds(30));
      TestDatabase.execute(url, "insert into events_normalized (occurred_at, supplier, route, vehicle_type, distance_km,"
        + " load_tonnes, shipment_id) values (now(), 'Acme Freight', 'R99', 'van_diesel', 42, 1, 'user-1')");
      demoRowsBeforeStop = count(url, "select count(*) from events_normalized where shipment_id like 'demo-%'");
      firstMark = mark(url);
    }
    assertThat(demoRowsBeforeStop).isPositive();

    try (Engine second = setup.start()) {
      String url = ConfigKeys.DB_URL.get(second.config());
      assertThat(count(url, "select count(*) from events_normalized where shipment_id = 'user-1'")).isEqualTo(1);
      TestDatabase.waitFor("the demo feed resumed", () -> mark(url).isAfter(firstMark.plusSeconds(1)), Duration.ofSeconds(30));
      Instant secondMark = mark(url);
      // The feed is a pure function of time: the rows between the marks are exactly the generator's.
      DemoEventGenerator generator = new DemoEventGenerator(new DemoEventGenerator.Settings(
        ConfigKeys.DEMO_FEED_SEED.defaultValue(), ConfigKeys.DEMO_FEED_EVENTS_PER_DAY.defaultValue(),
        ConfigKeys.DEMO_FEED_SURGES_PER_DAY.defaultValue(), ConfigKeys.DEMO_FEED_SURGE_DURATION.defaultValue(),
        ConfigKeys.DEMO_FEED_SURGE_MULTIPLIER.defaultValue()))
        // With the first start's showcase surge, which the second start read back from the database.
        .withShowcase(Instant.parse(TestDatabase.queryString(url,
          "select to_char(showcase_from at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') from demo_feed_state")));
      long expected = generator.generate(firstMark, secondMark).size();
      assertThat(count(url, "select count(*) from events_normalized where shipment_id like 'demo-%' and occurred_at >= '"
        + firstMark + "' and occurred_at < '" + secondMark + "'")).isEqualTo(expected);
      assertThat(count(url, "select count(*) from events_normalized where shipment_id like 'demo-%'"))
        .isGreaterThanOrEqualTo(demoRowsBeforeStop);
      assertThat(count(url, "select count(*) - count(distinct shipment_id) from events_normalized"))
        .as(TestDatabase.queryString(url, "select string_agg(shipment_id || ' ' || n, ', ') from (select shipment_id,"
          + " count(*) n from events_normalized group by 1 having count(*) > 1) d")).isZero();
    }
  }

  private static Instant mark(String url) {
    try (var c = TestDatabase.connect(url); var st = c.createStatement();
         var rs = st.executeQuery("select generated_until from demo_feed_state")) {
      return rs.next() ? rs.getObject(1, java.time.OffsetDateTime.class).toInstant() : Instant.EPOCH;
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void healthSaysDownWhenTheDatabaseStopsAcceptingConnections() throws Exception {
    TestEngine setup = TestEngine.onNewDatabase();
    String url = setup.dbUrl();
    String name = url.substring(url.lastIndexOf('/') + 1).replaceAll("\\?.*", "");
    int port = setup.port();
    try (Engine engine = setup.start()) {
      assertThat(engine.config().getBoolean(RuntimeKeys.EMBEDDED_DATABASE)).isFalse();
      assertThat(Http.get(port, "/health").status()).isEqualTo(200);
      String admin = url.substring(0, url.lastIndexOf('/')) + "/postgres";
      TestDatabase.execute(admin, "alter database " + name + " allow_connections false");
      TestDatabase.execute(admin, "select pg_terminate_backend(pid) from pg_stat_activity where datname = '" + name + "'");
      Http.Response health = Http.get(port, "/health");
      assertThat(health.status()).isEqualTo(503);
      assertThat(health.json().getString("status")).isEqualTo("DOWN");
      assertThat(health.body()).contains("database");
    }
  }

  @Test
  void metricsExposePredictionsByModelAndTheMlEngineBreakerState() throws Exception {
    TestEngine setup = TestEngine.onNewDatabase();
    io.vertx.core.Vertx helper = io.vertx.core.Vertx.vertx();
    try (var ml = io.carbonnexus.engine.support.FakeMlEngine.start(helper)) {
      setup.with(ConfigKeys.ML_URL, ml.url());
      int port = setup.port();
      try (Engine engine = setup.start()) {
        var event = new io.carbonnexus.engine.shared.ShipmentEvent(1, Instant.now(), "S", "R", "van", 10.0, 1.0, null);
        engine.vertx().eventBus().request(io.carbonnexus.engine.shared.Addresses.PREDICT,
          new io.carbonnexus.engine.shared.PredictionRequest(java.util.List.of(event), true).toJson()).await();
        String metrics = Http.get(port, "/metrics").body();
        assertThat(metrics)
          .contains("nexus_predictions_total{model=\"ml-engine\"} 1.0")
          .contains("nexus_breaker_state{service=\"ml-engine\"} 0.0");
      }
    } finally {
      helper.close().await();
    }
  }

  @Test
  void demoDataIsOnByDefaultOnlyWithTheEmbeddedDatabase() {
    JsonObject embedded = new JsonObject().put(RuntimeKeys.EMBEDDED_DATABASE, true);
    JsonObject external = new JsonObject().put(RuntimeKeys.EMBEDDED_DATABASE, false);
    assertThat(Engine.demoEnabled(embedded)).isTrue();
    assertThat(Engine.demoEnabled(external)).isFalse();
    assertThat(Engine.demoEnabled(ConfigKeys.DEMO.put(external.copy(), "true"))).isTrue();
    assertThat(Engine.demoEnabled(ConfigKeys.DEMO.put(embedded.copy(), "false"))).isFalse();
    assertThatThrownBy(() -> Engine.demoEnabled(ConfigKeys.DEMO.put(embedded.copy(), "sometimes")))
      .isInstanceOf(ConfigException.class).hasMessageContaining("NEXUS_DEMO");
  }

  @Test
  void anHttpPortInUseFailsStartUpNamingTheAddress() throws Exception {
    TestEngine setup = TestEngine.onNewDatabase();
    try (var busy = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      setup.with(ConfigKeys.HTTP_PORT, busy.getLocalPort());
      assertThatThrownBy(setup::start)
        .isInstanceOf(StartupException.class)
        .hasMessageContaining("HTTP server cannot listen on 127.0.0.1:" + busy.getLocalPort())
        .hasMessageContaining("Address already in use");
    }
  }

  /** The highest version among the migrations this build ships. */
  private static String latestMigration() {
    try (var files = java.nio.file.Files.list(Path.of("src/main/resources/db/migration"))) {
      return String.valueOf(files.map(p -> p.getFileName().toString())
        .filter(n -> n.matches("V\\d+__.*\\.sql"))
        .mapToInt(n -> Integer.parseInt(n.substring(1, n.indexOf("__"))))
        .max().orElseThrow());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static long count(String url, String sql) {
    return TestDatabase.queryLong(url, sql);
  }
}
