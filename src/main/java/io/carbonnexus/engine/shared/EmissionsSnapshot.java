package io.carbonnexus.engine.shared;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
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
        .put("percent_of_baseline", baseline == null ? null : Percent.of(predicted, baseline));
    }
  }

  /** An entity's window total and its baseline (null when it has none), the input of a snapshot. */
  public record EntityTotal(String entityType, String entity, double predicted, Double baseline) {
  }

  /** Entities per type in a snapshot: the ones furthest above their baselines. */
  public static final int TOP_ENTITIES = 10;

  /** The snapshot of these totals: every known entity type appears, with 0 when it had no emissions. */
  public static EmissionsSnapshot of(Instant at, long windowSeconds, Collection<EntityTotal> totals) {
    Map<String, Double> totalByType = new LinkedHashMap<>();
    Map<String, List<EntityEmission>> top = new LinkedHashMap<>();
    for (String type : EventsIngested.entityTypes()) {
      totalByType.put(type, 0.0);
      top.put(type, new ArrayList<>());
    }
    for (EntityTotal t : totals) {
      totalByType.merge(t.entityType(), t.predicted(), Double::sum);
      top.computeIfAbsent(t.entityType(), x -> new ArrayList<>()).add(new EntityEmission(t.entity(), t.predicted(), t.baseline()));
    }
    Comparator<EntityEmission> furthestAbove = Comparator.comparingDouble(
      (EntityEmission e) -> e.baseline() == null ? -1 : e.predicted() / e.baseline()).reversed()
      .thenComparing(EntityEmission::predicted, Comparator.reverseOrder());
    top.replaceAll((type, list) -> list.stream().sorted(furthestAbove).limit(TOP_ENTITIES).toList());
    // Each prediction counts once per entity type: the overall total is any one type's total.
    return new EmissionsSnapshot(at, windowSeconds, totalByType.getOrDefault("supplier", 0.0), totalByType, top);
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
