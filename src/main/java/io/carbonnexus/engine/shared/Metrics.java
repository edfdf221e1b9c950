package io.carbonnexus.engine.shared;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.backends.BackendRegistries;

/** Where a verticle registers its own meters: the node's Prometheus registry, scraped at /metrics. */
public final class Metrics {

  private Metrics() {
  }

  /**
   * The registry of the engine this verticle belongs to; a private in-memory one when the
   * verticle runs without an engine (tests that deploy it alone).
   */
  public static MeterRegistry registry(JsonObject config) {
    String name = config.getString(RuntimeKeys.METRICS_REGISTRY);
    MeterRegistry registry = name == null ? null : BackendRegistries.getNow(name);
    return registry != null ? registry : new SimpleMeterRegistry();
  }
}
