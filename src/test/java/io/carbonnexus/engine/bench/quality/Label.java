package io.carbonnexus.engine.bench.quality;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.Set;
import java.util.TreeSet;

/**
 * One labelled anomaly of a benchmark data set: what a detector should find ({@code entityType},
 * {@code entity}, from {@code start}) and which entities its changed events touch
 * ({@code affects}), so that an opening on any of those during or shortly after it is not counted
 * as false.
 *
 * @param anomalyClass {@code burst}, {@code sustained_load}, {@code sustained_volume}, {@code air_shift} or {@code holiday}
 * @param magnitude the rate factor of a burst or volume increase (4.5 = ×4.5), the load factor of a
 *     load increase (1.45 = +45 %), the share moved to air (0.15); 0 for a holiday
 * @param changedEvents shipments the anomaly added (bursts, volume), changed (load, air) or, for a
 *     holiday, 0: how visible it is at all (a burst that adds two shipments is not)
 * @param note free text for people: hour, weekday, supplier size
 * @param firstChange when the first shipment the anomaly added or changed left (null: unknown or
 *     none): an anomaly begun at night at a supplier that ships by day is invisible to any detector
 *     until then
 */
public record Label(String anomalyClass, String entityType, String entity, Instant start, Instant end,
                    double magnitude, Set<Entity> affects, double changedEvents, String note, Instant firstChange) {

  public static final String BURST = "burst";
  public static final String SUSTAINED_LOAD = "sustained_load";
  public static final String SUSTAINED_VOLUME = "sustained_volume";
  public static final String AIR_SHIFT = "air_shift";
  public static final String HOLIDAY = "holiday";

  public Label {
    affects = Set.copyOf(affects);
  }

  public Entity target() {
    return new Entity(entityType, entity);
  }

  /** The first moment a detector could see the anomaly: its first changed shipment, else its start. */
  public Instant visibleFrom() {
    return firstChange != null && firstChange.isAfter(start) ? firstChange : start;
  }

  public JsonObject toJson() {
    JsonArray affected = new JsonArray();
    new TreeSet<>(affects).forEach(e -> affected.add(e.toString()));
    return new JsonObject().put("class", anomalyClass).put("entity_type", entityType).put("entity", entity)
      .put("start", start.toString()).put("end", end.toString())
      .put("magnitude", Math.round(magnitude * 1000) / 1000.0)
      .put("changed_events", Math.round(changedEvents * 10) / 10.0)
      .put("affects", affected).put("note", note)
      .put("first_change", firstChange == null ? null : firstChange.toString());
  }

  /** A supplier, route or vehicle type, as the engine names its entities. */
  public record Entity(String type, String name) implements Comparable<Entity> {
    public static Entity supplier(String name) {
      return new Entity("supplier", name);
    }

    public static Entity route(String name) {
      return new Entity("route", name);
    }

    public static Entity vehicleType(String name) {
      return new Entity("vehicle_type", name);
    }

    @Override
    public int compareTo(Entity o) {
      int c = type.compareTo(o.type);
      return c != 0 ? c : name.compareTo(o.name);
    }

    @Override
    public String toString() {
      return type + ":" + name;
    }
  }
}
