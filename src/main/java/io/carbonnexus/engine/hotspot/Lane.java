package io.carbonnexus.engine.hotspot;

import java.util.Comparator;

/**
 * One supplier on one route. Detection judges a lane's burst windows against the lane's own
 * normal and reports what it finds on the route (a lane is never a hotspot of its own): a dozen
 * extra shipments on one lane of a route that other suppliers also serve are far out against the
 * lane's rate and lost in the route's.
 */
public record Lane(String supplier, String route) implements Comparable<Lane> {

  private static final Comparator<Lane> ORDER = Comparator.comparing(Lane::route).thenComparing(Lane::supplier);

  @Override
  public int compareTo(Lane o) {
    return ORDER.compare(this, o);
  }

  @Override
  public String toString() {
    return supplier + " on " + route;
  }
}
