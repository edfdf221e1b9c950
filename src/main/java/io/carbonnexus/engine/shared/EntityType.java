package io.carbonnexus.engine.shared;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * What an entity is: a supplier, a route or a vehicle type. The wire names are the
 * {@code entity_type} of every table, body, query parameter and channel; the order of the
 * constants is the order in which answers list them ({@code supplier, route, vehicle_type}).
 */
public enum EntityType {
  SUPPLIER("supplier"),
  ROUTE("route"),
  VEHICLE_TYPE("vehicle_type");

  private static final EntityType[] TYPES = values();
  private static final List<String> WIRES = Arrays.stream(TYPES).map(EntityType::wire).toList();

  private final String wire;

  EntityType(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  /** The wire names in order: {@code [supplier, route, vehicle_type]}. */
  public static List<String> wires() {
    return WIRES;
  }

  /** The type with this wire name, or empty: for values read where an unknown one is skipped, not refused. */
  public static Optional<EntityType> find(String wire) {
    // A loop, not a stream: every row of a replay's buckets names its entity's type.
    for (EntityType t : TYPES) {
      if (t.wire.equals(wire)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }

  /** The type with this wire name; anything else (other case, blanks, null) is refused. */
  public static EntityType parse(String wire) {
    return find(wire).orElseThrow(() -> new IllegalArgumentException("unknown entity_type '" + wire
      + "': expected " + Words.either(WIRES)));
  }
}
