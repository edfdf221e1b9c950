package io.carbonnexus.engine.hotspot;

import io.carbonnexus.engine.shared.Severity;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.carbonnexus.engine.hotspot.SyntheticHistory.BUILT;
import static io.carbonnexus.engine.hotspot.SyntheticHistory.history;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.withinPercentage;

/** What a model learns from a history whose rhythm the test knows, and the upper edges it draws from it. */
class SeasonalModelTest {

  private static final Duration HOUR_DAY = Duration.ofHours(24);

  private static final SeasonalModel.Settings SETTINGS = SeasonalModel.Settings.defaults(); // 28 d, 7, 21, gap 24 h
  private static final int WEEKS = 28;

  /** Weekdays 20 shipments an hour from 08:00 to 18:00, weekends 5; nights 0.05 an hour. */
  private static final SyntheticHistory.Rhythm OFFICE = (type, hour) ->
    hour >= 8 && hour < 18 ? (type == SeasonalModel.WEEKDAY ? 20 : 5) : 0.05;
  /** Every day: 60 an hour from 06:00 until 22:00, 18 an hour from 22:00 to 06:00. */
  private static final SyntheticHistory.Rhythm SHIFT = (type, hour) -> hour >= 6 && hour < 22 ? 60 : 18;
  /** Shipments on weekdays only, 10 an hour around the clock. */
  private static final SyntheticHistory.Rhythm WEEKDAYS_ONLY = (type, hour) -> type == SeasonalModel.WEEKDAY ? 10 : 0;

  private static SeasonalModel learn(int days, SyntheticHistory.Rhythm rhythm) {
    return SeasonalModel.learn(BUILT, history(BUILT, days, rhythm, 42), SETTINGS);
  }

  private static SeasonalModel.Expected expected(SeasonalModel model, String from, Duration length) {
    Instant start = Instant.parse(from);
    return model.expected(start, start.plus(length));
  }

  private static double hourCount(SeasonalModel model, String from) {
    return expected(model, from, SyntheticHistory.HOUR).events();
  }

  @Test
  void withShipmentsOnFewerThanMinDaysThereIsNoModelHoweverLongTheHistory() {
    // Nine calendar days before the gap (Fri 20 to Sat 28 November), six of them weekdays.
    assertThat(SeasonalModel.learn(BUILT, history(BUILT, 9, WEEKDAYS_ONLY, 1), SETTINGS)).isNull();
    // One more day back is a Thursday: the seventh active day.
    assertThat(SeasonalModel.learn(BUILT, history(BUILT, 10, WEEKDAYS_ONLY, 1), SETTINGS)).isNotNull();
  }

  @Test
  void betweenMinDaysAndSeasonalDaysTheModelIsPooledWithOneProfileForEveryDayType() {
    for (int days : new int[] {7, 20}) {
      SeasonalModel model = learn(days, OFFICE);
      assertThat(model.seasonal()).as("%d days", days).isFalse();
      assertThat(model.describe()).isEqualTo("pooled");
      assertThat(model.events()[SeasonalModel.SUNDAY]).as("%d days", days)
        .containsExactly(model.events()[SeasonalModel.WEEKDAY]);
      assertThat(hourCount(model, "2026-12-06T10:00:00Z")).as("a Sunday is expected as any day, %d days", days)
        .isEqualTo(hourCount(model, "2026-12-01T10:00:00Z"));
    }
  }

  @Test
  void fromSeasonalDaysOfHistoryOnTheModelIsSeasonal() {
    SeasonalModel model = learn(21, OFFICE);
    assertThat(model.seasonal()).isTrue();
    assertThat(model.describe()).isEqualTo("seasonal");
    assertThat(model.events()[SeasonalModel.SUNDAY][10]).isLessThan(model.events()[SeasonalModel.WEEKDAY][10] / 2);
  }

