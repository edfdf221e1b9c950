package io.carbonnexus.engine.hotspot;

import io.carbonnexus.engine.hotspot.Reading.Measure;
import io.carbonnexus.engine.shared.EntityKey;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.carbonnexus.engine.hotspot.SyntheticHistory.DAY;
import static io.carbonnexus.engine.hotspot.SyntheticHistory.HOUR;
import static io.carbonnexus.engine.hotspot.SyntheticHistory.flown;
import static io.carbonnexus.engine.hotspot.SyntheticHistory.shipments;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.withinPercentage;

/** The readings of one entity at one time, from a model learnt on a rhythm the test knows. */
class EvaluatorTest {

  /** A Tuesday, 11:00 UTC: the windows judged end here. */
  private static final Instant AT = Instant.parse("2026-12-01T11:00:00Z");
  private static final DetectionSettings SEASONAL = SyntheticHistory.settings(DetectionSettings.SEASONAL);
  /** Weekdays 20 shipments an hour from 08:00 to 18:00, weekends 5; nights 0.5 an hour. 100 kg, 1000 tonne-km each. */
  private static final SyntheticHistory.Rhythm OFFICE = (type, hour) ->
    hour >= 8 && hour < 18 ? (type == SeasonalModel.WEEKDAY ? 20 : 5) : 0.5;
  private static final double KG = 100;
  private static final double TKM = 1000;
  private static final EntityKey SUPPLIER = new EntityKey("supplier", "Northwind Haulage");
  private static final EntityModel MODEL = EntityModel.learn(AT, SyntheticHistory.history(AT, 28, OFFICE, 42), SEASONAL);

  private static Map<Duration, Evaluator.Observation> seen(Duration length, Activity activity) {
    return Map.of(length, new Evaluator.Observation(length, AT.minus(length), AT, activity));
  }

  private static List<Reading> readings(Map<Duration, Evaluator.Observation> observations) {
    return Evaluator.readings(SUPPLIER, MODEL, observations, Map.of(), SEASONAL);
  }

  private static Reading only(List<Reading> readings, String window, Measure measure) {
    List<Reading> matching = readings.stream().filter(r -> r.window().equals(window) && r.measure() == measure).toList();
    assertThat(matching).as("%s %s readings in %s", window, measure, readings).hasSize(1);
    return matching.get(0);
  }

  /** Shipments the model expects over the window of this length that ends at {@link #AT}, rounded. */
  private static int usualCount(Duration length) {
    return (int) Math.round(MODEL.seasonal().expected(AT.minus(length), AT).events());
  }

  @Test
  void aWindowWithManyMoreShipmentsThanNormalIsAboveItsBaseline() {
    assertThat(usualCount(HOUR)).isBetween(18, 22);
    Reading burst = only(readings(seen(HOUR, shipments(60, KG, TKM))), "1h", Measure.EMISSIONS);
    assertThat(burst.ratio()).isGreaterThanOrEqualTo(1);
    assertThat(burst.predicted()).isEqualTo(60 * KG);
    // The usual 20 (a little heavier, so that the count test looks at them) are well within normal.
    Reading usual = only(readings(seen(HOUR, shipments(20, 1.05 * KG, TKM))), "1h", Measure.EMISSIONS);
    assertThat(usual.ratio()).isLessThan(0.8);
  }

  @Test
  void heavierShipmentsAtTheUsualCountAreAboveTheDaysBaseline() {
    int count = usualCount(DAY);
    assertThat(count).isGreaterThanOrEqualTo(SEASONAL.intensityMinEvents());
    // The count alone is within its band: what flags the day is its kg, in total or per shipment.
    SeasonalModel.Expected x = MODEL.seasonal().expected(AT.minus(DAY), AT);
    assertThat(MODEL.seasonal().countBand(x, 3)[1]).isGreaterThan(count);
    Reading heavier = only(readings(seen(DAY, shipments(count, 1.6 * KG, TKM))), "24h", Measure.EMISSIONS);
    assertThat(heavier.ratio()).isGreaterThanOrEqualTo(1);
    Reading usual = only(readings(seen(DAY, shipments(count, KG, TKM))), "24h", Measure.EMISSIONS);
    assertThat(usual.ratio()).isLessThan(1);
  }

