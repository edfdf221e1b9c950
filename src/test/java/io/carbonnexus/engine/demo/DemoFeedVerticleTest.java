package io.carbonnexus.engine.demo;

import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.db.DatabaseUrl;
import io.carbonnexus.engine.db.Migrations;
import io.carbonnexus.engine.support.MutableClock;
import io.carbonnexus.engine.support.TestDatabase;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import static org.assertj.core.api.Assertions.assertThat;

class DemoFeedVerticleTest {

  private static final Instant NOW = Instant.parse("2026-11-25T10:15:30Z");

  private Vertx vertx;
  private String url;
  private JsonObject config;
  private MutableClock clock;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    url = TestDatabase.get().createDatabase();
    Migrations.migrate(DatabaseUrl.parse(url), Duration.ofSeconds(10));
    config = new JsonObject();
    ConfigKeys.DB_URL.put(config, url);
    ConfigKeys.DEMO_FEED_HISTORY_DAYS.put(config, 2);
    ConfigKeys.DEMO_FEED_INTERVAL.put(config, "100ms");
    clock = new MutableClock(NOW);
  }

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  private String deploy() {
    return vertx.deployVerticle(new DemoFeedVerticle(clock), new DeploymentOptions().setConfig(config)).await();
  }

  @Test
  void theFirstStartWritesTheConfiguredHistoryUpToNow() throws Exception {
    deploy();
    waitForMark(NOW);
    DemoEventGenerator generator = new DemoEventGenerator(DemoEventGenerator.Settings.defaults());
    int expected = generator.generate(NOW.minus(Duration.ofDays(2)), NOW).size();
    assertThat(count("select count(*) from events_normalized")).isEqualTo(expected);
    assertThat(count("select count(*) from events_normalized where shipment_id not like 'demo-%'")).isZero();
    assertThat(count("select (min(occurred_at) >= '" + NOW.minus(Duration.ofDays(2)) + "')::int from events_normalized")).isEqualTo(1);
  }

  @Test
  void aRestartResumesWhereTheFeedStoppedWithNoGapAndNoDuplicate() throws Exception {
    String first = deploy();
    waitForMark(NOW);
    vertx.undeploy(first).await();
    clock.advance(Duration.ofHours(3));
    deploy();
    waitForMark(NOW.plus(Duration.ofHours(3)));

    DemoEventGenerator generator = new DemoEventGenerator(DemoEventGenerator.Settings.defaults());
    int expected = generator.generate(NOW.minus(Duration.ofDays(2)), NOW.plus(Duration.ofHours(3))).size();
    assertThat(count("select count(*) from events_normalized")).isEqualTo(expected);
    assertThat(count("select count(distinct shipment_id) from events_normalized")).isEqualTo(expected);
  }

  @Test
  void liveTicksWriteTheEventsThatHappenedSinceTheLastTick() throws Exception {
    deploy();
    waitForMark(NOW);
    long afterHistory = count("select count(*) from events_normalized");
    clock.advance(Duration.ofMinutes(30));
    waitForMark(NOW.plus(Duration.ofMinutes(30)));
    DemoEventGenerator generator = new DemoEventGenerator(DemoEventGenerator.Settings.defaults());
    int expected = generator.generate(NOW, NOW.plus(Duration.ofMinutes(30))).size();
    assertThat(expected).isPositive();
    assertThat(count("select count(*) from events_normalized")).isEqualTo(afterHistory + expected);
  }

  private void waitForMark(Instant until) throws InterruptedException {
    String sql = "select count(*) from demo_feed_state where generated_until = '" + until.truncatedTo(ChronoUnit.MILLIS) + "'";
    TestDatabase.waitFor("the demo feed reached " + until, () -> count(sql) == 1, Duration.ofSeconds(30));
  }

  private long count(String sql) {
    return TestDatabase.queryLong(url, sql);
  }
}
