package io.carbonnexus.engine.shared;

/** An entity: a supplier, a route or a vehicle type, by name. */
public record EntityKey(String type, String entity) implements Comparable<EntityKey> {

  @Override
  public int compareTo(EntityKey o) {
    int c = type.compareTo(o.type);
    return c != 0 ? c : entity.compareTo(o.entity);
  }

  @Override
  public String toString() {
    return type + " " + entity;
  }
}