  @Test
  void heavierShipmentsOnAQuietDayAreFoundByTheirKgPerShipment() {
    // Half the usual shipments at 1.6 times the kg: the day's total is below its expectation.
    int count = usualCount(DAY) / 2;
    Reading heavier = only(readings(seen(DAY, shipments(count, 1.6 * KG, TKM))), "24h", Measure.EMISSIONS);
    assertThat(heavier.predicted()).isLessThan(MODEL.seasonal().expected(AT.minus(DAY), AT).co2());
    assertThat(heavier.ratio()).isGreaterThanOrEqualTo(1);
    assertThat(heavier.expected()).isCloseTo(count * MODEL.seasonal().co2PerShipment().mean(), within(1e-6));
  }

  /**
   * Nine vans in ten (0.1 kg per tonne-km), one flight in ten (3 kg per tonne-km), about 1000
   * tonne-km each: one shipment's kg varies so much that kg per shipment cannot show 40 % heavier
   * loads in a day.
   */
  private static final EntityModel MIXED = mixedModel();

  private static EntityModel mixedModel() {
    Random random = new Random(7);
    Hours history = new Hours(AT.minus(Duration.ofDays(29)), 29 * 24);
    for (int i = 0; i < 29 * 24; i++) {
      for (int n = SyntheticHistory.poisson(random, 8); n > 0; n--) {
        double tkm = 900 + 200 * random.nextDouble();
        history.add(i, SyntheticHistory.shipment((random.nextDouble() < 0.1 ? 3 : 0.1) * tkm, tkm));
      }
    }
    return EntityModel.learn(AT, history, SEASONAL);
  }

  /** The usual day's count and mix of {@link #MIXED}, every shipment {@code factor} times as heavy. */
  private static Activity mixedDay(double factor) {
    int count = (int) Math.round(MIXED.seasonal().expected(AT.minus(DAY), AT).events());
    int flights = count / 10;
    return shipments(flights, 3000 * factor, 1000 * factor).plus(shipments(count - flights, 100 * factor, 1000 * factor));
  }

  @Test
  void heavierLoadsOfASupplierWithAFewFlownShipmentsAreFoundByTheirTonneKm() {
    Activity heavier = mixedDay(1.4);
    assertThat(heavier.co2()).as("kg per shipment alone sees nothing")
      .isLessThan(MIXED.seasonal().perShipmentBand(heavier.events(), 3)[1]);
    Reading reading = only(Evaluator.readings(SUPPLIER, MIXED, seen(DAY, heavier), Map.of(), SEASONAL), "24h",
      Measure.EMISSIONS);
    assertThat(reading.ratio()).isGreaterThanOrEqualTo(1);
    double[] tkm = MIXED.seasonal().tkmPerShipmentBand(heavier.events(), 3);
    assertThat(reading.baseline()).isCloseTo(heavier.co2() / heavier.tkm() * tkm[1], withinPercentage(0.001));
    // The usual loads in the usual mix are normal.
    assertThat(only(Evaluator.readings(SUPPLIER, MIXED, seen(DAY, mixedDay(1)), Map.of(), SEASONAL), "24h",
      Measure.EMISSIONS).ratio()).isLessThan(1);
  }

  @Test
  void onARouteNeitherKgNorTonneKmPerShipmentIsJudgedForItsMixMovesWithEachSuppliersVolume() {
    // Heavier shipments at the usual count: a supplier's day is above its baseline; a route's is
    // not, for one supplier's surge of heavier shipments would look the same there. Its total kg still counts.
    int count = usualCount(DAY);
    Activity heavier = shipments(count, 1.2 * KG, 1.6 * TKM);
    EntityKey route = new EntityKey("route", "LON-EDI");
    assertThat(only(Evaluator.readings(SUPPLIER, MODEL, seen(DAY, heavier), Map.of(), SEASONAL), "24h",
      Measure.EMISSIONS).ratio()).isGreaterThanOrEqualTo(1);
    assertThat(only(Evaluator.readings(route, MODEL, seen(DAY, heavier), Map.of(), SEASONAL), "24h",
      Measure.EMISSIONS).ratio()).isLessThan(1);
    assertThat(only(Evaluator.readings(route, MODEL, seen(DAY, shipments(2 * count, 1.2 * KG, TKM)), Map.of(), SEASONAL),
      "24h", Measure.EMISSIONS).ratio()).isGreaterThanOrEqualTo(1);
  }

