package io.carbonnexus.engine.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.carbonnexus.engine.demo.DemoEventGenerator.Settings;
import io.carbonnexus.engine.demo.DemoEventGenerator.Surge;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class DemoEventGeneratorTest {

  /** A Monday, so whole days from here line up with weekdays and weekends. */
  private static final Instant MONDAY = Instant.parse("2025-03-03T00:00:00Z");

  /** The vehicle types of the bundled factor table, src/main/resources/emission-factors.csv. */
  private static final Set<String> FACTOR_TABLE_TYPES = Set.of(
      "hgv_diesel", "hgv_articulated_diesel", "hgv_rigid_diesel", "van_diesel", "van_electric",
      "truck_electric", "rail", "ship", "air", "air_short_haul");
  private static final Set<String> NON_ROAD_TYPES = Set.of("rail", "ship", "air", "air_short_haul");

  private static final Settings DEFAULTS = Settings.defaults();
  private static final Settings NO_SURGES = withSurgesPerDay(DEFAULTS, 0);

  private static Settings withSeed(Settings s, long seed) {
    return new Settings(seed, s.eventsPerDay(), s.surgesPerDay(), s.surgeDuration(), s.surgeMultiplier());
  }

  private static Settings withSurgesPerDay(Settings s, double surgesPerDay) {
    return new Settings(s.seed(), s.eventsPerDay(), surgesPerDay, s.surgeDuration(), s.surgeMultiplier());
  }

  private static List<DemoEvent> week(Settings settings) {
    return new DemoEventGenerator(settings).generate(MONDAY, MONDAY.plus(Duration.ofDays(7)));
  }

  private static long count(List<DemoEvent> events, Instant from, Instant to, Predicate<DemoEvent> filter) {
    return events.stream()
        .filter(e -> !e.occurredAt().isBefore(from) && e.occurredAt().isBefore(to))
        .filter(filter)
        .count();
  }

  @Test
  void sameSeedAndRangeGiveIdenticalEvents() {
    Instant from = Instant.parse("2025-03-04T09:17:03Z");
    Instant to = from.plus(Duration.ofHours(30));

    List<DemoEvent> first = new DemoEventGenerator(DEFAULTS).generate(from, to);
    List<DemoEvent> second = new DemoEventGenerator(DEFAULTS).generate(from, to);

    assertThat(first).isNotEmpty().isEqualTo(second);
  }

  @Test
  void differentSeedsGiveDifferentEvents() {
    Instant to = MONDAY.plus(Duration.ofDays(1));

    List<DemoEvent> seed42 = new DemoEventGenerator(DEFAULTS).generate(MONDAY, to);
    List<DemoEvent> seed43 = new DemoEventGenerator(withSeed(DEFAULTS, 43)).generate(MONDAY, to);

    assertThat(seed42).isNotEqualTo(seed43);
    assertThat(seed42.get(0).occurredAt()).isNotEqualTo(seed43.get(0).occurredAt());
  }

  @Test
  void twoRangesSplitAtASlotBoundaryGiveTheEventsOfTheirUnion() {
    DemoEventGenerator generator = new DemoEventGenerator(DEFAULTS);
    Instant a = Instant.parse("2025-03-04T09:17:03Z");
    Instant b = Instant.parse("2025-03-05T14:00:00Z");
    Instant c = Instant.parse("2025-03-06T03:30:00Z");

    List<DemoEvent> pieces = new ArrayList<>(generator.generate(a, b));
    pieces.addAll(generator.generate(b, c));

    assertThat(generator.surgesBetween(a, c)).as("the range should contain surges").isNotEmpty();
    assertThat(pieces).isEqualTo(generator.generate(a, c));
  }

  @Test
  void twoRangesSplitInsideASlotAlsoGiveTheEventsOfTheirUnion() {
    // Slots are drawn whole and then cut, so even a split inside a slot redraws nothing.
    DemoEventGenerator generator = new DemoEventGenerator(DEFAULTS);
    Instant a = Instant.parse("2025-03-04T09:00:00Z");
    Instant b = Instant.parse("2025-03-04T13:41:27.123456789Z");
    Instant c = Instant.parse("2025-03-04T20:00:00Z");

    List<DemoEvent> pieces = new ArrayList<>(generator.generate(a, b));
    pieces.addAll(generator.generate(b, c));

    assertThat(pieces).isEqualTo(generator.generate(a, c));
  }

  @Test
  void eventsAreSortedByTimeAndInsideTheRequestedRange() {
    Instant from = Instant.parse("2025-03-04T09:17:03.5Z");
    Instant to = Instant.parse("2025-03-06T17:45:00Z");

    List<DemoEvent> events = new DemoEventGenerator(DEFAULTS).generate(from, to);

    assertThat(events).isNotEmpty();
    assertThat(events).extracting(DemoEvent::occurredAt).isSorted();
    assertThat(events).allSatisfy(e -> assertThat(e.occurredAt()).isAfterOrEqualTo(from).isBefore(to));
  }

  @Test
  void shipmentIdsAreUniqueAndLabelledAsDemo() {
    List<DemoEvent> events = week(DEFAULTS);

    assertThat(events).extracting(DemoEvent::shipmentId).allMatch(id -> id.startsWith("demo-"));
    assertThat(events.stream().map(DemoEvent::shipmentId).distinct().count()).isEqualTo(events.size());
  }

  @Test
  void anEmptyOrReversedRangeGivesNoEvents() {
    DemoEventGenerator generator = new DemoEventGenerator(DEFAULTS);

    assertThat(generator.generate(MONDAY, MONDAY)).isEmpty();
    assertThat(generator.generate(MONDAY.plusSeconds(3600), MONDAY)).isEmpty();
  }

  @Test
  void twoWeeksHoldTheCountImpliedByTheDocumentedDayNightAndWeekendFactors() {
    Instant from = Instant.parse("2025-03-05T10:00:00Z");
    Instant to = from.plus(Duration.ofDays(14));

    List<DemoEvent> events = new DemoEventGenerator(NO_SURGES).generate(from, to);

    // eventsPerDay is the mean over a week: the rate of a weekday daytime hour is
    // eventsPerDay * 7 / (sum of the activity factors of the 168 hours of a week).
    double weeklyActivity = 0;
    for (Instant h = MONDAY; h.isBefore(MONDAY.plus(Duration.ofDays(7))); h = h.plus(Duration.ofHours(1))) {
      weeklyActivity += activity(h);
    }
    double rangeActivity = 0;
    for (Instant h = from; h.isBefore(to); h = h.plus(Duration.ofHours(1))) {
      rangeActivity += activity(h);
    }
    double expected = NO_SURGES.eventsPerDay() * 7 / weeklyActivity * rangeActivity;
    assertThat((double) events.size()).isCloseTo(expected, within(0.10 * expected));
  }

  private static double activity(Instant hour) {
    ZonedDateTime t = hour.atZone(ZoneOffset.UTC);
    int h = t.getHour();
    boolean night = h >= DemoEventGenerator.NIGHT_START_HOUR || h < DemoEventGenerator.NIGHT_END_HOUR;
    boolean weekend = t.getDayOfWeek() == DayOfWeek.SATURDAY || t.getDayOfWeek() == DayOfWeek.SUNDAY;
    return (night ? DemoEventGenerator.NIGHT_FACTOR : 1.0) * (weekend ? DemoEventGenerator.WEEKEND_FACTOR : 1.0);
  }

  @Test
  void everyVehicleTypeOfTheFactorTableAppearsWithinAWeek() {
    List<DemoEvent> events = week(DEFAULTS);

    assertThat(new DemoEventGenerator(DEFAULTS).vehicleTypes()).containsExactlyInAnyOrderElementsOf(FACTOR_TABLE_TYPES);
    assertThat(events.stream().map(DemoEvent::vehicleType).collect(Collectors.toSet()))
        .containsExactlyInAnyOrderElementsOf(FACTOR_TABLE_TYPES);
  }

  @Test
  void payloadCapacityIsNullExactlyForRailShipAndAir() {
    List<DemoEvent> events = week(DEFAULTS);

    assertThat(events).allSatisfy(e -> assertThat(e.payloadCapacityTonnes() == null)
        .as("%s capacity %s", e.vehicleType(), e.payloadCapacityTonnes())
        .isEqualTo(NON_ROAD_TYPES.contains(e.vehicleType())));
  }

  @Test
  void loadsArePositiveAndNeverAboveTheVehicleCapacity() {
    List<DemoEvent> events = week(DEFAULTS);

    assertThat(events).allSatisfy(e -> assertThat(e.loadTonnes()).isPositive());
    assertThat(events).filteredOn(e -> e.payloadCapacityTonnes() != null)
        .isNotEmpty()
        .allSatisfy(e -> assertThat(e.loadTonnes()).isLessThanOrEqualTo(e.payloadCapacityTonnes()));
  }

  @Test
  void distancesArePositiveAndWithinTenPercentOfTheirRoutesMean() {
    List<DemoEvent> events = week(DEFAULTS);
    Map<String, Double> meanByRoute = events.stream()
        .collect(Collectors.groupingBy(DemoEvent::route, Collectors.averagingDouble(DemoEvent::distanceKm)));

    assertThat(events).allSatisfy(e -> {
      assertThat(e.distanceKm()).isPositive();
      assertThat(e.distanceKm()).isCloseTo(meanByRoute.get(e.route()), within(0.11 * meanByRoute.get(e.route())));
    });
  }

  @Test
  void eventsUseOnlyTheCastOfTwelveSuppliersAndTwelveRoutes() {
    DemoEventGenerator generator = new DemoEventGenerator(DEFAULTS);
    List<DemoEvent> events = week(DEFAULTS);

    assertThat(generator.suppliers()).hasSize(12).doesNotHaveDuplicates();
    assertThat(generator.routes()).hasSize(12).doesNotHaveDuplicates();
    assertThat(events.stream().map(DemoEvent::supplier).collect(Collectors.toSet()))
        .containsExactlyInAnyOrderElementsOf(generator.suppliers());
    assertThat(events.stream().map(DemoEvent::route).collect(Collectors.toSet()))
        .containsExactlyInAnyOrderElementsOf(generator.routes());
  }

  @Test
  void weekendDaysHaveClearlyFewerEventsThanWeekdays() {
    List<DemoEvent> events = new DemoEventGenerator(DEFAULTS).generate(MONDAY, MONDAY.plus(Duration.ofDays(14)));
    Map<LocalDate, Long> perDay = events.stream().collect(Collectors.groupingBy(
        e -> LocalDate.ofInstant(e.occurredAt(), ZoneOffset.UTC), TreeMap::new, Collectors.counting()));

    long quietestWeekday = perDay.entrySet().stream().filter(d -> !isWeekend(d.getKey()))
        .mapToLong(Map.Entry::getValue).min().orElseThrow();
    long busiestWeekendDay = perDay.entrySet().stream().filter(d -> isWeekend(d.getKey()))
        .mapToLong(Map.Entry::getValue).max().orElseThrow();

    assertThat(perDay).hasSize(14);
    assertThat((double) busiestWeekendDay).isLessThan(0.6 * quietestWeekday);
  }

  private static boolean isWeekend(LocalDate day) {
    return day.getDayOfWeek() == DayOfWeek.SATURDAY || day.getDayOfWeek() == DayOfWeek.SUNDAY;
  }

  @Test
  void aSurgeMultipliesItsSuppliersEventCountDuringTheSurge() {
    // Compared with the same seed without surges: the same hours, the same base rate.
    Instant to = MONDAY.plus(Duration.ofDays(14));
    DemoEventGenerator generator = new DemoEventGenerator(DEFAULTS);
    List<DemoEvent> withSurges = generator.generate(MONDAY, to);
    List<DemoEvent> without = new DemoEventGenerator(NO_SURGES).generate(MONDAY, to);
    List<Surge> wholeSupplierSurges = generator.surgesBetween(MONDAY, to).stream()
        .filter(s -> s.route() == null && !s.start().isBefore(MONDAY) && !s.end().isAfter(to))
        .toList();

    long surged = 0;
    long usual = 0;
    for (Surge s : wholeSupplierSurges) {
      surged += count(withSurges, s.start(), s.end(), e -> e.supplier().equals(s.supplier()));
      usual += count(without, s.start(), s.end(), e -> e.supplier().equals(s.supplier()));
    }

    assertThat(wholeSupplierSurges).hasSizeGreaterThanOrEqualTo(10);
    assertThat((double) surged / usual).isCloseTo(DEFAULTS.surgeMultiplier(), within(0.2 * DEFAULTS.surgeMultiplier()));
  }

  @Test
  void aRouteSurgeRaisesOnlyThatRouteOfItsSupplier() {
    Instant to = MONDAY.plus(Duration.ofDays(14));
    DemoEventGenerator generator = new DemoEventGenerator(DEFAULTS);
    List<DemoEvent> withSurges = generator.generate(MONDAY, to);
    List<DemoEvent> without = new DemoEventGenerator(NO_SURGES).generate(MONDAY, to);
    List<Surge> all = generator.surgesBetween(MONDAY, to);
    // A whole-supplier surge overlapping a route surge would raise the other routes too.
    List<Surge> routeSurges = all.stream()
        .filter(s -> s.route() != null && !s.start().isBefore(MONDAY) && !s.end().isAfter(to))
        .filter(s -> all.stream().noneMatch(o -> o != s && o.supplier().equals(s.supplier())
            && o.start().isBefore(s.end()) && o.end().isAfter(s.start())))
        .toList();

    long surgedRoute = 0;
    long usualRoute = 0;
    long surgedOthers = 0;
    long usualOthers = 0;
    for (Surge s : routeSurges) {
      Predicate<DemoEvent> supplier = e -> e.supplier().equals(s.supplier());
      Predicate<DemoEvent> route = e -> e.route().equals(s.route());
      surgedRoute += count(withSurges, s.start(), s.end(), supplier.and(route));
      usualRoute += count(without, s.start(), s.end(), supplier.and(route));
      surgedOthers += count(withSurges, s.start(), s.end(), supplier.and(route.negate()));
      usualOthers += count(without, s.start(), s.end(), supplier.and(route.negate()));
    }

    assertThat(routeSurges).hasSizeGreaterThanOrEqualTo(5);
    assertThat((double) surgedRoute / usualRoute).isGreaterThan(DEFAULTS.surgeMultiplier() / 2);
    assertThat((double) surgedOthers / usualOthers).isCloseTo(1.0, within(0.25));
  }

  @Test
  void aSurgeRaisesTheLoadFactorOfItsSuppliersRoadShipments() {
    Instant to = MONDAY.plus(Duration.ofDays(14));
    DemoEventGenerator generator = new DemoEventGenerator(DEFAULTS);
    List<DemoEvent> withSurges = generator.generate(MONDAY, to);
    List<DemoEvent> without = new DemoEventGenerator(NO_SURGES).generate(MONDAY, to);
    List<Surge> wholeSupplierSurges = generator.surgesBetween(MONDAY, to).stream()
        .filter(s -> s.route() == null).toList();

    double surged = meanRoadLoadFactor(withSurges, wholeSupplierSurges);
    double usual = meanRoadLoadFactor(without, wholeSupplierSurges);

    assertThat(surged).isGreaterThan(usual + 0.1);
  }

  private static double meanRoadLoadFactor(List<DemoEvent> events, List<Surge> surges) {
    return events.stream()
        .filter(e -> e.payloadCapacityTonnes() != null)
        .filter(e -> surges.stream().anyMatch(s -> s.supplier().equals(e.supplier())
            && !e.occurredAt().isBefore(s.start()) && e.occurredAt().isBefore(s.end())))
        .mapToDouble(e -> e.loadTonnes() / e.payloadCapacityTonnes())
        .average().orElseThrow();
  }

  @Test
  void surgesAreTheSameWhetherAskedForInOneRangeOrTwo() {
    DemoEventGenerator generator = new DemoEventGenerator(DEFAULTS);
    Instant a = MONDAY;
    Instant b = MONDAY.plus(Duration.ofHours(61));
    Instant c = MONDAY.plus(Duration.ofDays(7));

    Set<Surge> pieces = new HashSet<>(generator.surgesBetween(a, b));
    pieces.addAll(generator.surgesBetween(b, c));

    assertThat(pieces).containsExactlyInAnyOrderElementsOf(generator.surgesBetween(a, c));
  }

  @Test
  void surgesComeAtTheConfiguredRateWithTheConfiguredDurationAndMultiplier() {
    Instant to = MONDAY.plus(Duration.ofDays(28));

    List<Surge> surges = new DemoEventGenerator(DEFAULTS).surgesBetween(MONDAY, to);

    double expected = DEFAULTS.surgesPerDay() * 28;
    assertThat((double) surges.size()).isCloseTo(expected, within(0.35 * expected));
    assertThat(surges).allSatisfy(s -> {
      assertThat(Duration.between(s.start(), s.end())).isEqualTo(DEFAULTS.surgeDuration());
      assertThat(s.rateMultiplier()).isEqualTo(DEFAULTS.surgeMultiplier());
      assertThat(s.start()).isBefore(to);
      assertThat(s.end()).isAfter(MONDAY);
    });
    assertThat(surges).extracting(Surge::start).isSorted();
  }

  @Test
  void noSurgesAreGeneratedWhenTheSurgeRateIsZero() {
    assertThat(new DemoEventGenerator(NO_SURGES).surgesBetween(MONDAY, MONDAY.plus(Duration.ofDays(28)))).isEmpty();
  }

  @Test
  void twentyEightDaysAtTheDefaultRateGenerateInUnderTwoSeconds() {
    DemoEventGenerator generator = new DemoEventGenerator(DEFAULTS);

    long started = System.nanoTime();
    List<DemoEvent> events = generator.generate(MONDAY, MONDAY.plus(Duration.ofDays(28)));
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    assertThat(events.size()).isGreaterThan(250_000);
    assertThat(took).isLessThan(Duration.ofSeconds(2));
  }

  @Test
  void defaultSettingsAreSeed42TenThousandEventsThreeSurgesOfTwoHoursTimesSix() {
    assertThat(DEFAULTS).isEqualTo(new Settings(42, 10_000, 3, Duration.ofHours(2), 6.0));
  }

  @Test
  void negativeEventsPerDayIsRejectedNamingTheField() {
    assertThatThrownBy(() -> new Settings(1, -1, 3, Duration.ofHours(2), 6))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("eventsPerDay");
  }

  @Test
  void negativeSurgesPerDayIsRejectedNamingTheField() {
    assertThatThrownBy(() -> new Settings(1, 10_000, -0.5, Duration.ofHours(2), 6))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("surgesPerDay");
  }

  @Test
  void zeroSurgeDurationIsRejectedNamingTheField() {
    assertThatThrownBy(() -> new Settings(1, 10_000, 3, Duration.ZERO, 6))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("surgeDuration");
  }

  @Test
  void surgeMultiplierBelowOneIsRejectedNamingTheField() {
    assertThatThrownBy(() -> new Settings(1, 10_000, 3, Duration.ofHours(2), 0.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("surgeMultiplier");
  }

  @Test
  void eventTimesHaveMicrosecondResolutionSoTheyReadBackEqualFromPostgres() {
    List<DemoEvent> events = new DemoEventGenerator(DEFAULTS).generate(MONDAY, MONDAY.plus(Duration.ofDays(1)));

    assertThat(events).allSatisfy(e ->
        assertThat(e.occurredAt()).isEqualTo(e.occurredAt().truncatedTo(ChronoUnit.MICROS)));
  }
}