  @Test
  void theWeekdayAndWeekendRhythmIsLearnt() {
    SeasonalModel model = learn(WEEKS, OFFICE);
    assertThat(hourCount(model, "2026-12-01T10:00:00Z")).as("a Tuesday at 10").isCloseTo(20, withinPercentage(10));
    assertThat(hourCount(model, "2026-12-05T10:00:00Z")).as("a Saturday at 10").isCloseTo(5, withinPercentage(30));
    assertThat(hourCount(model, "2026-12-06T10:00:00Z")).as("a Sunday at 10").isCloseTo(5, withinPercentage(30));
    assertThat(hourCount(model, "2026-12-01T03:00:00Z")).as("a Tuesday at 3").isLessThan(0.2);
  }

  @Test
  void aWeekdayBusierEveryWeekIsExpectedBusierThanTheOtherWeekdays() {
    // 10 shipments an hour on every weekday, and 4 more on every Monday: +40 % on Mondays.
    Hours hours = history(BUILT, WEEKS, WEEKDAYS_ONLY, 42);
    Random random = new Random(7);
    for (Instant at = BUILT.minus(Duration.ofDays(WEEKS + 1)); at.isBefore(BUILT); at = at.plus(SyntheticHistory.HOUR)) {
      if (SeasonalModel.dayOfWeek(Math.floorDiv(at.getEpochSecond(), 86_400)) == 0) {
        SyntheticHistory.addShipments(hours, at, 4, random);
      }
    }
    SeasonalModel model = SeasonalModel.learn(BUILT, hours, SETTINGS);
    // Pooled over the weekdays, a day would be expected at 24 × 10.8 = 259 shipments.
    assertThat(expected(model, "2026-11-30T00:00:00Z", SyntheticHistory.DAY).events()).as("a Monday")
      .isCloseTo(336, withinPercentage(5));
    assertThat(expected(model, "2026-12-02T00:00:00Z", SyntheticHistory.DAY).events()).as("a Wednesday")
      .isCloseTo(240, withinPercentage(5));
    // Mondays are no longer day-to-day noise: the count spread is what arrivals explain, not ±15 %.
    assertThat(model.countDispersion()).isLessThan(0.07);
  }

  @Test
  void identicalWeekdaysGiveAFlatWeekNotNaN() {
    // One shipment at 10:00 on every weekday and nothing else: every kept day is the same.
    int length = (WEEKS + 1) * 24;
    Instant start = BUILT.minus(Duration.ofHours(length));
    Hours hours = new Hours(start, length);
    for (int i = 0; i < length; i++) {
      Instant at = start.plus(Duration.ofHours(i));
      if (SeasonalModel.dayType(at) == SeasonalModel.WEEKDAY && Math.floorMod(at.getEpochSecond() / 3600, 24) == 10) {
        hours.add(i, SyntheticHistory.shipment(100, 1000));
      }
    }
    SeasonalModel model = SeasonalModel.learn(BUILT, hours, SETTINGS);
    assertThat(model.weekdayLevels()).containsExactly(1, 1, 1, 1, 1);
    // One shipment, and the floor every hour never seen busy gets (half a shipment over its samples).
    assertThat(expected(model, "2026-12-01T00:00:00Z", SyntheticHistory.DAY).events()).isBetween(1.0, 1.3);
  }

  @Test
  void weekdaysAlikeExceptForNoiseKeepAlmostTheSameLevel() {
    SeasonalModel model = learn(WEEKS, OFFICE);
    for (double level : model.weekdayLevels()) {
      assertThat(level).isCloseTo(1, within(0.03));
    }
    assertThat(learn(20, OFFICE).weekdayLevels()).as("a pooled model has none").containsExactly(SeasonalModel.FLAT_WEEK);
  }

  @Test
  void theLastHourBeforeAStepInTheRhythmKeepsItsOwnMean() {
    // Smoothing 21:00 with its neighbours (weights 1, 2, 1) would expect (60 + 120 + 18) / 4 = 49.5.
    SeasonalModel model = learn(WEEKS, SHIFT);
    assertThat(hourCount(model, "2026-12-01T21:00:00Z")).as("21:00, before the step").isCloseTo(60, withinPercentage(8));
    assertThat(hourCount(model, "2026-12-01T22:00:00Z")).as("22:00, after it").isCloseTo(18, withinPercentage(15));
  }