  @Test
  void aBurstOnOneLaneOfARouteIsReadThroughThatLaneInTheRoutesKg() {
    // A route two suppliers serve: the office rhythm's 20 an hour, and a lane that ships 1 an hour.
    EntityModel route = EntityModel.learn(AT, SyntheticHistory.history(AT, 28,
      (type, hour) -> OFFICE.perHour(type, hour) + 1, 7), SEASONAL);
    SeasonalModel lane = EntityModel.learn(AT, SyntheticHistory.history(AT, 28, (type, hour) -> 1, 8), SEASONAL).seasonal();
    EntityKey key = new EntityKey("route", "DVR-LON");
    Activity others = shipments(20, KG, TKM);
    Activity burst = shipments(11, KG, TKM);
    Map<Duration, Evaluator.Observation> routeSeen = seen(HOUR, others.plus(burst));
    List<Evaluator.LaneView> lanes = List.of(new Evaluator.LaneView(new Lane("Meridian", "DVR-LON"), lane,
      seen(HOUR, burst)));

    // 31 shipments where 21 are usual: within the route's own normal.
    assertThat(only(Evaluator.readings(key, route, routeSeen, Map.of(), SEASONAL), "1h", Measure.EMISSIONS).ratio())
      .isLessThan(1);
    List<Reading> readings = Evaluator.readings(key, route, routeSeen, Map.of(), SEASONAL, lanes);
    assertThat(readings).hasSize(2);
    Reading through = readings.stream().filter(r -> r.through() != null).findFirst().orElseThrow();
    assertThat(through.laneSupplier()).isEqualTo("Meridian");
    assertThat(through.window()).isEqualTo("1h");
    // Shown in the route's kg: the route's hour, against the route with that lane at the upper edge
    // of its own count (k + 0.5)...
    assertThat(through.predicted()).isEqualTo(31 * KG);
    double edge = lane.countBand(lane.expected(AT.minus(HOUR), AT), 3.5 + Evaluator.LANE_EXTRA_K)[1];
    assertThat(edge).isBetween(4.0, 11.0);
    assertThat(through.baseline()).isCloseTo(20 * KG + edge * KG, within(1e-6));
    assertThat(through.ratio()).isGreaterThan(1).isLessThan(1.5);
    // ... and judged on the lane's own: 11 shipments against its edge, as a lane on its own would be.
    assertThat(through.scale().predicted()).isEqualTo(11 * KG);
    assertThat(through.scale().baseline()).isCloseTo(edge * KG, within(1e-6));
    assertThat(HotspotPolicy.level(through, 0, Thresholds.defaults())).isEqualTo(HotspotPolicy.level(
      new Reading("1h", Measure.EMISSIONS, 11 * KG, through.scale().expected(), edge * KG), 0, Thresholds.defaults()));

    // Not through lanes where the route is not judged against its normal: no model, or a target for the window.
    assertThat(Evaluator.readings(key, null, routeSeen, Map.of(), SEASONAL, lanes)).isEmpty();
    assertThat(Evaluator.readings(key, route, routeSeen, Map.of(HOUR, 10_000.0), SEASONAL, lanes))
      .allMatch(r -> r.through() == null);

    // The lane at its usual rate adds nothing above normal; a supplier's counts, or a day window, are never read
    // through lanes (a supplier's lanes show only its flights: aSupplierFlyingWhereItsLanesNeverFly...).
    List<Evaluator.LaneView> usual = List.of(new Evaluator.LaneView(new Lane("Meridian", "DVR-LON"), lane,
      seen(HOUR, shipments(2, KG, TKM))));
    assertThat(Evaluator.readings(key, route, seen(HOUR, others.plus(shipments(2, KG, TKM))), Map.of(), SEASONAL, usual))
      .allMatch(r -> r.scale().ratio() < 1);
    assertThat(Evaluator.readings(SUPPLIER, MODEL, routeSeen, Map.of(), SEASONAL, lanes))
      .isEqualTo(Evaluator.readings(SUPPLIER, MODEL, routeSeen, Map.of(), SEASONAL));
    Map<Duration, Evaluator.Observation> daySeen = seen(DAY, others.plus(burst));
    assertThat(Evaluator.readings(key, route, daySeen, Map.of(), SEASONAL, List.of(new Evaluator.LaneView(
      new Lane("Meridian", "DVR-LON"), lane, seen(DAY, burst))))).isEqualTo(
      Evaluator.readings(key, route, daySeen, Map.of(), SEASONAL));
  }

