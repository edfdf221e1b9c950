package io.carbonnexus.engine.hotspot;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

/** Models are stored as JSON in entity_models and read back by every engine. */
class ModelJsonTest {

  private static final Instant AT = Instant.parse("2026-12-01T11:00:00Z");
  private static final SeasonalModel MODEL = EntityModel.learn(AT,
    SyntheticHistory.history(AT, 28, (type, hour) -> hour >= 8 && hour < 18 ? 20 : 0.5, 3),
    SyntheticHistory.settings(DetectionSettings.SEASONAL)).seasonal();

  @Test
  void aStoredModelReadBackGivesTheSameBandsPerShipment() {
    SeasonalModel back = ModelJson.fromJson(ModelJson.toJson(MODEL));
    assertThat(back.co2PerShipment()).isEqualTo(MODEL.co2PerShipment());
    assertThat(back.tkmPerShipment()).isEqualTo(MODEL.tkmPerShipment());
    assertThat(back.tkmPerShipmentBand(100, 3)).containsExactly(MODEL.tkmPerShipmentBand(100, 3));
  }

  @Test
  void aLanesFlightsAreStoredAndAModelStoredWithoutThemOrWithNonsenseKnowsNoShareOfAirFreight() {
    Hours hours = SyntheticHistory.history(AT, 28, (type, hour) -> 2, 5);
    for (int i = 0; i < hours.length(); i += 3) {
      hours.air[i] = Math.min(1, hours.events[i]);
    }
    SeasonalModel mixed = EntityModel.learn(AT, hours, SyntheticHistory.settings(DetectionSettings.SEASONAL)).seasonal();
    assertThat(mixed.flights().flown()).isPositive();
    assertThat(ModelJson.fromJson(ModelJson.toJson(mixed)).flights()).isEqualTo(mixed.flights());

    SeasonalModel.Flights dispersed = new SeasonalModel.Flights(840, 280, 7.5);
    SeasonalModel batches = new SeasonalModel(mixed.builtAt(), mixed.seasonal(), mixed.co2(), mixed.events(), mixed.tkm(),
      mixed.samples(), mixed.phi(), mixed.countDispersion(), mixed.co2Dispersion(), mixed.intensity(),
      mixed.shipmentVariance(), mixed.intensityDispersion(), mixed.co2PerShipment(), mixed.tkmPerShipment(), mixed.days(),
      mixed.weekdayLevels(), mixed.hourDispersion(), dispersed);
    assertThat(ModelJson.fromJson(ModelJson.toJson(batches)).flights()).isEqualTo(dispersed);
    // Without a stored dispersion: binomial.
    JsonObject undispersed = ModelJson.toJson(batches);
    undispersed.remove("flight_dispersion");
    assertThat(ModelJson.fromJson(undispersed).flights()).isEqualTo(new SeasonalModel.Flights(840, 280, 1));
    assertThat(ModelJson.fromJson(ModelJson.toJson(batches).put("flight_dispersion", 0.5)).flights())
      .isEqualTo(SeasonalModel.Flights.NONE);

    JsonObject old = ModelJson.toJson(mixed);
    old.remove("flown");
    assertThat(ModelJson.fromJson(old).flights()).isEqualTo(SeasonalModel.Flights.NONE);
    assertThat(SeasonalModel.Flights.NONE.share()).isNaN();
    assertThat(ModelJson.fromJson(ModelJson.toJson(mixed).put("flown", mixed.flights().shipments() + 1)).flights())
      .isEqualTo(SeasonalModel.Flights.NONE);
    assertThat(ModelJson.fromJson(ModelJson.toJson(mixed).put("flown", "many")).flights())
      .isEqualTo(SeasonalModel.Flights.NONE);
  }