  @Test
  void aSurgeInTheHistoryHardlyMovesTheExpectationOfItsHours() {
    Hours plain = history(BUILT, WEEKS, OFFICE, 42);
    Hours surged = history(BUILT, WEEKS, OFFICE, 42);
    Random random = new Random(9);
    // Tuesday 17 November, 10:00-12:00: six times the usual 20 an hour.
    for (String hour : new String[] {"2026-11-17T10:00:00Z", "2026-11-17T11:00:00Z"}) {
      SyntheticHistory.addShipments(surged, Instant.parse(hour), 5 * 20, random);
    }
    SeasonalModel before = SeasonalModel.learn(BUILT, plain, SETTINGS);
    SeasonalModel after = SeasonalModel.learn(BUILT, surged, SETTINGS);
    // A plain mean over the 20 weekdays would move by 100 / 20 = 5 shipments, a quarter.
    for (String hour : new String[] {"2026-12-01T10:00:00Z", "2026-12-01T11:00:00Z"}) {
      assertThat(hourCount(after, hour)).as(hour).isCloseTo(hourCount(before, hour), withinPercentage(6));
    }
  }

  @Test
  void whatHappensInTheGapBeforeTheModelsHourIsNotLearnt() {
    Hours hours = history(BUILT, WEEKS, OFFICE, 42);
    SeasonalModel before = SeasonalModel.learn(BUILT, hours, SETTINGS);
    Random random = new Random(9);
    // The first and the last hour of the 24 h gap.
    SyntheticHistory.addShipments(hours, BUILT.minus(Duration.ofHours(24)), 500, random);
    SyntheticHistory.addShipments(hours, BUILT.minus(Duration.ofHours(1)), 500, random);
    assertThat(SeasonalModel.learn(BUILT, hours, SETTINGS)).usingRecursiveComparison().isEqualTo(before);
    // The hour before the gap is learnt: the comparison above can tell models apart.
    SyntheticHistory.addShipments(hours, BUILT.minus(Duration.ofHours(25)), 500, random);
    assertThat(SeasonalModel.learn(BUILT, hours, SETTINGS)).usingRecursiveComparison().isNotEqualTo(before);
  }

  @Test
  void aNightHourExpectingAlmostNothingNeedsSeveralShipmentsToBeAboveNormal() {
    SeasonalModel model = learn(WEEKS, OFFICE);
    SeasonalModel.Expected night = expected(model, "2026-12-01T03:00:00Z", SyntheticHistory.HOUR);
    // At the rhythm's own 0.05 an hour (four weeks of such nights estimate anything from 0.01 to 0.14, so it is
    // set here); the day-level dispersion and the 20 weekdays it is known from are the model's.
    SeasonalModel.Expected x = new SeasonalModel.Expected(night.co2(), 0.05, night.tkm(), night.co2DaySquares(),
      0.05 * 0.05, night.estimationWeight(), night.co2HourSquares(), 0.05 * 0.05);
    double edge = model.countBand(x, 3.5)[1];
    // The normal approximation, λ + 3.5 √λ = 0.83, would let one shipment alarm.
    assertThat(edge).as("two shipments are still normal").isGreaterThan(2);
    assertThat(edge).isLessThan(4);
    // A rhythm learnt from a handful of night shipments is itself uncertain: wider than whole days' spread alone.
    double c = model.countDispersion();
    assertThat(edge).isGreaterThan(PoissonTail.edge(0.05, c * c, 3.5) + 0.05);
  }

  @Test
  void aNightHourNeverSeenBusyIsNotCertainlyEmptyAndOneShipmentThereIsNormal() {
    SeasonalModel model = learn(WEEKS, (type, hour) -> hour >= 8 && hour < 18 ? 20 : 0);
    double[] band = model.countBand(expected(model, "2026-12-01T03:00:00Z", SyntheticHistory.HOUR), 3.5);
    assertThat(band[0]).isGreaterThan(0).isLessThan(0.02);
    assertThat(band[1]).isGreaterThan(1);
  }