  @Test
  void aSupplierFlyingWhereItsLanesNeverFlyIsAnIntensityReadingThroughItsLanes() {
    // Vans on DVR-LON, one an hour, never flown; short-haul air on STN-CGN, one every two hours, always flown.
    SeasonalModel road = EntityModel.learn(AT, SyntheticHistory.history(AT, 28, (type, hour) -> 1, 8), SEASONAL).seasonal();
    Hours flights = SyntheticHistory.history(AT, 28, (type, hour) -> 0.5, 9);
    System.arraycopy(flights.events, 0, flights.air, 0, flights.length());
    SeasonalModel air = EntityModel.learn(AT, flights, SEASONAL).seasonal();
    assertThat(road.flights().share()).isLessThan(0.002);
    assertThat(air.flights().share()).isGreaterThan(0.998);
    Lane vans = new Lane("Meridian", "DVR-LON");
    Lane flown = new Lane("Meridian", "STN-CGN");
    double kgPerTkm = 0.63;

    // A usual day: 24 vans and 12 flights; then three, then one, of the vans flown instead.
    for (int moved : new int[] {0, 3, 1}) {
      Activity byRoad = shipments(24 - moved, kgPerTkm * TKM, TKM).plus(flown(shipments(moved, 0.76 * TKM, TKM)));
      Activity byAir = flown(shipments(12, 0.76 * TKM, TKM));
      List<Evaluator.LaneView> lanes = List.of(new Evaluator.LaneView(vans, road, seen(DAY, byRoad)),
        new Evaluator.LaneView(flown, air, seen(DAY, byAir)));
      Evaluator.Observation supplier = seen(DAY, byRoad.plus(byAir)).get(DAY);
      Reading reading = Evaluator.airShare(supplier, lanes, DAY, 4, 20);
      if (moved == 0) {
        assertThat(reading == null || reading.ratio() < 0.1).as("12 flights where 12 are usual: %s", reading).isTrue();
        continue;
      }
      assertThat(reading.measure()).isEqualTo(Measure.INTENSITY);
      assertThat(reading.window()).isEqualTo("24h");
      // Shown in the supplier's kg per tonne-km, judged on its surprise flights: the moved ones (and the
      // Poisson's small mean) against an edge between two and three flights.
      double intensity = supplier.activity().co2() / supplier.activity().tkm();
      assertThat(reading.predicted()).isCloseTo(intensity, within(1e-9));
      assertThat(moved / reading.ratio()).isBetween(2.0, 3.0);
      assertThat(reading.expected()).as("no band around an expectation").isNaN();
      if (moved == 3) {
        assertThat(reading.ratio()).as("three vans flown").isGreaterThanOrEqualTo(1).isLessThan(1.5);
        // Through the entity's readings, a supplier gets it beside its own.
        assertThat(Evaluator.readings(SUPPLIER, MODEL, Map.of(DAY, supplier), Map.of(), SEASONAL, lanes)).contains(reading);
        // Not below the intensity test's minimum of shipments.
        assertThat(Evaluator.airShare(supplier, lanes, DAY, 4, 40)).isNull();
      } else {
        assertThat(reading.ratio()).as("one van flown").isLessThan(0.8);
      }
    }

    // Judged on the surprise flights, not on the kg per tonne-km it shows.
    Activity threeFlown = shipments(21, kgPerTkm * TKM, TKM).plus(flown(shipments(3, 0.76 * TKM, TKM)));
    List<Evaluator.LaneView> shifted = List.of(new Evaluator.LaneView(vans, road, seen(DAY, threeFlown)),
      new Evaluator.LaneView(flown, air, seen(DAY, flown(shipments(12, 0.76 * TKM, TKM)))));
    Reading three = Evaluator.airShare(seen(DAY, threeFlown.plus(flown(shipments(12, 0.76 * TKM, TKM)))).get(DAY), shifted,
      DAY, 4, 20);
    assertThat(three.through()).isNotNull();
    assertThat(three.laneSupplier()).as("no lane to name").isNull();
    assertThat(three.scale().ratio()).isCloseTo(three.ratio(), within(1e-9));
    assertThat(three.scale().expected()).as("the band of surprise flights starts at the Poisson's mean").isPositive()
      .isLessThan(0.1);

    // Twice the usual flights where flying is usual is more volume (the count tests' business), not another mix.
    Activity byAir = flown(shipments(24, 0.76 * TKM, TKM));
    List<Evaluator.LaneView> busier = List.of(new Evaluator.LaneView(vans, road, seen(DAY, shipments(24, 0.63 * TKM, TKM))),
      new Evaluator.LaneView(flown, air, seen(DAY, byAir)));
    Reading moreFlights = Evaluator.airShare(seen(DAY, shipments(24, 0.63 * TKM, TKM).plus(byAir)).get(DAY), busier, DAY,
      4, 20);
    assertThat(moreFlights == null || moreFlights.ratio() < 0.1).as("%s", moreFlights).isTrue();
  }

