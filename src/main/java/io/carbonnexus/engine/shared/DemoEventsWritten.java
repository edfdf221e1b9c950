package io.carbonnexus.engine.shared;

import io.vertx.core.json.JsonObject;

import java.time.Instant;

/** Body of {@link Addresses#DEMO_EVENTS_WRITTEN}: the demo feed wrote {@code events} events with occurred_at in [from, to). */
public record DemoEventsWritten(Instant from, Instant to, int events) {

  public JsonObject toJson() {
    return new JsonObject().put("from", from.toString()).put("to", to.toString()).put("events", events);
  }

  public static DemoEventsWritten fromJson(JsonObject json) {
    return new DemoEventsWritten(Instant.parse(json.getString("from")), Instant.parse(json.getString("to")),
      json.getInteger("events"));
  }
}