  @Test
  void aBusyWindowsCountEdgeLiesTheNegativeBinomialSpreadsAboveItsExpectation() {
    SeasonalModel model = learn(WEEKS, OFFICE);
    SeasonalModel.Expected x = expected(model, "2026-12-01T00:00:00Z", SyntheticHistory.DAY);
    double lambda = x.events();
    assertThat(lambda).isCloseTo(200, withinPercentage(10));
    // Variance λ + d λ²: d from whole days (the window lies in one day), from single hours and from
    // estimating the rhythm.
    double d = model.countDispersion() * model.countDispersion() + x.estimationWeight() / lambda
      + model.hourDispersion() * model.hourDispersion() * x.eventsHourSquares() / (lambda * lambda);
    double previous = lambda;
    for (double k : new double[] {1, 2, 3, 4}) {
      double edge = model.countBand(x, k)[1];
      assertThat(edge).as("k %s", k).isGreaterThan(previous);
      // A little beyond k spreads: the count's skew (the negative binomial's upper tail is longer).
      assertThat((edge - lambda) / (k * Math.sqrt(lambda + d * lambda * lambda))).as("k %s", k).isBetween(1.0, 1.12);
      previous = edge;
    }
  }

  @Test
  void hoursThatStrayBeyondArrivalNoiseAreLearntAsAnHourLevelDispersionAndRandomArrivalsAreNot() {
    for (long seed = 1; seed <= 3; seed++) {
      Hours random = SyntheticHistory.history(BUILT, WEEKS, SHIFT, seed, true, 0);
      assertThat(SeasonalModel.learn(BUILT, random, SETTINGS).hourDispersion()).as("seed %d", seed).isLessThan(0.05);
      Hours batched = SyntheticHistory.history(BUILT, WEEKS, SHIFT, seed, true, 0.2);
      assertThat(SeasonalModel.learn(BUILT, batched, SETTINGS).hourDispersion()).as("seed %d", seed)
        .isCloseTo(0.2, within(0.04));
    }
  }

  @Test
  void aFirstDayBegunPartWayDoesNotMakeAnEntitysHoursLookNoisy() {
    Hours hours = SyntheticHistory.history(BUILT, WEEKS, SHIFT, 5);
    // The same history, but the entity's first shipment came at 15:00 on its first day.
    Hours late = new Hours(hours.start(), hours.length());
    for (int i = 15; i < hours.length(); i++) {
      late.add(i, hours.at(i));
    }
    assertThat(SeasonalModel.learn(BUILT, hours, SETTINGS).hourDispersion()).isLessThan(0.005);
    // Its hours before 15:00 are left out as far out; what remains is the little those zeros moved the
    // rhythm of their hours (clipped, not removed). Counted as noisy hours, the day gave 0.06.
    assertThat(SeasonalModel.learn(BUILT, late, SETTINGS).hourDispersion()).isLessThan(0.03);
  }

  @Test
  void aSurgeInTheHistoryDoesNotMakeAnEntitysHoursLookNoisy() {
    Hours hours = SyntheticHistory.history(BUILT, WEEKS, SHIFT, 5);
    // Four extra hours' worth of shipments in each of two hours, ten days back.
    Instant surge = BUILT.minus(Duration.ofDays(10)).plus(Duration.ofHours(11));
    Random random = new Random(9);
    SyntheticHistory.addShipments(hours, surge, 240, random);
    SyntheticHistory.addShipments(hours, surge.plus(SyntheticHistory.HOUR), 240, random);
    // Its own hours are left out, of their day's count too; what remains is the little it moved the
    // rhythm of those hours (clipped, not removed): a dispersion of about 0.02 adds 2 % to a busy hour's variance.
    assertThat(SeasonalModel.learn(BUILT, hours, SETTINGS).hourDispersion()).isLessThan(0.03);
  }

  @Test
  void aBusyEntityWhoseHoursStrayFarIsNotScreenedOutAsFarOut() {
    // 300 an hour by day, ±50 % an hour: most of its hours are beyond four spreads of arrival noise alone, yet
    // they are its normal (the lognormal's long tail, partly left out as far out, brings it nearer 0.45).
    SyntheticHistory.Rhythm busy = (type, hour) -> hour >= 6 && hour < 22 ? 300 : 90;
    Hours batched = SyntheticHistory.history(BUILT, WEEKS, busy, 21, true, 0.5);
    assertThat(SeasonalModel.learn(BUILT, batched, SETTINGS).hourDispersion()).isCloseTo(0.5, within(0.1));
  }