  @Test
  void moreTonneKmWithoutMoreKgPerShipmentIsNotAnEmissionsProblem() {
    // Twice the tonne-km per shipment on a cleaner mode: each shipment emits less than usual.
    int count = usualCount(DAY);
    Reading reading = only(readings(seen(DAY, shipments(count, 0.9 * KG, 2 * TKM))), "24h", Measure.EMISSIONS);
    assertThat(reading.ratio()).isLessThan(1);
  }

  @Test
  void anHourWindowJudgesTheCountOnlySoHeavierShipmentsAtTheUsualCountAreNormalThere() {
    // About the usual count, and enough shipments that the per-shipment test would see them, were it run.
    int count = Math.max(usualCount(HOUR), SEASONAL.intensityMinEvents());
    assertThat(count).isLessThanOrEqualTo(22);
    Reading heavier = only(readings(seen(HOUR, shipments(count, 1.6 * KG, TKM))), "1h", Measure.EMISSIONS);
    assertThat(heavier.ratio()).isLessThan(0.8);
  }

  @Test
  void aMoveToADirtierModeAtTheSameCountAndTonneKmIsAboveTheUsualIntensity() {
    int count = usualCount(DAY);
    Reading dirtier = only(readings(seen(DAY, shipments(count, 3 * KG, TKM))), "24h", Measure.INTENSITY);
    assertThat(dirtier.ratio()).isGreaterThanOrEqualTo(1);
    assertThat(dirtier.predicted()).isCloseTo(0.3, within(1e-9));
    assertThat(dirtier.expected()).isCloseTo(KG / TKM, withinPercentage(5));
    Reading usual = only(readings(seen(DAY, shipments(count, KG, TKM))), "24h", Measure.INTENSITY);
    assertThat(usual.ratio()).isLessThan(1);
  }

  @Test
  void withFewerThanIntensityMinEventsShipmentsThereIsNoIntensityReading() {
    int few = SEASONAL.intensityMinEvents() - 1;
    assertThat(readings(seen(DAY, shipments(few, 3 * KG, TKM)))).extracting(Reading::measure)
      .doesNotContain(Measure.INTENSITY);
    assertThat(readings(seen(DAY, shipments(few + 1, 3 * KG, TKM)))).extracting(Reading::measure)
      .contains(Measure.INTENSITY);
  }

