package io.carbonnexus.engine.notify;

import io.carbonnexus.engine.shared.Severity;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An alert as a notification lists it: the stored alert with its hotspot's start and end, kept
 * as it was when it was routed (the delivery log shows what was sent, not what is true now).
 */
public record NotifyAlert(long alertId, long hotspotId, Severity level, String kind, String message, String entityType,
                          String entity, Integer percentAbove, Instant createdAt, Instant startsAt, Instant endsAt,
                          String window, String hotspotKind) {

  /** The {@code alertname} label of every engine alert: what Alertmanager routes and silences match. */
  public static final String ALERT_NAME = "CarbonEmissionsHotspot";

  public boolean resolved() {
    return "resolved".equals(kind);
  }

  public Map<String, String> labels() {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("alertname", ALERT_NAME);
    labels.put("severity", level.wire());
    labels.put("entity_type", entityType);
    labels.put("entity", entity);
    return labels;
  }

  public JsonObject toJson() {
    return new JsonObject().put("alert_id", alertId).put("hotspot_id", hotspotId).put("level", level.wire())
      .put("kind", kind).put("message", message).put("entity_type", entityType).put("entity", entity)
      .put("percent_above", percentAbove).put("created_at", createdAt.toString())
      .put("starts_at", startsAt == null ? null : startsAt.toString())
      .put("ends_at", endsAt == null ? null : endsAt.toString())
      .put("window", window).put("hotspot_kind", hotspotKind);
  }

  public static NotifyAlert fromJson(JsonObject j) {
    return new NotifyAlert(j.getLong("alert_id"), j.getLong("hotspot_id"), Severity.of(j.getString("level")),
      j.getString("kind"), j.getString("message"), j.getString("entity_type"), j.getString("entity"),
      j.getInteger("percent_above"), Instant.parse(j.getString("created_at")), instant(j.getString("starts_at")),
      instant(j.getString("ends_at")), j.getString("window"), j.getString("hotspot_kind"));
  }

  private static Instant instant(String text) {
    return text == null ? null : Instant.parse(text);
  }
}
