package io.carbonnexus.engine.shared;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Body of the {@code emissions} channel and of {@code GET /emissions/current}: the window's total
 * CO2, the total per entity type, and per type the entities furthest above their baselines.
 */
public record EmissionsSnapshot(Instant at, long windowSeconds, double totalKg, Map<String, Double> totalByType,
                                Map<String, List<EntityEmission>> topByType) {

  /** One entity's window total against its baseline ({@code baseline} null when it has none yet). */
  public record EntityEmission(String entity, double predicted, Double baseline) {
    public JsonObject toJson() {
      return new JsonObject()
        .put("entity", entity)
        .put("predicted", Hotspot.round(predicted))
        .put("baseline", baseline == null ? null : Hotspot.round(baseline))
        .put("percent_of_baseline", baseline == null ? null : (int) Math.round(predicted / baseline * 100));
    }
  }

  public JsonObject toJson() {
    JsonObject byType = new JsonObject();
    totalByType.forEach((type, total) -> {
      JsonArray top = new JsonArray();
      topByType.getOrDefault(type, List.of()).forEach(e -> top.add(e.toJson()));
      byType.put(type, new JsonObject().put("total", Hotspot.round(total)).put("top", top));
    });
    return new JsonObject()
      .put("at", at.toString())
      .put("window_seconds", windowSeconds)
      .put("total", Hotspot.round(totalKg))
      .put("by_entity_type", byType);
  }
}
