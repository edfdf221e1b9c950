package io.carbonnexus.engine.shared;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;

/**
 * A recommendation in its REST and channel shape: {@code id, hotspot_id, entity, root_cause,
 * actions[] (title, co2_reduction, cost_impact, feasibility), source, created_at}, plus the
 * {@code entity_type} of its hotspot and the {@code severity} it answers. {@code source} is {@code rag} or {@code rules}.
 */
public record Recommendation(long id, long hotspotId, String entity, String entityType, String severity, String rootCause,
                             JsonArray actions, String source, Instant createdAt) {

  public JsonObject toJson() {
    return new JsonObject()
      .put("id", id)
      .put("hotspot_id", hotspotId)
      .put("entity", entity)
      .put("entity_type", entityType)
      .put("severity", severity)
      .put("root_cause", rootCause)
      .put("actions", actions)
      .put("source", source)
      .put("created_at", createdAt.toString());
  }
}