  @Test
  void anOperatorsTargetReplacesThatWindowsBaselineAndOnlyThat() {
    Map<Duration, Evaluator.Observation> observations = new HashMap<>(seen(DAY, shipments(usualCount(DAY), KG, TKM)));
    observations.putAll(seen(HOUR, shipments(60, KG, TKM)));
    List<Reading> readings = Evaluator.readings(SUPPLIER, MODEL, observations, Map.of(DAY, 5_000.0), SEASONAL);
    Reading day = only(readings, "24h", Measure.EMISSIONS);
    assertThat(day.baseline()).isEqualTo(5_000.0);
    assertThat(day.expected()).isNaN();
    assertThat(day.predicted()).isEqualTo(usualCount(DAY) * KG);
    Reading hour = only(readings, "1h", Measure.EMISSIONS);
    assertThat(hour.expected()).as("the hour keeps its model's band").isNotNaN();
    assertThat(hour.ratio()).isGreaterThanOrEqualTo(1);
  }

  @Test
  void aTargetForAWindowThatIsNotConfiguredIsJudgedOverThatWindow() {
    Duration twelveHours = Duration.ofHours(12);
    List<Reading> readings = Evaluator.readings(SUPPLIER, MODEL, seen(twelveHours, shipments(30, KG, TKM)),
      Map.of(twelveHours, 2_000.0), SEASONAL);
    assertThat(readings).containsExactly(new Reading("12h", Measure.EMISSIONS, 3_000, Double.NaN, 2_000));
  }

  @Test
  void anEntityWithoutAModelIsJudgedOnlyAgainstItsTargets() {
    Map<Duration, Evaluator.Observation> observations = new HashMap<>(seen(DAY, shipments(1_000, KG, TKM)));
    observations.putAll(seen(HOUR, shipments(1_000, KG, TKM)));
    assertThat(Evaluator.readings(SUPPLIER, null, observations, Map.of(), SEASONAL)).isEmpty();
    assertThat(Evaluator.readings(SUPPLIER, null, observations, Map.of(DAY, 50_000.0), SEASONAL))
      .containsExactly(new Reading("24h", Measure.EMISSIONS, 100_000, Double.NaN, 50_000));
  }

  @Test
  void theLegacyAlgorithmReadsItsOneWindowAgainstTheMedianPlusThreeMadsOfThePastDays() {
    DetectionSettings legacy = SyntheticHistory.settings(DetectionSettings.LEGACY);
    Instant midnight = Instant.parse("2026-12-01T00:00:00Z");
    // 30 days of varied daily totals; the last day is the window being judged, the 28 before it the history.
    int days = 30;
    Hours hours = new Hours(midnight.minus(Duration.ofDays(days)), days * 24);
    double[] dayTotals = new double[days];
    for (int d = 0; d < days; d++) {
      dayTotals[d] = 2_400 + 100 * ((d * 37) % 11);
      for (int h = 0; h < 24; h++) {
        hours.add(d * 24 + h, SyntheticHistory.shipment(dayTotals[d] / 24, TKM));
      }
    }
    double[] past = Arrays.copyOfRange(dayTotals, days - 29, days - 1);
    double median = median(past);
    double mad = median(Arrays.stream(past).map(v -> Math.abs(v - median)).toArray());
    double expectedBaseline = median + 3 * 1.4826 * mad;
    assertThat(mad).as("the history varies").isPositive();

    EntityModel model = EntityModel.learn(midnight, hours, legacy);
    Map<Duration, Evaluator.Observation> observations = Map.of(
      DAY, new Evaluator.Observation(DAY, midnight.minus(DAY), midnight, shipments(10, 700, TKM)),
      HOUR, new Evaluator.Observation(HOUR, midnight.minus(HOUR), midnight, shipments(10, 700, TKM)));
    List<Reading> readings = Evaluator.readings(SUPPLIER, model, observations, Map.of(), legacy);
    assertThat(readings).hasSize(1);
    Reading r = readings.get(0);
    assertThat(r.window()).isEqualTo("24h");
    assertThat(r.measure()).isEqualTo(Measure.EMISSIONS);
    assertThat(r.predicted()).isEqualTo(7_000);
    assertThat(r.expected()).isNaN();
    assertThat(r.baseline()).isCloseTo(expectedBaseline, within(1e-6));
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    int m = v.length / 2;
    return v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
  }
}
