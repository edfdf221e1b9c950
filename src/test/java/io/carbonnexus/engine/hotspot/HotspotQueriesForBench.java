package io.carbonnexus.engine.hotspot;

/**
 * The read queries of {@link HotspotQueryVerticle}, for the HTTP benchmark's decomposition (it runs
 * the same SQL without the event bus, and explains it). The queries stay package-private in the engine.
 */
public final class HotspotQueriesForBench {

  public static final String LIST_HOTSPOTS = HotspotSql.LIST_HOTSPOTS;
  public static final String EFFECTIVE_BASELINES = HotspotSql.EFFECTIVE_BASELINES;
  public static final String WINDOW_ACTIVITY = HotspotSql.WINDOW_ACTIVITY;

  private HotspotQueriesForBench() {
  }
}
