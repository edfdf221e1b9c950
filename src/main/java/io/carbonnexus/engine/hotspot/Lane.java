package io.carbonnexus.engine.hotspot;

import io.carbonnexus.engine.shared.EntityKey;
import io.carbonnexus.engine.shared.EntityType;

import java.util.Comparator;
import java.util.List;

/**
 * One supplier on one route. Detection judges a lane's burst windows against the lane's own
 * normal and reports what it finds on the route (a lane is never a hotspot of its own): a dozen
 * extra shipments on one lane of a route that other suppliers also serve are far out against the
 * lane's rate and lost in the route's. A supplier is judged through its lanes too: each keeps its
 * own share of air freight ({@link Evaluator#airShare}).
 */
public record Lane(String supplier, String route) implements Comparable<Lane> {

  private static final Comparator<Lane> ORDER = Comparator.comparing(Lane::route).thenComparing(Lane::supplier);

  @Override
  public int compareTo(Lane o) {
    return ORDER.compare(this, o);
  }

  /** The entities judged through this lane: its route and its supplier. */
  public List<EntityKey> judged() {
    return List.of(new EntityKey(EntityType.ROUTE, route), new EntityKey(EntityType.SUPPLIER, supplier));
  }

  @Override
  public String toString() {
    return supplier + " on " + route;
  }
}
