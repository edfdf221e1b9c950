package io.carbonnexus.engine.shared;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Set;
import java.util.TreeSet;

/**
 * Body of {@link Addresses#EVENTS_INGESTED}: how many events were predicted and stored, how many
 * were skipped as bad rows, the highest event id, and the entities they touch.
 */
public record EventsIngested(int predicted, int skipped, long maxEventId, Set<String> suppliers, Set<String> routes,
                             Set<String> vehicleTypes) {

  public JsonObject toJson() {
    return new JsonObject()
      .put("predicted", predicted)
      .put("skipped", skipped)
      .put("max_event_id", maxEventId)
      .put("suppliers", new JsonArray(new ArrayList<>(suppliers)))
      .put("routes", new JsonArray(new ArrayList<>(routes)))
      .put("vehicle_types", new JsonArray(new ArrayList<>(vehicleTypes)));
  }

  public static EventsIngested fromJson(JsonObject json) {
    return new EventsIngested(json.getInteger("predicted", 0), json.getInteger("skipped", 0),
      json.getLong("max_event_id", 0L), strings(json.getJsonArray("suppliers")), strings(json.getJsonArray("routes")),
      strings(json.getJsonArray("vehicle_types")));
  }

  private static Set<String> strings(JsonArray array) {
    Set<String> set = new TreeSet<>();
    if (array != null) {
      for (Object o : array) {
        if (o instanceof String s) {
          set.add(s);
        }
      }
    }
    return set;
  }
}
