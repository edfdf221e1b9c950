package io.carbonnexus.engine.hotspot;

import io.carbonnexus.engine.shared.HotspotChange;
import io.carbonnexus.engine.shared.EntityKey;
import io.carbonnexus.engine.shared.Severity;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.carbonnexus.engine.hotspot.SyntheticHistory.flown;
import static io.carbonnexus.engine.hotspot.SyntheticHistory.grounded;
import static io.carbonnexus.engine.hotspot.SyntheticHistory.poisson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReplayTest {

  private static final Instant FROM = Instant.parse("2026-11-02T00:00:00Z");
  private static final Duration HOUR = Duration.ofHours(1);
  private static final Duration DAY = Duration.ofHours(24);
  private static final EntityKey SUPPLIER = new EntityKey("supplier", "S");
  private static final DetectionSettings SEASONAL = SyntheticHistory.settings(DetectionSettings.SEASONAL);

  private static Activity kg(double co2) {
    return new Activity(co2, 1, co2 * 10, co2 * co2, co2 * co2 * 10, co2 * co2 * 100);
  }

  /** Hourly buckets from FROM − 1 day (the window before the first step). */
  private static Replay.Timeline hourly(double[] kgPerHour) {
    Activity[] buckets = new Activity[kgPerHour.length];
    for (int i = 0; i < kgPerHour.length; i++) {
      buckets[i] = kg(kgPerHour[i]);
    }
    return new Replay.Timeline(FROM.minus(DAY), HOUR, buckets);
  }

  @Test
  void aSurgeOpensAndLaterResolvesAtTheStepsWhereTheWindowSeesItAgainstATarget() {
    // 10 kg per hour, then a 6-hour surge of 100 kg per hour starting 12 h after FROM; a target of 300 kg a day.
    double[] series = new double[24 + 72];
    for (int i = 0; i < series.length; i++) {
      int hoursAfterFrom = i - 24;
      series[i] = hoursAfterFrom >= 12 && hoursAfterFrom < 18 ? 100.0 : 10.0;
    }
    List<Replay.Change> changes = Replay.run(Map.of(SUPPLIER, hourly(series)), FROM, FROM.plus(Duration.ofHours(72)), HOUR,
      SEASONAL, Thresholds.defaults(), Map.of(SUPPLIER, Map.of(DAY, 300.0)));
    // Window total = 240 (0.8 x 300: info at once) + 90 per surge hour inside the window [t - 24h, t).
    // Up: 330 at 13 (warn), 510 at 15 (critical). Down, with the 0.05 hysteresis: below 1.45 x 300 =
    // 435 needs <= 2 surge hours left (step 40), below 0.95 x 300 = 285 needs none (step 42).
    assertThat(changes).extracting(c -> c.transition().kind() + "@" + Duration.between(FROM, c.at()).toHours())
      .containsExactly("OPENED@0", "ESCALATED@13", "ESCALATED@15", "DEESCALATED@40", "DEESCALATED@42");
    assertThat(changes.get(1).transition().reading().window()).isEqualTo("24h");
  }

  @Test
  void withAWarmUpAnEntityHotSinceBeforeTheRangeIsNotOpenedAtItsStart() {
    // 10 kg per hour from two days before FROM, and a surge of 100 kg per hour from FROM - 10 h to
    // FROM - 4 h: at FROM the day window holds 780 kg against a target of 300 (critical since FROM - 7 h).
    Activity[] buckets = new Activity[48 + 48];
    for (int i = 0; i < buckets.length; i++) {
      int hoursAfterFrom = i - 48;
      buckets[i] = kg(hoursAfterFrom >= -10 && hoursAfterFrom < -4 ? 100.0 : 10.0);
    }
    Map<EntityKey, Replay.Timeline> timelines = Map.of(SUPPLIER, new Replay.Timeline(FROM.minus(Duration.ofDays(2)), HOUR,
      buckets));
    Map<EntityKey, Map<Duration, Double>> targets = Map.of(SUPPLIER, Map.of(DAY, 300.0));
    List<Replay.Change> cold = Replay.run(timelines, Map.of(), FROM, FROM.plus(Duration.ofHours(40)), HOUR, Duration.ZERO,
      SEASONAL, Thresholds.defaults(), targets);
    List<Replay.Change> warm = Replay.run(timelines, Map.of(), FROM, FROM.plus(Duration.ofHours(40)), HOUR, DAY,
      SEASONAL, Thresholds.defaults(), targets);
    assertThat(cold.get(0)).extracting(Replay.Change::at, c -> c.transition().kind(), c -> c.transition().severity())
      .containsExactly(FROM, HotspotChange.OPENED, Severity.CRITICAL);
    assertThat(warm).as("the same hotspot, already open: only its later changes").isEqualTo(cold.subList(1, cold.size()))
      .isNotEmpty().allSatisfy(c -> assertThat(c.at()).isAfter(FROM));
  }

  @Test
  void theRunningSumsMatchARecomputedWindowAtEveryStep() {
    Random random = new Random(3);
    double[] series = new double[24 + 200];
    for (int i = 0; i < series.length; i++) {
      series[i] = random.nextDouble() * (i % 37 < 5 ? 60 : 12);
    }
    Thresholds t = Thresholds.defaults();
    List<Replay.Change> changes = Replay.run(Map.of(SUPPLIER, hourly(series)), FROM, FROM.plus(Duration.ofHours(200)), HOUR,
      SEASONAL, t, Map.of(SUPPLIER, Map.of(DAY, 200.0)));
    List<String> expected = new ArrayList<>();
    Severity state = null;
    for (int s = 0; s <= 200; s++) {
      double total = 0;
      for (int i = s; i < s + 24; i++) {
        total += series[i];
      }
      HotspotPolicy.Transition tr = HotspotPolicy.evaluate(state, total, 200, t);
      if (tr.kind().isTransition()) {
        expected.add(s + ":" + tr.kind());
      }
      state = tr.kind() == HotspotChange.RESOLVED || tr.kind() == HotspotChange.NONE ? null : tr.severity();
    }
    assertThat(changes).extracting(c -> Duration.between(FROM, c.at()).toHours() + ":" + c.transition().kind())
      .containsExactlyElementsOf(expected);
    assertThat(expected).isNotEmpty();
  }

  @Test
  void entitiesWithoutAModelOrATargetAreNotJudged() {
    assertThat(Replay.run(Map.of(SUPPLIER, hourly(new double[] {1e9, 1e9})), FROM, FROM.plus(HOUR), HOUR, SEASONAL,
      Thresholds.defaults(), Map.of())).isEmpty();
  }

  @Test
  void aStepThatDoesNotDivideADayIsRefused() {
    assertThatThrownBy(() -> ReplayRequest.parse(new io.vertx.core.json.JsonObject().put("from", "2026-11-01T00:00:00Z")
      .put("to", "2026-11-02T00:00:00Z").put("step", "7m"), Duration.ofMinutes(5), FROM)).hasMessageContaining("dividing a day");
  }

  @Test
  void bucketsAreFineEnoughForTheFastPathWhateverTheStep() {
    assertThat(java.util.stream.Stream.of("1m", "2m", "5m", "6m", "9m", "10m", "12m", "15m", "1h", "2h", "288m", "1d")
      .map(step -> ReplayRequest.bucket(io.carbonnexus.engine.config.ConfigKey.parseDurationText(step)).toMinutes()))
      .containsExactly(1L, 2L, 5L, 3L, 3L, 5L, 4L, 5L, 5L, 5L, 4L, 5L);
  }

  @Test
  void anHourlyStepOverMoreThan30000FiveMinuteBucketsIsRefusedNamingTheBuckets() {
    java.util.function.Function<String, ReplayRequest.Parsed> parse = from -> ReplayRequest.parse(
      new io.vertx.core.json.JsonObject().put("from", from).put("to", "2026-11-01T00:00:00Z").put("step", "12m"),
      Duration.ofMinutes(5), FROM);
    assertThat(parse.apply("2026-09-01T00:00:00Z").step()).isEqualTo(Duration.ofMinutes(12));
    // 90 days at 12 minutes are 10,800 steps, but 32,400 buckets of 4 minutes.
    assertThatThrownBy(() -> parse.apply("2026-08-03T00:00:00Z")).hasMessageContaining("at most 30000 buckets of 4m");
  }

  @Test
  void whetherAnEntityIsJudgedAtAMomentDependsOnlyOnTheBucketBeforeIt() {
    Activity[] buckets = new Activity[24];
    buckets[7] = kg(10);
    Replay.Timeline timeline = new Replay.Timeline(FROM, Duration.ofMinutes(5), buckets);
    long t = FROM.plus(Duration.ofMinutes(35)).toEpochMilli();
    assertThat(timeline.shippedBefore(t)).as("the shipment of [35, 40) is after 35").isFalse();
    assertThat(timeline.shippedBefore(t + 300_000)).as("it is before 40").isTrue();
    assertThat(timeline.shippedBefore(t + 600_000)).isFalse();
    assertThat(timeline.edgeAfter(t)).isEqualTo(t + 300_000);
    assertThat(timeline.edgeAfter(t - 60_000)).isEqualTo(t);
  }

  @Test
  void twoWeeksAtAMinuteAreOneRequestAndMoreThan30000StepsAreRefused() {
    java.util.function.Function<String, ReplayRequest.Parsed> parse = to -> ReplayRequest.parse(
      new io.vertx.core.json.JsonObject().put("from", "2026-10-01T00:00:00Z").put("to", to).put("step", "1m"),
      Duration.ofMinutes(5), FROM);
    assertThat(parse.apply("2026-10-15T00:00:00Z").step()).isEqualTo(Duration.ofMinutes(1));
    assertThatThrownBy(() -> parse.apply("2026-10-22T00:00:00Z")).hasMessageContaining("at most 30000 steps");
  }

  /** Where the 5-minute timelines of the tests below begin: thirty days of history before FROM. */
  private static final Instant ORIGIN = FROM.minus(Duration.ofDays(30));

  /** The index of the 5-minute bucket from ORIGIN that begins at {@code at}. */
  private static int bucketAt(Instant at) {
    return (int) (Duration.between(ORIGIN, at).toMinutes() / 5);
  }

  private static Replay.Timeline fiveMinutes(Activity[] series) {
    return new Replay.Timeline(ORIGIN, Duration.ofMinutes(5), series);
  }

  /** Four weeks of a rhythm (busy days, quiet nights and weekends), in 5-minute buckets, with Poisson shipments. */
  private static Activity[] history(int buckets, long seed) {
    return history(buckets, seed, 30, 6);
  }

  /** 5-minute buckets: {@code day} shipments an hour from 07:00 to 19:00, {@code night} otherwise, weekends 40 % of that. */
  private static Activity[] history(int buckets, long seed, double day, double night) {
    Random random = new Random(seed);
    Activity[] out = new Activity[buckets];
    for (int i = 0; i < buckets; i++) {
      Instant at = ORIGIN.plus(Duration.ofMinutes(5L * i));
      int hour = at.atZone(java.time.ZoneOffset.UTC).getHour();
      boolean weekend = SeasonalModel.dayType(at) != SeasonalModel.WEEKDAY;
      double perHour = (hour >= 7 && hour < 19 ? day : night) * (weekend ? 0.4 : 1);
      int n = poisson(random, perHour / 12);
      Activity a = Activity.NONE;
      for (int k = 0; k < n; k++) {
        a = a.plus(kg(80 + 40 * random.nextDouble()));
      }
      out[i] = a;
    }
    return out;
  }

  @Test
  void whatHappensAfterAStepNeverChangesWhatTheReplaySaysAtIt() {
    Instant to = FROM.plus(Duration.ofDays(3));
    int buckets = bucketAt(to);
    Activity[] base = history(buckets, 7);
    Instant cut = FROM.plus(Duration.ofHours(40));
    Activity[] later = base.clone();
    // A big burst right after the cut and more after it: what it changes must all be after the cut.
    for (int i = bucketAt(cut); i < buckets; i += 3) {
      later[i] = later[i].plus(kg(5_000));
    }
    // With the engine's warm-up and a step coarser than the buckets: the fast path judges between steps.
    List<Replay.Change> before = Replay.run(Map.of(SUPPLIER, fiveMinutes(base)), Map.of(), FROM, to,
      Duration.ofMinutes(15), DAY, SEASONAL, Thresholds.defaults(), Map.of());
    List<Replay.Change> after = Replay.run(Map.of(SUPPLIER, fiveMinutes(later)), Map.of(), FROM, to,
      Duration.ofMinutes(15), DAY, SEASONAL, Thresholds.defaults(), Map.of());
    assertThat(after.stream().filter(c -> !c.at().isAfter(cut)).toList())
      .isEqualTo(before.stream().filter(c -> !c.at().isAfter(cut)).toList());
    assertThat(after.stream().filter(c -> c.at().isAfter(cut)).toList())
      .as("the burst after the cut is seen").isNotEqualTo(before.stream().filter(c -> c.at().isAfter(cut)).toList());
  }

  @Test
  void aBurstAtNightOnANormalRhythmIsFoundWithinHalfAnHourOnItsHourWindow() {
    Instant to = FROM.plus(Duration.ofDays(7));
    int buckets = bucketAt(to);
    Activity[] series = history(buckets, 11);
    // Wednesday 02:00-03:30, at night: 5 times the night rate (6 an hour), i.e. 24 more shipments an hour.
    Instant burst = FROM.plus(Duration.ofDays(2)).plus(Duration.ofHours(2));
    int first = bucketAt(burst);
    Random random = new Random(5);
    for (int i = first; i < first + 18; i++) {
      for (int k = poisson(random, 24.0 / 12); k > 0; k--) {
        series[i] = series[i].plus(kg(100));
      }
    }
    List<Replay.Change> changes = Replay.run(Map.of(SUPPLIER, fiveMinutes(series)), FROM, to,
      Duration.ofMinutes(5), SEASONAL, Thresholds.defaults(), Map.of());
    Replay.Change alarm = firstAlarm(changes);
    assertThat(alarm.at()).isAfter(burst).isBefore(burst.plus(Duration.ofMinutes(35)));
    assertThat(alarm.transition().reading().window()).isEqualTo("1h");
  }

  @Test
  void aCoarseStepOpensWhereTheLiveFastPathWouldHaveNotAtTheNextStep() {
    Instant to = FROM.plus(Duration.ofDays(3));
    int buckets = bucketAt(to);
    Activity[] series = history(buckets, 11);
    // Wednesday from 02:05, at night: 60 more shipments an hour, found within minutes.
    Instant burst = FROM.plus(Duration.ofDays(2)).plus(Duration.ofHours(2)).plus(Duration.ofMinutes(5));
    int first = bucketAt(burst);
    for (int i = first; i < first + 12; i++) {
      series[i] = series[i].plus(kg(500)).plus(kg(500)).plus(kg(500)).plus(kg(500)).plus(kg(500));
    }
    Replay.Timeline timeline = fiveMinutes(series);
    Replay.Change fine = firstAlarm(Replay.run(Map.of(SUPPLIER, timeline), FROM, to, Duration.ofMinutes(5), SEASONAL,
      Thresholds.defaults(), Map.of()));
    Replay.Change coarse = firstAlarm(Replay.run(Map.of(SUPPLIER, timeline), FROM, to, Duration.ofHours(1), SEASONAL,
      Thresholds.defaults(), Map.of()));
    assertThat(fine.at()).as("found between two hourly steps").isAfter(burst)
      .isBefore(burst.plus(Duration.ofMinutes(55)));
    assertThat(coarse).as("an hourly step opens at the 5-minute bucket the fast path would have").isEqualTo(fine);
  }

  /** Bucket by bucket, what the lanes did together: their route's or their supplier's series. */
  private static Activity[] sum(Activity[] a, Activity[] b) {
    Activity[] total = new Activity[a.length];
    for (int i = 0; i < a.length; i++) {
      total[i] = a[i].plus(b[i]);
    }
    return total;
  }

  private static Replay.Change firstAlarm(List<Replay.Change> changes) {
    return changes.stream().filter(c -> (c.transition().kind() == HotspotChange.OPENED
      || c.transition().kind() == HotspotChange.ESCALATED) && c.transition().severity() != Severity.INFO)
      .findFirst().orElseThrow();
  }

  @Test
  void aBurstOnOneLaneOfASharedRouteIsFoundThroughTheLaneAndNothingAfterAStepChangesIt() {
    Instant to = FROM.plus(Duration.ofDays(4));
    int buckets = bucketAt(to);
    Lane big = new Lane("Albion", "LON-EDI");
    Lane small = new Lane("Caledonia", "LON-EDI");
    EntityKey route = new EntityKey("route", "LON-EDI");
    Activity[] bigSeries = history(buckets, 21, 30, 6);
    Activity[] smallSeries = history(buckets, 22, 2, 0.5);
    // Wednesday 14:00-15:30: the small lane ships 6 times its 2 an hour, 10 more shipments an hour;
    // the route's 32 an hour become 42, within its own normal.
    Instant burst = FROM.plus(Duration.ofDays(2)).plus(Duration.ofHours(14));
    int first = bucketAt(burst);
    Random random = new Random(9);
    for (int i = first; i < first + 18; i++) {
      for (int k = poisson(random, 10.0 / 12); k > 0; k--) {
        smallSeries[i] = smallSeries[i].plus(kg(100));
      }
    }
    Activity[] routeSeries = sum(bigSeries, smallSeries);
    Map<EntityKey, Replay.Timeline> routes = Map.of(route, fiveMinutes(routeSeries));
    Map<Lane, Replay.Timeline> lanes = Map.of(big, fiveMinutes(bigSeries),
      small, fiveMinutes(smallSeries));

    List<Replay.Change> alone = warnOpenings(Replay.run(routes, FROM, to, Duration.ofMinutes(5), SEASONAL,
      Thresholds.defaults(), Map.of()));
    List<Replay.Change> withLanes = warnOpenings(Replay.run(routes, lanes, FROM, to, Duration.ofMinutes(5), SEASONAL,
      Thresholds.defaults(), Map.of()));
    assertThat(alone.stream().filter(c -> !c.at().isBefore(burst) && c.at().isBefore(burst.plus(HOUR))))
      .as("the route on its own does not see the burst").isEmpty();
    Replay.Change found = withLanes.stream().filter(c -> !c.at().isBefore(burst)).findFirst().orElseThrow();
    assertThat(found.at()).isBefore(burst.plus(HOUR));
    assertThat(found.entity()).isEqualTo(route);
    Reading r = found.transition().reading();
    assertThat(r.window()).isEqualTo("1h");
    // In the route's kg: the route's whole hour against its hour had that lane shipped its most normal.
    assertThat(r.predicted()).isEqualTo(routes.get(route).between(found.at().minus(HOUR), found.at()).co2());
    assertThat(r.baseline()).isGreaterThan(lanes.get(big).between(found.at().minus(HOUR), found.at()).co2());

    // Honest with lanes too: more shipments on the small lane (and its route) after a cut change nothing before it.
    Instant cut = burst.plus(Duration.ofHours(3));
    int at = bucketAt(cut);
    Activity[] smallLater = smallSeries.clone();
    Activity[] routeLater = routeSeries.clone();
    for (int i = at; i < buckets; i += 2) {
      smallLater[i] = smallLater[i].plus(kg(100)).plus(kg(100));
      routeLater[i] = routeLater[i].plus(kg(100)).plus(kg(100));
    }
    List<Replay.Change> later = Replay.run(Map.of(route, fiveMinutes(routeLater)),
      Map.of(big, lanes.get(big), small, fiveMinutes(smallLater)), FROM, to,
      Duration.ofMinutes(5), SEASONAL, Thresholds.defaults(), Map.of());
    List<Replay.Change> before = Replay.run(routes, lanes, FROM, to, Duration.ofMinutes(5), SEASONAL,
      Thresholds.defaults(), Map.of());
    assertThat(later.stream().filter(c -> !c.at().isAfter(cut)).toList())
      .isEqualTo(before.stream().filter(c -> !c.at().isAfter(cut)).toList());
    assertThat(later.stream().filter(c -> c.at().isAfter(cut)).toList())
      .as("what follows the cut is seen").isNotEqualTo(before.stream().filter(c -> c.at().isAfter(cut)).toList());
  }

  @Test
  void aSupplierFlyingItsVansIsFoundThroughItsLanesAndNothingAfterAStepChangesIt() {
    Instant to = FROM.plus(Duration.ofDays(4));
    int buckets = bucketAt(to);
    Lane vans = new Lane("S", "DVR-LON");
    Lane air = new Lane("S", "STN-CGN");
    Activity[] vanSeries = history(buckets, 31, 10, 2);
    Activity[] airSeries = history(buckets, 32, 3, 1);
    for (int i = 0; i < buckets; i++) {
      airSeries[i] = flown(airSeries[i]);
    }
    // Wednesday from 09:00: every third van shipment on DVR-LON flies instead, as many kg (the CO2 tests see nothing).
    Instant shift = FROM.plus(Duration.ofDays(2)).plus(Duration.ofHours(9));
    int first = bucketAt(shift);
    int moved = 0;
    for (int i = first; i < buckets; i++) {
      for (int k = 0; k < (int) vanSeries[i].events(); k++) {
        if (++moved % 3 == 0) {
          vanSeries[i] = vanSeries[i].plus(new Activity(0, 0, 0, 0, 0, 0, 1));
        }
      }
    }
    // The supplier's own rollup counts no flights (only lanes do).
    Activity[] supplierSeries = Arrays.stream(sum(vanSeries, airSeries)).map(SyntheticHistory::grounded)
      .toArray(Activity[]::new);
    Map<EntityKey, Replay.Timeline> suppliers = Map.of(SUPPLIER, fiveMinutes(supplierSeries));
    Map<Lane, Replay.Timeline> lanes = Map.of(vans, fiveMinutes(vanSeries), air, fiveMinutes(airSeries));

    assertThat(warnOpenings(Replay.run(suppliers, FROM, to, Duration.ofMinutes(5), SEASONAL, Thresholds.defaults(),
      Map.of())).stream().filter(c -> !c.at().isBefore(shift))).as("the supplier's own tests do not see it").isEmpty();
    List<Replay.Change> withLanes = Replay.run(suppliers, lanes, FROM, to, Duration.ofMinutes(5), SEASONAL,
      Thresholds.defaults(), Map.of());
    assertThat(warnOpenings(withLanes).stream().filter(c -> c.at().isBefore(shift))).as("before the shift").isEmpty();
    Replay.Change found = warnOpenings(withLanes).stream().filter(c -> !c.at().isBefore(shift)).findFirst().orElseThrow();
    assertThat(found.at()).isBefore(shift.plus(Duration.ofHours(2)));
    assertThat(found.entity()).isEqualTo(SUPPLIER);
    assertThat(found.transition().reading().measure()).isEqualTo(Reading.Measure.INTENSITY);
    assertThat(found.transition().reading().window()).isEqualTo("24h");

    // Honest: the vans grounded again after a cut change nothing before it (and the hotspot resolves a day later).
    Instant cut = shift.plus(Duration.ofHours(4));
    Activity[] vansLater = vanSeries.clone();
    for (int i = bucketAt(cut); i < buckets; i++) {
      vansLater[i] = grounded(vansLater[i]);
    }
    List<Replay.Change> later = Replay.run(suppliers, Map.of(vans, fiveMinutes(vansLater), air, lanes.get(air)), FROM, to,
      Duration.ofMinutes(5), SEASONAL, Thresholds.defaults(), Map.of());
    assertThat(later.stream().filter(c -> !c.at().isAfter(cut)).toList())
      .isEqualTo(withLanes.stream().filter(c -> !c.at().isAfter(cut)).toList());
    assertThat(later).as("what follows the cut is seen").isNotEqualTo(withLanes)
      .anySatisfy(c -> assertThat(c.transition().kind()).isEqualTo(HotspotChange.RESOLVED));
  }

  private static List<Replay.Change> warnOpenings(List<Replay.Change> changes) {
    return changes.stream().filter(c -> (c.transition().kind() == HotspotChange.OPENED
      || c.transition().kind() == HotspotChange.ESCALATED) && c.transition().severity() != Severity.INFO).toList();
  }
}