  @Test
  void withBatchedHoursTheHourWindowsEdgeKeepsItsFalseAlarmRateWhereArrivalNoiseAloneWouldNot() {
    Hours batched = SyntheticHistory.history(BUILT, WEEKS, SHIFT, 11, true, 0.2);
    SeasonalModel model = SeasonalModel.learn(BUILT, batched, SETTINGS);
    SeasonalModel arrivalsOnly = new SeasonalModel(model.builtAt(), true, model.co2(), model.events(), model.tkm(),
      model.samples(), model.phi(), model.countDispersion(), model.co2Dispersion(), model.intensity(),
      model.shipmentVariance(), model.intensityDispersion(), model.co2PerShipment(), model.tkmPerShipment(),
      model.days(), model.weekdayLevels(), 0, model.flights());
    // A busy hour (60 expected) of the weeks to come, judged at k = 3 (a tail of 0.13 %), batched as the history was.
    SeasonalModel.Expected x = expected(model, "2026-12-01T10:00:00Z", SyntheticHistory.HOUR);
    double edge = model.countBand(x, 3)[1];
    double narrow = arrivalsOnly.countBand(x, 3)[1];
    Random random = new Random(17);
    int above = 0;
    int aboveNarrow = 0;
    int hours = 20_000;
    for (int i = 0; i < hours; i++) {
      int n = SyntheticHistory.poisson(random, 60 * SyntheticHistory.noise(random, 0.2));
      above += n > edge ? 1 : 0;
      aboveNarrow += n > narrow ? 1 : 0;
    }
    // Lognormal batches have a longer tail than the negative binomial's: a few times the nominal rate, not thirty.
    assertThat((double) above / hours).as("edge %.1f", edge).isLessThan(0.0075);
    assertThat((double) aboveNarrow / hours).as("edge %.1f without hour-level dispersion", narrow).isGreaterThan(0.03);
    assertThat(aboveNarrow).isGreaterThan(5 * above);
    // A day is 24 hours of independent batches: the day window widens far less than the hour.
    SeasonalModel.Expected day = expected(model, "2026-12-01T00:00:00Z", SyntheticHistory.DAY);
    double dayWidening = (model.countBand(day, 3)[1] - day.events()) / (arrivalsOnly.countBand(day, 3)[1] - day.events());
    assertThat(dayWidening).isLessThan((edge - x.events()) / (narrow - x.events()));
  }

  @Test
  void theCo2PerShipmentAndIntensityEdgesLieAboveTheirExpectationAndWidenWithK() {
    SeasonalModel model = learn(WEEKS, OFFICE);
    SeasonalModel.Expected x = expected(model, "2026-12-01T00:00:00Z", SyntheticHistory.DAY);
    double[][] bands = {
      model.co2Band(x, 2), model.co2Band(x, 4),
      model.perShipmentBand(200, 2), model.perShipmentBand(200, 4),
      model.intensityBand(200, 200_000, 2), model.intensityBand(200, 200_000, 4)};
    String[] names = {"co2", "per shipment", "intensity"};
    for (int i = 0; i < 3; i++) {
      double[] narrow = bands[2 * i];
      double[] wide = bands[2 * i + 1];
      assertThat(narrow[1]).as(names[i]).isGreaterThan(narrow[0]);
      assertThat(wide[0]).as(names[i]).isEqualTo(narrow[0]);
      assertThat(wide[1]).as(names[i]).isGreaterThan(narrow[1]);
    }
    // The expectations are the truth: 100 kg a shipment, 0.1 kg per tonne-km, ~200 shipments of them a weekday.
    assertThat(bands[2][0]).isCloseTo(200 * 100, withinPercentage(2));
    assertThat(bands[4][0]).isCloseTo(0.1, within(0.005));
    assertThat(bands[0][0]).isCloseTo(x.events() * 100, withinPercentage(2));
  }

