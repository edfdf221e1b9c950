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
 * CO2 on the basis in force, the total per entity type, and per type the entities furthest above
 * their baselines; with tonne-km and the intensity (kg CO2e per tonne-km, the GLEC KPI) beside
 * every total.
 */
public record EmissionsSnapshot(Instant at, long windowSeconds, EmissionsBasis basis, double totalKg, double tonneKm,
                                Map<String, Double> totalByType, Map<String, Double> tonneKmByType,
                                Map<String, List<EntityEmission>> topByType) {

  /** One entity's window total against its baseline ({@code baseline} null when it has none yet). */
  public record EntityEmission(String entity, double predicted, Double baseline, double tonneKm) {
    public JsonObject toJson() {
      return new JsonObject()
        .put("entity", entity)
        .put("predicted", Hotspot.round(predicted))
        .put("baseline", baseline == null ? null : Hotspot.round(baseline))
        .put("percent_of_baseline", baseline == null ? null : Percent.of(predicted, baseline))
        .put("tonne_km", Hotspot.round(tonneKm))
        .put("intensity_kg_per_tkm", intensity(predicted, tonneKm));
    }
  }

  /** An entity's window total, tonne-km and baseline (null when it has none), the input of a snapshot. */
  public record EntityTotal(String entityType, String entity, double predicted, Double baseline, double tonneKm) {
  }

  /** Entities per type in a snapshot: the ones furthest above their baselines. */
  public static final int TOP_ENTITIES = 10;

  /** The snapshot of these totals: every known entity type appears, with 0 when it had no emissions. */
  public static EmissionsSnapshot of(Instant at, long windowSeconds, EmissionsBasis basis, Collection<EntityTotal> totals) {
    Map<String, Double> totalByType = new LinkedHashMap<>();
    Map<String, Double> tonneKmByType = new LinkedHashMap<>();
    Map<String, List<EntityEmission>> top = new LinkedHashMap<>();
    for (String type : EntityType.wires()) {
      totalByType.put(type, 0.0);
      tonneKmByType.put(type, 0.0);
      top.put(type, new ArrayList<>());
    }
    for (EntityTotal t : totals) {
      totalByType.merge(t.entityType(), t.predicted(), Double::sum);
      tonneKmByType.merge(t.entityType(), t.tonneKm(), Double::sum);
      top.computeIfAbsent(t.entityType(), x -> new ArrayList<>())
        .add(new EntityEmission(t.entity(), t.predicted(), t.baseline(), t.tonneKm()));
    }
    Comparator<EntityEmission> furthestAbove = Comparator.comparingDouble(
      (EntityEmission e) -> e.baseline() == null ? -1 : e.predicted() / e.baseline()).reversed()
      .thenComparing(EntityEmission::predicted, Comparator.reverseOrder());
    top.replaceAll((type, list) -> list.stream().sorted(furthestAbove).limit(TOP_ENTITIES).toList());
    // Each prediction counts once per entity type: the overall total is any one type's total.
    return new EmissionsSnapshot(at, windowSeconds, basis, totalByType.getOrDefault(EntityType.SUPPLIER.wire(), 0.0),
      tonneKmByType.getOrDefault(EntityType.SUPPLIER.wire(), 0.0), totalByType, tonneKmByType, top);
  }

  /** kg CO2e per tonne-km to six decimals (a gram per thousand tonne-km); null without tonne-km. */
  public static Double intensity(double kg, double tonneKm) {
    return tonneKm > 0 ? Math.round(kg / tonneKm * 1e6) / 1e6 : null;
  }

  public JsonObject toJson() {
    JsonObject byType = new JsonObject();
    totalByType.forEach((type, total) -> {
      JsonArray top = new JsonArray();
      topByType.getOrDefault(type, List.of()).forEach(e -> top.add(e.toJson()));
      double tkm = tonneKmByType.getOrDefault(type, 0.0);
      byType.put(type, new JsonObject().put("total", Hotspot.round(total)).put("top", top)
        .put("tonne_km", Hotspot.round(tkm)).put("intensity_kg_per_tkm", intensity(total, tkm)));
    });
    return new JsonObject()
      .put("at", at.toString())
      .put("window_seconds", windowSeconds)
      .put("basis", basis.wire())
      .put("total", Hotspot.round(totalKg))
      .put("tonne_km", Hotspot.round(tonneKm))
      .put("intensity_kg_per_tkm", intensity(totalKg, tonneKm))
      .put("by_entity_type", byType);
  }
}
