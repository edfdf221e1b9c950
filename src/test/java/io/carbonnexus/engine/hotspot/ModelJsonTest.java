package io.carbonnexus.engine.hotspot;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

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
  void aModelStoredBeforeTonneKmPerShipmentWasLearntHasNoSuchBandUntilItIsLearntAgain() {
    JsonObject old = ModelJson.toJson(MODEL);
    old.remove("shipment_tkm");
    old.remove("shipment_tkm_variance");
    old.remove("shipment_tkm_dispersion");
    SeasonalModel back = ModelJson.fromJson(old);
    assertThat(back.tkmPerShipmentBand(100, 3)).isNull();
    assertThat(back.perShipmentBand(100, 3)).containsExactly(MODEL.perShipmentBand(100, 3));
  }
}
