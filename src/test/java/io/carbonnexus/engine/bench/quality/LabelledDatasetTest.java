package io.carbonnexus.engine.bench.quality;

import io.carbonnexus.engine.bench.quality.LabelledDataset.Event;
import io.carbonnexus.engine.bench.quality.LabelledDataset.Settings;
import io.carbonnexus.engine.prediction.EmissionFactorTable;
import org.junit.jupiter.api.Test;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class LabelledDatasetTest {

  private static final Instant END = Instant.parse("2026-03-16T09:00:00Z");
  private static final LabelledDataset DATA = LabelledDataset.generate(Settings.defaults(7, END));

  private static long count(Instant from, Instant to, String supplier) {
    return DATA.events().stream().filter(e -> e.supplier().equals(supplier)
      && !e.occurredAt().isBefore(from) && e.occurredAt().isBefore(to)).count();
  }

  @Test
  void theSameSettingsGiveTheSameEventsAndLabels() {
    LabelledDataset again = LabelledDataset.generate(Settings.defaults(7, END));

    assertThat(again.events()).isEqualTo(DATA.events());
    assertThat(again.labels()).isEqualTo(DATA.labels());
    assertThat(LabelledDataset.generate(Settings.defaults(8, END)).events()).isNotEqualTo(DATA.events());
  }

  @Test
  void aGrowingWorldShipsMoreInItsLastTwoWeeksThanInItsFirstTwoByItsWeeklyGrowth() {
    LabelledDataset growing = LabelledDataset.generate(Settings.defaults(7, END).withWeeklyGrowth(0.05));
    Instant start = END.minus(Duration.ofDays(42));

    double steady = (double) between(DATA, END.minus(Duration.ofDays(14)), END) / between(DATA, start, start.plus(Duration.ofDays(14)));
    double grown = (double) between(growing, END.minus(Duration.ofDays(14)), END)
      / between(growing, start, start.plus(Duration.ofDays(14)));

    // Four weeks apart at +5 % a week: 1.05^4 = 1.22.
    assertThat(steady).isBetween(0.9, 1.1);
    assertThat(grown).isBetween(1.12, 1.32);
  }

  @Test
  void withHourNoiseNeighbouringHoursOfADayDifferFarMoreThanArrivalNoiseExplains() {
    LabelledDataset batched = LabelledDataset.generate(Settings.defaults(7, END).withHourNoise(0.3));

    // Albion Bulk Haulage ships about 45 an hour from 09:00 to 15:00 on weekdays: two neighbouring
    // hours of one day share its level, so (a − b)² / (a + b) averages 1 under arrival noise alone,
    // and 1 + 0.3² × 45 ≈ 5 when each hour has its own ±30 %.
    assertThat(neighbourDisagreement(DATA, "Albion Bulk Haulage")).isBetween(0.6, 1.5);
    assertThat(neighbourDisagreement(batched, "Albion Bulk Haulage")).isGreaterThan(2.5);
  }

  private static double neighbourDisagreement(LabelledDataset data, String supplier) {
    Map<Long, Long> perHour = data.events().stream().filter(e -> e.supplier().equals(supplier))
      .collect(Collectors.groupingBy(e -> e.occurredAt().getEpochSecond() / 3600, Collectors.counting()));
    double sum = 0;
    int pairs = 0;
    for (long hour : perHour.keySet()) {
      Instant at = Instant.ofEpochSecond(hour * 3600);
      int hourOfDay = at.atZone(ZoneOffset.UTC).getHour();
      DayOfWeek day = at.atZone(ZoneOffset.UTC).getDayOfWeek();
      if (hourOfDay >= 9 && hourOfDay < 14 && day.getValue() <= 5 && perHour.containsKey(hour + 1)) {
        double a = perHour.get(hour);
        double b = perHour.get(hour + 1);
        sum += (a - b) * (a - b) / (a + b);
        pairs++;
      }
    }
    assertThat(pairs).isGreaterThan(100);
    return sum / pairs;
  }

  private static long between(LabelledDataset data, Instant from, Instant to) {
    return data.events().stream().filter(e -> !e.occurredAt().isBefore(from) && e.occurredAt().isBefore(to)).count();
  }

  @Test
  void sixWeeksAreGeneratedInUnderTwoSeconds() {
    long t0 = System.nanoTime();
    LabelledDataset.generate(Settings.defaults(11, END));

    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
  }

  @Test
  void everyEventLiesInTheRangeAndEveryVehicleTypeIsInTheFactorTable() {
    EmissionFactorTable table = EmissionFactorTable.builtin();

    assertThat(DATA.events()).allSatisfy(e -> {
      assertThat(e.occurredAt()).isBetween(END.minus(Duration.ofDays(42)), END.minusMillis(1));
      assertThat(table.find(e.vehicleType())).as(e.vehicleType()).isPresent();
      assertThat(e.distanceKm()).isPositive();
      assertThat(e.loadTonnes()).isPositive();
    });
  }

  @Test
  void noRoadLoadExceedsItsPayloadCapacity() {
    assertThat(DATA.events()).filteredOn(e -> e.payloadCapacityTonnes() != null)
      .allSatisfy(e -> assertThat(e.loadTonnes()).isLessThanOrEqualTo(e.payloadCapacityTonnes()));
  }

  @Test
  void suppliersRangeFromAboutFifteenToAboutSixHundredShipmentsAWeekday() {
    // A plain Tuesday in the history, away from anomalies of the biggest and smallest suppliers.
    Map<String, Long> perSupplier = DATA.events().stream()
      .filter(e -> e.occurredAt().atZone(ZoneOffset.UTC).getDayOfWeek() == DayOfWeek.TUESDAY)
      .collect(Collectors.groupingBy(Event::supplier, Collectors.counting()));

    assertThat(perSupplier).hasSize(10);
    // Six Tuesdays: a weekday's volume is the count over six.
    assertThat(perSupplier.get("Albion Bulk Haulage") / 6.0).isBetween(450.0, 800.0);
    assertThat(perSupplier.get("Pennant Textiles") / 6.0).isBetween(8.0, 30.0);
  }

  @Test
  void weekendsAndNightsAreQuieterThanWeekdayDaytime() {
    long weekday = DATA.events().stream().filter(e -> e.occurredAt().atZone(ZoneOffset.UTC).getDayOfWeek().getValue() <= 5).count();
    long weekend = DATA.events().size() - weekday;

    assertThat(weekend / 12.0).isLessThan(0.5 * weekday / 30.0);
  }

  @Test
  void theScoredWeeksHoldEveryClassOfAnomalyAndOneHoliday() {
    Instant scored = END.minus(Duration.ofDays(14));
    Map<String, Long> scoredClasses = DATA.labels().stream().filter(l -> !l.start().isBefore(scored))
      .collect(Collectors.groupingBy(Label::anomalyClass, Collectors.counting()));
    Map<String, Long> historyClasses = DATA.labels().stream().filter(l -> l.start().isBefore(scored))
      .collect(Collectors.groupingBy(Label::anomalyClass, Collectors.counting()));

    assertThat(scoredClasses.get(Label.BURST)).isBetween(25L, 35L);
    assertThat(scoredClasses).containsEntry(Label.HOLIDAY, 1L).containsKeys(Label.SUSTAINED_LOAD,
      Label.SUSTAINED_VOLUME, Label.AIR_SHIFT);
    assertThat(historyClasses).containsKeys(Label.BURST, Label.SUSTAINED_LOAD, Label.SUSTAINED_VOLUME,
      Label.AIR_SHIFT, Label.HOLIDAY);
  }

  @Test
  void burstsIncludeNightsWeekendsAndSmallSuppliers() {
    List<Label> bursts = DATA.labels().stream().filter(l -> l.anomalyClass().equals(Label.BURST)).toList();

    assertThat(bursts).anySatisfy(l -> assertThat(l.start().atZone(ZoneOffset.UTC).getHour()).isIn(22, 23, 0, 1, 2, 3, 4));
    assertThat(bursts).anySatisfy(l -> assertThat(l.start().atZone(ZoneOffset.UTC).getDayOfWeek().getValue()).isGreaterThan(5));
    assertThat(bursts).anySatisfy(l -> assertThat(l.entityType()).isEqualTo("route"));
    assertThat(bursts).anySatisfy(l -> assertThat(l.affects()).anySatisfy(e -> {
      assertThat(e.type()).isEqualTo("supplier");
      assertThat(LabelledDataset.weekdayVolume(e.name())).isLessThanOrEqualTo(30);
    }));
  }

  @Test
  void aBurstMultipliesItsSuppliersShipmentsWhileItLasts() {
    Label burst = DATA.labels().stream().filter(l -> l.anomalyClass().equals(Label.BURST) && l.entityType().equals("supplier"))
      .max(java.util.Comparator.comparingDouble(Label::changedEvents)).orElseThrow();
    long during = count(burst.start(), burst.end(), burst.entity());
    long weekBefore = count(burst.start().minus(Duration.ofDays(7)), burst.end().minus(Duration.ofDays(7)), burst.entity());

    assertThat(during).isGreaterThan(2 * weekBefore);
    assertThat(burst.changedEvents()).isGreaterThan(0.5 * (during - weekBefore));
  }

  @Test
  void anAirShiftMovesShipmentsOfTheSupplierToAir() {
    Label air = DATA.labels().stream().filter(l -> l.anomalyClass().equals(Label.AIR_SHIFT)).findFirst().orElseThrow();
    long flown = DATA.events().stream().filter(e -> e.supplier().equals(air.entity())
      && !e.occurredAt().isBefore(air.start()) && e.occurredAt().isBefore(air.end())
      && e.vehicleType().startsWith("air")).count();

    assertThat(flown).isGreaterThanOrEqualTo((long) air.changedEvents());
    assertThat(air.changedEvents()).isPositive();
    assertThat(air.affects()).anySatisfy(e -> assertThat(e.name()).startsWith("air"));
  }

  @Test
  void anAnomalysFirstChangeIsItsFirstChangedShipment() {
    List<Label> changing = DATA.labels().stream().filter(l -> !l.anomalyClass().equals(Label.HOLIDAY)).toList();

    assertThat(changing).allSatisfy(l -> assertThat(l.firstChange()).isNotNull()
      .isBetween(l.start(), l.end().minusMillis(1)));
    for (Label air : changing.stream().filter(l -> l.anomalyClass().equals(Label.AIR_SHIFT)).toList()) {
      List<Instant> flights = DATA.events().stream().filter(e -> e.supplier().equals(air.entity())
        && !e.occurredAt().isBefore(air.start()) && e.occurredAt().isBefore(air.end())
        && e.vehicleType().startsWith("air")).map(e -> e.occurredAt()).sorted().toList();
      // A supplier that flew some lanes before still flies them: the first moved shipment is one of its flights.
      assertThat(flights).contains(air.firstChange());
    }
  }

  @Test
  void theHolidayRunsAtAboutWeekendVolume() {
    Label holiday = DATA.labels().stream().filter(l -> l.anomalyClass().equals(Label.HOLIDAY)
      && !l.start().isBefore(END.minus(Duration.ofDays(14)))).findFirst().orElseThrow();
    long onHoliday = DATA.events().stream().filter(e -> !e.occurredAt().isBefore(holiday.start())
      && e.occurredAt().isBefore(holiday.end())).count();
    long weekBefore = DATA.events().stream().filter(e -> !e.occurredAt().isBefore(holiday.start().minus(Duration.ofDays(7)))
      && e.occurredAt().isBefore(holiday.end().minus(Duration.ofDays(7)))).count();

    assertThat(onHoliday).isLessThan(weekBefore / 2);
  }
}
