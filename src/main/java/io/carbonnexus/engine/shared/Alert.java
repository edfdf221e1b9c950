package io.carbonnexus.engine.shared;

import io.vertx.core.json.JsonObject;

import java.time.Instant;

/**
 * An alert in its REST and channel shape: the seed's {@code level, message, hotspot_id} with
 * {@code id, created_at}, plus lifecycle fields: {@code kind} ({@code firing}, {@code repeat},
 * {@code resolved}), the entity, and {@code acknowledged_at}.
 */
public record Alert(long id, Severity level, String message, long hotspotId, Instant createdAt, String kind,
                    String entityType, String entity, Integer percentAbove, Instant acknowledgedAt) {

  public JsonObject toJson() {
    return new JsonObject()
      .put("id", id)
      .put("level", level.wire())
      .put("message", message)
      .put("hotspot_id", hotspotId)
      .put("created_at", createdAt.toString())
      .put("kind", kind)
      .put("entity_type", entityType)
      .put("entity", entity)
      .put("percent_above", percentAbove)
      .put("acknowledged_at", acknowledgedAt == null ? null : acknowledgedAt.toString());
  }

  public static Alert fromJson(JsonObject json) {
    String ack = json.getString("acknowledged_at");
    return new Alert(json.getLong("id"), Severity.of(json.getString("level")), json.getString("message"),
      json.getLong("hotspot_id"), Instant.parse(json.getString("created_at")), json.getString("kind"),
      json.getString("entity_type"), json.getString("entity"), json.getInteger("percent_above"),
      ack == null ? null : Instant.parse(ack));
  }
}
