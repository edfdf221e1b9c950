package io.carbonnexus.engine.shared;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An entity: a supplier, a route or a vehicle type, by name. Ordered by the type's wire name,
 * then the name, so that everything listed by entity keeps the order it always had.
 */
public record EntityKey(EntityType type, String entity) implements Comparable<EntityKey> {

  private static final Logger LOG = LoggerFactory.getLogger(EntityKey.class);

  /** The unknown types already named in the log: once per type and process, not once per row or read. */
  private static final Set<String> REPORTED = ConcurrentHashMap.newKeySet();

  /** An entity from its wire form ({@code entity_type}, {@code entity}); an unknown type is refused. */
  public EntityKey(String type, String entity) {
    this(EntityType.parse(type), entity);
  }

  /**
   * The entity of a stored row, or empty when its type is none this engine knows: a row written
   * into a table by hand, or by a newer engine of the same cluster, is skipped by whoever reads
   * it, never a failed read of the others. The first such type is named in the log.
   */
  public static Optional<EntityKey> known(String type, String entity) {
    Optional<EntityKey> key = EntityType.find(type).map(t -> new EntityKey(t, entity));
    if (key.isEmpty() && REPORTED.add(String.valueOf(type))) {
      LOG.warn("Rows of entity_type '{}' (first: '{}') are skipped wherever they are read: this engine knows {}",
        type, entity, Words.either(EntityType.wires()));
    }
    return key;
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
