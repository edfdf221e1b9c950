package io.carbonnexus.engine.hotspot;

import io.carbonnexus.engine.shared.EmissionsBasis;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.withinPercentage;

/** The history's expected values and upper edges per bucket, from a model whose weekdays differ. */
class HistoryTest {

  private static final Instant BUILT = Instant.parse("2026-12-01T11:00:00Z");

  @Test
  void aBucketIsExpectedAtItsOwnWeekdaysLevelNotAtAnotherWeekdaysOfTheSameTimeOfDay() {
    SeasonalModel flat = EntityModel.learn(BUILT,
      SyntheticHistory.history(BUILT, 28, (type, hour) -> hour >= 8 && hour < 18 ? 20 : 0.5, 3),
      SyntheticHistory.settings(DetectionSettings.SEASONAL)).seasonal();
    SeasonalModel busyMondays = new SeasonalModel(flat.builtAt(), true, flat.co2(), flat.events(), flat.tkm(),
      flat.samples(), flat.phi(), flat.countDispersion(), flat.co2Dispersion(), flat.intensity(), flat.shipmentVariance(),
      flat.intensityDispersion(), flat.co2PerShipment(), flat.tkmPerShipment(), flat.days(),
      new double[] {1.3, 0.925, 0.925, 0.925, 0.925}, flat.hourDispersion(), flat.flights());
    // Monday 7 and Tuesday 8 December 2026, by hour.
    HistoryRequest request = HistoryRequest.parse(new JsonObject().put("entity_type", "supplier").put("entity", "Acme")
      .put("step", "1h").put("from", "2026-12-07T00:00:00Z").put("to", "2026-12-09T00:00:00Z"), BUILT);
    History.Bands stored = History.stored(List.of(new EntityModel(BUILT, busyMondays, Double.NaN)));
    JsonArray buckets = History.answer(request, Map.of(), stored, new WindowSpec(Duration.ofHours(1), 3),
      EmissionsBasis.WTW, BUILT).getJsonArray("buckets");

    JsonObject monday = buckets.getJsonObject(10);
    JsonObject tuesday = buckets.getJsonObject(34);
    assertThat(monday.getString("start")).isEqualTo("2026-12-07T10:00:00Z");
    assertThat(tuesday.getString("start")).isEqualTo("2026-12-08T10:00:00Z");
    assertThat(monday.getDouble("expected_co2_kg") / tuesday.getDouble("expected_co2_kg"))
      .isCloseTo(1.3 / 0.925, withinPercentage(0.5));
    assertThat(monday.getDouble("upper_co2_kg")).isGreaterThan(tuesday.getDouble("upper_co2_kg"));
  }

  @Test
  void anEntitysBandIsEachDaysOwnNormalAsDetectionLearntItThenNotTodays() {
    // Six weeks of 10 shipments an hour, then 20 an hour for the last 10 days: a step up last week.
    Instant end = SyntheticHistory.BUILT;
    Hours hours = SyntheticHistory.history(end, 41, (type, hour) -> 10, 5);
    Random random = new Random(6);
    for (Instant at = end.minus(Duration.ofDays(10)); at.isBefore(end); at = at.plus(SyntheticHistory.HOUR)) {
      SyntheticHistory.addShipments(hours, at, 10, random);
    }
    DetectionSettings settings = SyntheticHistory.settings(DetectionSettings.SEASONAL);
    WindowSpec band = new WindowSpec(Duration.ofHours(1), 3.5);
    HistoryRequest request = HistoryRequest.parse(new JsonObject().put("entity_type", "supplier").put("entity", "Acme")
      .put("step", "1h").put("from", end.minus(Duration.ofDays(12)).toString()).put("to", end.toString()), end);
    JsonObject answer = History.answer(request, Map.of(), daily(hours, settings, request), band, EmissionsBasis.WTW, end);

    // Wednesday 18 November, 10:00, before the step: its band is that day's model's, learnt from the weeks before it.
    JsonObject before = answer.getJsonArray("buckets").getJsonObject(10);
    Instant start = Instant.parse("2026-11-18T10:00:00Z");
    assertThat(before.getString("start")).isEqualTo(start.toString());
    SeasonalModel then = EntityModel.learn(Instant.parse("2026-11-18T00:00:00Z"), hours, settings).seasonal();
    SeasonalModel.Expected x = then.expected(start, start.plus(SyntheticHistory.HOUR));
    assertThat(before.getDouble("expected_co2_kg")).isCloseTo(x.co2(), within(0.001));
    assertThat(before.getDouble("upper_co2_kg")).isCloseTo(then.co2Band(x, band.k())[1], within(0.001));
    // About ten shipments of about 100 kg; today's model, which has learnt the step, expects a third more.
    assertThat(before.getDouble("expected_co2_kg")).isCloseTo(1_000, withinPercentage(10));
    SeasonalModel today = EntityModel.learn(end, hours, settings).seasonal();
    assertThat(today.expected(start, start.plus(SyntheticHistory.HOUR)).co2())
      .isGreaterThan(1.2 * before.getDouble("expected_co2_kg"));
    assertThat(answer.getJsonObject("model").getString("learnt")).isEqualTo("daily");
    assertThat(answer.getJsonObject("model").getString("built_at")).isEqualTo("2026-11-29T00:00:00Z");

    // Honest: nothing from the day's start minus the gap (the longest window, 24 h) on changes that day's band.
    for (Instant at = Instant.parse("2026-11-17T00:00:00Z"); at.isBefore(end); at = at.plus(SyntheticHistory.HOUR)) {
      SyntheticHistory.addShipments(hours, at, 30, random);
    }
    JsonObject again = History.answer(request, Map.of(), daily(hours, settings, request), band, EmissionsBasis.WTW, end)
      .getJsonArray("buckets").getJsonObject(10);
    assertThat(again.getDouble("expected_co2_kg")).isEqualTo(before.getDouble("expected_co2_kg"));
    assertThat(again.getDouble("upper_co2_kg")).isEqualTo(before.getDouble("upper_co2_kg"));
  }

  @Test
  void aDayWithTooLittleHistoryBeforeItHasNoBand() {
    // Only five days of shipments before the range: less than detection.min_days, as detection had then.
    Instant end = SyntheticHistory.BUILT;
    Hours hours = SyntheticHistory.history(end, 6, (type, hour) -> 10, 7);
    HistoryRequest request = HistoryRequest.parse(new JsonObject().put("entity_type", "supplier").put("entity", "Acme")
      .put("step", "1h").put("from", end.minus(Duration.ofDays(1)).toString()).put("to", end.toString()), end);
    JsonObject answer = History.answer(request, Map.of(),
      daily(hours, SyntheticHistory.settings(DetectionSettings.SEASONAL), request), new WindowSpec(Duration.ofHours(1), 3.5),
      EmissionsBasis.WTW, end);
    assertThat(answer.getValue("model")).isNull();
    assertThat(answer.getJsonArray("buckets").getJsonObject(0).getValue("expected_co2_kg")).isNull();
  }

  /** The daily models of the request's days, as the query verticle learns them. */
  private static History.Bands daily(Hours hours, DetectionSettings settings, HistoryRequest request) {
    return History.daily(hours, settings, Math.floorDiv(request.from().getEpochSecond(), 86_400L),
      Math.floorDiv(request.to().getEpochSecond() - 1, 86_400L));
  }
}
