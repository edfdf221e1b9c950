package io.carbonnexus.engine.shared;

import java.util.Optional;

/**
 * An entity: a supplier, a route or a vehicle type, by name. Ordered by the type's wire name,
 * then the name, so that everything listed by entity keeps the order it always had.
 */
public record EntityKey(EntityType type, String entity) implements Comparable<EntityKey> {

  /** An entity from its wire form ({@code entity_type}, {@code entity}); an unknown type is refused. */
  public EntityKey(String type, String entity) {
    this(EntityType.parse(type), entity);
  }

  /**
   * The entity of a stored row, or empty when its type is none this engine knows: a row written
   * into a table by hand is skipped by whoever reads it, never a failed read of the others.
   */
  public static Optional<EntityKey> known(String type, String entity) {
    return EntityType.find(type).map(t -> new EntityKey(t, entity));
  }

  @Override
  public int compareTo(EntityKey o) {
    int c = type.wire().compareTo(o.type.wire());
    return c != 0 ? c : entity.compareTo(o.entity);
  }

  @Override
  public String toString() {
    return type.wire() + " " + entity;
  }
}
