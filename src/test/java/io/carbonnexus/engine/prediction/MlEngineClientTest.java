package io.carbonnexus.engine.prediction;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MlEngineClientTest {

  private static JsonObject answer(JsonObject... predictions) {
    return new JsonObject().put("model_version", "m-2").put("predictions", new JsonArray(java.util.List.of((Object[]) predictions)));
  }

  @Test
  void aContractAnswerGivesEachEventsCo2AndTheModelVersion() {
    MlEngineClient.Answer a = MlEngineClient.parse(answer(new JsonObject().put("id", 1).put("co2_kg", 12.5)), Set.of(1L, 2L));
    assertThat(a.modelVersion()).isEqualTo("m-2");
    assertThat(a.co2ById()).containsEntry(1L, new MlEngineClient.Figures(12.5, null)).doesNotContainKey(2L);
  }

  @Test
  void anAnswerForAnEventThatWasNotAskedIsGarbage() {
    assertThatThrownBy(() -> MlEngineClient.parse(answer(new JsonObject().put("id", 9).put("co2_kg", 1)), Set.of(1L)))
      .isInstanceOfSatisfying(MlEngineClient.MlEngineException.class, e -> assertThat(e.reason()).isEqualTo("malformed"))
      .hasMessageContaining("event 9");
  }

  @Test
  void aNegativeOrTextualCo2IsGarbage() {
    assertThatThrownBy(() -> MlEngineClient.parse(answer(new JsonObject().put("id", 1).put("co2_kg", -4)), Set.of(1L)))
      .hasMessageContaining("co2_kg -4");
    assertThatThrownBy(() -> MlEngineClient.parse(answer(new JsonObject().put("id", 1).put("co2_kg", "4")), Set.of(1L)))
      .hasMessageContaining("co2_kg 4");
  }

  @Test
  void wellToWheelAndTankToWheelSentByMlEngineAreKept() {
    MlEngineClient.Answer a = MlEngineClient.parse(answer(new JsonObject().put("id", 1).put("co2_kg", 99)
      .put("co2e_ttw_kg", 10.0).put("co2e_wtw_kg", 12.5)), Set.of(1L));
    assertThat(a.co2ById()).containsEntry(1L, new MlEngineClient.Figures(10.0, 12.5));
  }

  @Test
  void aWellToWheelBelowTankToWheelIsGarbage() {
    assertThatThrownBy(() -> MlEngineClient.parse(answer(new JsonObject().put("id", 1).put("co2e_ttw_kg", 10)
      .put("co2e_wtw_kg", 9)), Set.of(1L))).hasMessageContaining("below co2e_ttw_kg");
  }

  @Test
  void anAnswerWithoutModelVersionIsGarbage() {
    assertThatThrownBy(() -> MlEngineClient.parse(new JsonObject().put("predictions", new JsonArray()), Set.of(1L)))
      .hasMessageContaining("no model_version");
  }
}