  @Test
  void aFewFlownShipmentsInTheHistoryHardlyWidenTheIntensityAndPerShipmentEdges() {
    Hours plain = history(BUILT, WEEKS, OFFICE, 42);
    Hours flown = history(BUILT, WEEKS, OFFICE, 42);
    // Wednesday 11 November: 12 of the day's shipments flown, 100 times the usual kg for their tonne-km.
    for (int i = 0; i < 12; i++) {
      flown.add(Instant.parse("2026-11-11T10:00:00Z"), SyntheticHistory.shipment(10_000, 1_000));
    }
    SeasonalModel before = SeasonalModel.learn(BUILT, plain, SETTINGS);
    SeasonalModel after = SeasonalModel.learn(BUILT, flown, SETTINGS);
    // Over the whole history those 12 shipments would multiply one shipment's variance around the
    // usual intensity about fifty-fold, and the edges seven-fold: the median day's barely moves.
    double[] intensityBefore = before.intensityBand(200, 200_000, 4);
    double[] intensityAfter = after.intensityBand(200, 200_000, 4);
    assertThat(intensityAfter[1] - intensityAfter[0]).isLessThan(1.2 * (intensityBefore[1] - intensityBefore[0]));
    double[] perShipmentBefore = before.perShipmentBand(200, 3);
    double[] perShipmentAfter = after.perShipmentBand(200, 3);
    assertThat(perShipmentAfter[1] - perShipmentAfter[0])
      .isLessThan(1.2 * (perShipmentBefore[1] - perShipmentBefore[0]));
  }

  @Test
  void anEntityWithoutTonneKmHasNoIntensityBand() {
    SeasonalModel model = SeasonalModel.learn(BUILT, history(BUILT, WEEKS, OFFICE, 42, false), SETTINGS);
    assertThat(model).isNotNull();
    assertThat(model.intensity()).isZero();
    assertThat(model.intensityBand(200, 200_000, 4)).isNull();
  }

  @Test
  void aLanesShareOfAirFreightLeavesOutTheDaysAnAirShiftFlew() {
    double[] shipments = new double[28];
    double[] flown = new double[28];
    Arrays.fill(shipments, 30);
    // A lane that never flies, but for three days when some of its vans flew.
    flown[10] = 5;
    flown[11] = 4;
    flown[12] = 6;
    SeasonalModel.Flights roadLane = SeasonalModel.Flights.learn(shipments, flown);
    assertThat(roadLane.flown()).isZero();
    assertThat(roadLane.shipments()).isEqualTo(25 * 30);
    assertThat(roadLane.share()).isLessThan(0.001);
    // Counted whole, the shift would have made flying normal there: a share over 0.016.
    assertThat((15 + 0.5) / (28 * 30 + 1)).isGreaterThan(0.016);

    // A lane that flies a third of its shipments keeps its share: ordinary days are not left out.
    Random random = new Random(11);
    for (int d = 0; d < 28; d++) {
      flown[d] = 0;
      for (int i = 0; i < 30; i++) {
        flown[d] += random.nextDouble() < 1.0 / 3 ? 1 : 0;
      }
    }
    SeasonalModel.Flights mixed = SeasonalModel.Flights.learn(shipments, flown);
    assertThat(mixed.shipments()).isGreaterThanOrEqualTo(26 * 30);
    assertThat(mixed.share()).isCloseTo(1.0 / 3, within(0.04));

    assertThat(mixed.dispersion()).as("binomial days").isLessThan(1.6);

    // A lane that always flies.
    SeasonalModel.Flights air = SeasonalModel.Flights.learn(shipments, shipments.clone());
    assertThat(air.shipments()).isEqualTo(28 * 30);
    assertThat(air.share()).isGreaterThan(0.999);
  }

  @Test
  void aLaneThatHasFlownForMoreThanAFifthOfItsDaysFliesNow() {
    double[] shipments = new double[28];
    double[] flown = new double[28];
    Arrays.fill(shipments, 30);
    // Its vans flew a fifth of the time for the last five days: left out, a shift in the history.
    for (int d = 23; d < 28; d++) {
      flown[d] = 6;
    }
    assertThat(SeasonalModel.Flights.learn(shipments, flown).flown()).isZero();
    // For the last seven days (a quarter of them): the new normal, every day kept.
    flown[21] = 6;
    flown[22] = 6;
    SeasonalModel.Flights now = SeasonalModel.Flights.learn(shipments, flown);
    assertThat(now.shipments()).isEqualTo(28 * 30);
    assertThat(now.flown()).isEqualTo(7 * 6);
  }

