package io.carbonnexus.engine.demo;

import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.support.MutableClock;
import io.carbonnexus.engine.support.TestDatabase;
import io.carbonnexus.engine.support.VerticleTestBed;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import static org.assertj.core.api.Assertions.assertThat;

class DemoFeedVerticleIT extends VerticleTestBed {

  private static final Instant NOW = Instant.parse("2026-11-25T10:15:30Z");
  /** Not the defaults: a verticle that ignored its configuration would write other events. */
  private static final DemoEventGenerator.Settings SETTINGS =
    new DemoEventGenerator.Settings(7, 20_000, 5, Duration.ofMinutes(90), 4.0);
  private static final DemoEventGenerator GENERATOR = new DemoEventGenerator(SETTINGS);

  private MutableClock clock;

  @BeforeEach
  void setUp() {
    ConfigKeys.DEMO_FEED_HISTORY_DAYS.put(config, 2);
    ConfigKeys.DEMO_FEED_INTERVAL.put(config, "100ms");
    ConfigKeys.DEMO_FEED_SEED.put(config, (int) SETTINGS.seed());
    ConfigKeys.DEMO_FEED_EVENTS_PER_DAY.put(config, SETTINGS.eventsPerDay());
    ConfigKeys.DEMO_FEED_SURGES_PER_DAY.put(config, SETTINGS.surgesPerDay());
    ConfigKeys.DEMO_FEED_SURGE_DURATION.put(config, "90m");
    ConfigKeys.DEMO_FEED_SURGE_MULTIPLIER.put(config, SETTINGS.surgeMultiplier());
    clock = new MutableClock(NOW);
  }

  private String deploy() {
    return deploy(new DemoFeedVerticle(clock));
  }

  /** What the feed writes: the generator with the first start's surge, 30 minutes before "now". */
  private static final DemoEventGenerator SHOWCASED = GENERATOR.withShowcase(NOW.minus(DemoFeedVerticle.SHOWCASE_LEAD));

  @Test
  void theFirstStartEndsItsHistoryInTheMiddleOfASurgeThatRestartsKeep() throws Exception {
    String first = deploy();
    waitForMark(NOW);
    assertThat(TestDatabase.queryString(url, "select to_char(showcase_from at time zone 'UTC', 'HH24:MI') from demo_feed_state"))
      .isEqualTo(NOW.minus(DemoFeedVerticle.SHOWCASE_LEAD).toString().substring(11, 16));
    // The largest supplier ships many times its usual rate in the last half hour: a hotspot to find at once.
    String busiest = "(select supplier from events_normalized group by 1 order by count(*) desc limit 1)";
    long lastHalfHour = count("select count(*) from events_normalized where supplier = " + busiest
      + " and occurred_at >= '" + NOW.minus(Duration.ofMinutes(30)) + "'");
    long dayBefore = count("select count(*) from events_normalized where supplier = " + busiest
      + " and occurred_at >= '" + NOW.minus(Duration.ofMinutes(30)).minus(Duration.ofDays(1)) + "' and occurred_at < '"
      + NOW.minus(Duration.ofDays(1)) + "'");
    assertThat(lastHalfHour).isGreaterThan(3 * Math.max(1, dayBefore));
    vertx.undeploy(first).await();
    clock.advance(Duration.ofMinutes(20));
    deploy();
    waitForMark(NOW.plus(Duration.ofMinutes(20)));
    assertThat(count("select count(*) from events_normalized"))
      .isEqualTo(SHOWCASED.generate(NOW.minus(Duration.ofDays(2)), NOW.plus(Duration.ofMinutes(20))).size());
  }

  @Test
  void theFirstStartWritesTheConfiguredHistoryUpToNow() throws Exception {
    deploy();
    waitForMark(NOW);
    int expected = SHOWCASED.generate(NOW.minus(Duration.ofDays(2)), NOW).size();
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

    int expected = SHOWCASED.generate(NOW.minus(Duration.ofDays(2)), NOW.plus(Duration.ofHours(3))).size();
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
    int expected = SHOWCASED.generate(NOW, NOW.plus(Duration.ofMinutes(30))).size();
    assertThat(expected).isPositive();
    assertThat(count("select count(*) from events_normalized")).isEqualTo(afterHistory + expected);
  }

  @Test
  void withNoHistoryTheFeedStartsFromNowAndStillTrickles() throws Exception {
    ConfigKeys.DEMO_FEED_HISTORY_DAYS.put(config, 0);
    deploy();
    waitForMark(NOW);
    assertThat(count("select count(*) from events_normalized")).isZero();
    clock.advance(Duration.ofHours(2));
    waitForMark(NOW.plus(Duration.ofHours(2)));
    assertThat(count("select count(*) from events_normalized"))
      .isEqualTo(SHOWCASED.generate(NOW, NOW.plus(Duration.ofHours(2))).size())
      .isPositive();
  }

  @Test
  void aMarkAheadOfTheClockWritesNothingUntilTheClockPassesIt() throws Exception {
    TestDatabase.execute(url, "insert into demo_feed_state (id, generated_until) values (1, '"
      + NOW.plus(Duration.ofHours(1)) + "')");
    deploy();
    Thread.sleep(500);
    assertThat(count("select count(*) from events_normalized")).isZero();
    clock.advance(Duration.ofHours(2));
    waitForMark(NOW.plus(Duration.ofHours(2)));
    // A database the feed wrote before (a mark, no showcase) gets no showcase: only a first start does.
    assertThat(count("select count(*) from events_normalized"))
      .isEqualTo(GENERATOR.generate(NOW.plus(Duration.ofHours(1)), NOW.plus(Duration.ofHours(2))).size());
  }

  private void waitForMark(Instant until) throws InterruptedException {
    String sql = "select count(*) from demo_feed_state where generated_until = '" + until.truncatedTo(ChronoUnit.MILLIS) + "'";
    TestDatabase.waitFor("the demo feed reached " + until, () -> count(sql) == 1, Duration.ofSeconds(30));
  }

  private long count(String sql) {
    return TestDatabase.queryLong(url, sql);
  }
}