  @Test
  void aModelStoredBeforeTonneKmPerShipmentWasLearntHasNoSuchBandUntilItIsLearntAgain() {
    JsonObject old = ModelJson.toJson(MODEL);
    old.remove("shipment_tkm");
    old.remove("shipment_tkm_variance");
    old.remove("shipment_tkm_dispersion");
    SeasonalModel back = ModelJson.fromJson(old);
    assertThat(back.tkmPerShipmentBand(100, 3)).isNull();
    assertThat(back.perShipmentBand(100, 3)).containsExactly(MODEL.perShipmentBand(100, 3));
  }

  @Test
  void weekdayLevelsAreStoredAndAModelStoredWithoutThemTreatsEveryWeekdayAlike() {
    SeasonalModel busyMondays = new SeasonalModel(MODEL.builtAt(), true, MODEL.co2(), MODEL.events(), MODEL.tkm(),
      MODEL.samples(), MODEL.phi(), MODEL.countDispersion(), MODEL.co2Dispersion(), MODEL.intensity(),
      MODEL.shipmentVariance(), MODEL.intensityDispersion(), MODEL.co2PerShipment(), MODEL.tkmPerShipment(),
      MODEL.days(), new double[] {1.3, 0.925, 0.925, 0.925, 0.925}, MODEL.hourDispersion(), MODEL.flights());
    Instant monday = Instant.parse("2026-12-07T00:00:00Z");
    Instant tuesday = monday.plus(java.time.Duration.ofDays(1));
    SeasonalModel back = ModelJson.fromJson(ModelJson.toJson(busyMondays));
    assertThat(back.weekdayLevels()).containsExactly(busyMondays.weekdayLevels());
    assertThat(back.expected(monday, tuesday).events())
      .isCloseTo(busyMondays.expected(monday, tuesday).events(), withinPercentage(0.001))
      .isGreaterThan(1.3 * back.expected(tuesday, tuesday.plus(java.time.Duration.ofDays(1))).events());

    JsonObject old = ModelJson.toJson(busyMondays);
    old.remove("weekday_levels");
    SeasonalModel flat = ModelJson.fromJson(old);
    assertThat(flat.weekdayLevels()).containsExactly(SeasonalModel.FLAT_WEEK);
    assertThat(flat.expected(monday, tuesday).events())
      .isCloseTo(flat.expected(tuesday, tuesday.plus(java.time.Duration.ofDays(1))).events(), withinPercentage(1));
  }

  @Test
  void theHourLevelDispersionIsStoredAndAModelStoredWithoutItOrWithNonsenseHasArrivalNoiseOnly() {
    SeasonalModel batched = EntityModel.learn(AT, SyntheticHistory.history(AT, 28, (type, hour) -> 40, 3, true, 0.2),
      SyntheticHistory.settings(DetectionSettings.SEASONAL)).seasonal();
    assertThat(batched.hourDispersion()).isGreaterThan(0.1);
    assertThat(ModelJson.fromJson(ModelJson.toJson(batched)).hourDispersion()).isEqualTo(batched.hourDispersion());
    JsonObject old = ModelJson.toJson(batched);
    old.remove("hour_dispersion");
    assertThat(ModelJson.fromJson(old).hourDispersion()).isZero();
    for (Object bad : List.of(-0.1, 1.5, "wide")) {
      assertThat(ModelJson.fromJson(ModelJson.toJson(batched).put("hour_dispersion", bad)).hourDispersion()).as("%s", bad)
        .isZero();
    }
  }

  @Test
  void storedWeekdayLevelsThatAreNotFivePositiveNumbersReadAsAFlatWeek() {
    for (JsonArray bad : List.of(new JsonArray().add(1).add(1).add(1).add(1), new JsonArray().add(1.2).add(0).add(1).add(1).add(1),
      new JsonArray().add(1).add("busy").add(1).add(1).add(1))) {
      JsonObject stored = ModelJson.toJson(MODEL).put("weekday_levels", bad);
      assertThat(ModelJson.fromJson(stored).weekdayLevels()).as("%s", bad).containsExactly(SeasonalModel.FLAT_WEEK);
    }
  }
}