  /** What a lane of 30 shipments a day learns in four weeks when all of them fly every {@code days}-th day, none otherwise. */
  private static SeasonalModel.Flights flyingEvery(int days) {
    double[] shipments = new double[28];
    double[] flown = new double[28];
    Arrays.fill(shipments, 30);
    for (int d = 0; d < 28; d += days) {
      flown[d] = 30;
    }
    return SeasonalModel.Flights.learn(shipments, flown);
  }

  @Test
  void aLaneThatFliesOneDayAWeekKeepsThoseDaysAndIsNotASurpriseOnTheNext() {
    // Every Monday its 30 shipments fly (a weekly air batch); other days none. Four days of 28 are
    // fewer than a fifth, but not one run: not a shift.
    SeasonalModel.Flights weekly = flyingEvery(7);
    assertThat(weekly.flown()).isEqualTo(4 * 30);
    assertThat(weekly.dispersion()).isGreaterThan(20);
    // Next Monday's batch stays below info on the supplier's air share.
    Lane lane = new Lane("S", "LHR-ORD");
    SeasonalModel.Flights usual = weekly;
    Evaluator.LaneView view = new Evaluator.LaneView(lane, null, usual, Map.of(HOUR_DAY,
      new Evaluator.Observation(HOUR_DAY, BUILT.minus(HOUR_DAY), BUILT, new Activity(30 * 700, 30, 30 * 1000, 0, 0, 0, 30))));
    Reading reading = Evaluator.airShare(view.observations().get(HOUR_DAY), List.of(view), HOUR_DAY, 4, 20);
    assertThat(reading).isNotNull();
    assertThat(HotspotPolicy.level(reading, 0, Thresholds.defaults())).isNull();
    // The same lane learnt without its dispersion would call it critical: the dispersion is what keeps it quiet.
    Evaluator.LaneView binomial = new Evaluator.LaneView(lane, null,
      new SeasonalModel.Flights(usual.shipments(), usual.flown(), 1), view.observations());
    assertThat(HotspotPolicy.level(Evaluator.airShare(view.observations().get(HOUR_DAY), List.of(binomial), HOUR_DAY, 4,
      20), 0, Thresholds.defaults())).isEqualTo(Severity.CRITICAL);
  }

  @Test
  void aLanesFlightsAloneAreWhatItsWholeModelWouldKnow() {
    Hours hours = history(BUILT, 28, (type, hour) -> 2, 21);
    for (int i = 0; i < hours.length(); i += 5) {
      hours.air[i] = Math.min(1, hours.events[i]);
    }
    SeasonalModel.Settings settings = SyntheticHistory.settings(DetectionSettings.SEASONAL).model();
    SeasonalModel whole = SeasonalModel.learn(BUILT, hours, settings);
    assertThat(whole.flights().flown()).isPositive();
    assertThat(SeasonalModel.flights(BUILT, hours, settings)).isEqualTo(whole.flights());
    // Where there is no model (too few days), no flights either.
    Hours young = history(BUILT, 3, (type, hour) -> 2, 22);
    assertThat(SeasonalModel.learn(BUILT, young, settings)).isNull();
    assertThat(SeasonalModel.flights(BUILT, young, settings)).isNull();
  }

  @Test
  void aLaneThatFliesOnSomeDaysAndNotOnOthersHasItsFlightsDispersion() {
    // Every third day all 30 fly, the other days none: a third of its shipments, far from binomial.
    SeasonalModel.Flights batches = flyingEvery(3);
    assertThat(batches.shipments()).isEqualTo(28 * 30);
    assertThat(batches.share()).isCloseTo(10.0 / 28, within(0.01));
    // χ² per day: about 30, the days' variance over a binomial's.
    assertThat(batches.dispersion()).isGreaterThan(20);
  }
}
