package io.carbonnexus.engine.hotspot;

import io.carbonnexus.engine.shared.EmissionsBasis;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
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
      new double[] {1.3, 0.925, 0.925, 0.925, 0.925});
    // Monday 7 and Tuesday 8 December 2026, by hour.
    HistoryRequest request = HistoryRequest.parse(new JsonObject().put("entity_type", "supplier").put("entity", "Acme")
      .put("step", "1h").put("from", "2026-12-07T00:00:00Z").put("to", "2026-12-09T00:00:00Z"), BUILT);
    JsonArray buckets = History.answer(request, Map.of(), List.of(new EntityModel(BUILT, busyMondays, Double.NaN)),
      new WindowSpec(Duration.ofHours(1), 3), EmissionsBasis.WTW, BUILT).getJsonArray("buckets");

    JsonObject monday = buckets.getJsonObject(10);
    JsonObject tuesday = buckets.getJsonObject(34);
    assertThat(monday.getString("start")).isEqualTo("2026-12-07T10:00:00Z");
    assertThat(tuesday.getString("start")).isEqualTo("2026-12-08T10:00:00Z");
    assertThat(monday.getDouble("expected_co2_kg") / tuesday.getDouble("expected_co2_kg"))
      .isCloseTo(1.3 / 0.925, withinPercentage(0.5));
    assertThat(monday.getDouble("upper_co2_kg")).isGreaterThan(tuesday.getDouble("upper_co2_kg"));
  }
}
