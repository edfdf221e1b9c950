package io.carbonnexus.engine.shared;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * A hotspot in its REST and channel shape ({@code id, entity, entity_type, predicted, baseline,
 * percent_above, severity, status, opened_at, updated_at}), plus {@code resolved_at}; which
 * {@code window} fired ({@code 1h}, {@code 24h}, ...) and what it measured ({@code kind}:
 * {@code emissions}, kg CO2 over the window, or {@code intensity}, kg CO2 per tonne-km), with that
 * window's {@code expected} value (null when the baseline is a target); and, on the
 * {@code hotspots} channel, {@code change}: what just happened to it ({@code opened},
 * {@code updated}, {@code escalated}, {@code deescalated}, {@code resolved}); and, on a route's
 * hotspot whose reading was taken through one of its lanes, {@code lane_supplier}: the supplier
 * whose shipments on the route it was (null otherwise).
 */
public record Hotspot(long id, String entity, EntityType entityType, double predicted, double baseline,
                      int percentAbove, Severity severity, HotspotStatus status, Instant openedAt, Instant updatedAt,
                      Instant resolvedAt, HotspotChange change, String window, String kind, Double expected,
                      String laneSupplier) {

  public static final String EMISSIONS = "emissions";
  public static final String INTENSITY = "intensity";

  /**
   * A hotspot of the emissions of an unnamed window (tests, and rows from before windows existed),
   * its type, status and change by their wire names (change may be null).
   */
  public Hotspot(long id, String entity, String entityType, double predicted, double baseline, int percentAbove,
                 Severity severity, String status, Instant openedAt, Instant updatedAt, Instant resolvedAt, String change) {
    this(id, entity, EntityType.parse(entityType), predicted, baseline, percentAbove, severity,
      HotspotStatus.parse(status), openedAt, updatedAt, resolvedAt, change == null ? null : HotspotChange.parse(change),
      null, EMISSIONS, null);
  }

  /** A hotspot not read through a lane. */
  public Hotspot(long id, String entity, EntityType entityType, double predicted, double baseline, int percentAbove,
                 Severity severity, HotspotStatus status, Instant openedAt, Instant updatedAt, Instant resolvedAt,
                 HotspotChange change, String window, String kind, Double expected) {
    this(id, entity, entityType, predicted, baseline, percentAbove, severity, status, openedAt, updatedAt, resolvedAt,
      change, window, kind, expected, null);
  }

  /** The same hotspot with what just happened to it. */
  public Hotspot withChange(HotspotChange what) {
    return new Hotspot(id, entity, entityType, predicted, baseline, percentAbove, severity, status, openedAt, updatedAt,
      resolvedAt, what, window, kind, expected, laneSupplier);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
      .put("id", id)
      .put("entity", entity)
      .put("entity_type", entityType.wire())
      .put("predicted", roundFigure(predicted))
      .put("baseline", roundFigure(baseline))
      .put("percent_above", percentAbove)
      .put("severity", severity.wire())
      .put("status", status.wire())
      .put("opened_at", openedAt.toString())
      .put("updated_at", updatedAt.toString())
      .put("resolved_at", resolvedAt == null ? null : resolvedAt.toString())
      .put("window", window)
      .put("kind", kind == null ? EMISSIONS : kind)
      .put("expected", expected == null || expected.isNaN() ? null : roundFigure(expected))
      .put("lane_supplier", laneSupplier);
    if (change != null) {
      json.put("change", change.wire());
    }
    return json;
  }

  /**
   * A hotspot from a message of the {@code hotspots} channel, or null (logged) when the message
   * is not one: any member of a cluster can publish, and a bad message must not throw in every
   * listener.
   */
  public static Hotspot fromMessage(JsonObject json) {
    try {
      Hotspot h = fromJson(json);
      if (h.entity() == null) {
        throw new IllegalArgumentException("entity is required");
      }
      return h;
    } catch (RuntimeException e) {
      String text = json == null ? "null" : json.encode();
      LoggerFactory.getLogger(Hotspot.class).warn("Ignoring a message on hotspots that is not a hotspot ({}): {}",
        e.getMessage(), text.substring(0, Math.min(200, text.length())));
      return null;
    }
  }

  public static Hotspot fromJson(JsonObject json) {
    String resolved = json.getString("resolved_at");
    String change = json.getString("change");
    return new Hotspot(json.getLong("id"), json.getString("entity"), EntityType.parse(json.getString("entity_type")),
      json.getDouble("predicted"), json.getDouble("baseline"), json.getInteger("percent_above"),
      Severity.of(json.getString("severity")), HotspotStatus.parse(json.getString("status")),
      Instant.parse(json.getString("opened_at")), Instant.parse(json.getString("updated_at")),
      resolved == null ? null : Instant.parse(resolved), change == null ? null : HotspotChange.parse(change),
      json.getString("window"), json.getString("kind", EMISSIONS),
      json.getValue("expected") instanceof Number n ? n.doubleValue() : null, json.getString("lane_supplier"));
  }

  /**
   * A row of the hotspots table (columns by name: id, entity, entity_type, predicted, baseline,
   * percent_above, severity, status, opened_at, updated_at, resolved_at, window, kind, expected,
   * lane_supplier),
   * with {@code change} when the query has such a column.
   */
  public static Hotspot fromRow(Row r, HotspotChange change) {
    OffsetDateTime resolved = r.getOffsetDateTime("resolved_at");
    return new Hotspot(r.getLong("id"), r.getString("entity"), EntityType.parse(r.getString("entity_type")),
      r.getDouble("predicted"), r.getDouble("baseline"), r.getInteger("percent_above"),
      Severity.of(r.getString("severity")), HotspotStatus.parse(r.getString("status")),
      r.getOffsetDateTime("opened_at").toInstant(),
      r.getOffsetDateTime("updated_at").toInstant(), resolved == null ? null : resolved.toInstant(), change,
      r.getString("window"), r.getString("kind"), r.getDouble("expected"), r.getString("lane_supplier"));
  }

  /**
   * The rows this engine can read, in their order, with their {@code change} column when
   * {@code withChange}. A row holding a value it does not know (an entity_type, status or change
   * written into the table by hand) is skipped with a warning: one such row never turns a list
   * into a client error, nor stops a reconciliation halfway.
   */
  public static List<Hotspot> readable(Iterable<Row> rows, boolean withChange) {
    List<Hotspot> out = new ArrayList<>();
    for (Row r : rows) {
      try {
        out.add(fromRow(r, withChange ? HotspotChange.parse(r.getString("change")) : null));
      } catch (IllegalArgumentException e) {
        LoggerFactory.getLogger(Hotspot.class).warn("Hotspot {} skipped: {}", r.getLong("id"), e.getMessage());
      }
    }
    return out;
  }

  /** kg to the gram: enough for a dashboard, and stable across runs. */
  public static double round(double kg) {
    return Math.round(kg * 1000) / 1000.0;
  }

  /**
   * A hotspot's figure: kg to the gram, but small values — kg CO2 per tonne-km of rail or sea run
   * around 0.01 — to six decimals, so that 0.0163 against 0.0128 is not sent as 0.016 against 0.013.
   */
  public static double roundFigure(double value) {
    return Math.abs(value) < 10 ? Math.round(value * 1e6) / 1e6 : round(value);
  }

  /** Whose shipments a route's hotspot read through one supplier's lane was: alerts and recommendations say it alike. */
  public static String laneCause(String laneSupplier) {
    return "from " + laneSupplier + "'s shipments on it";
  }
}
