package io.carbonnexus.engine.simulation;

import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.db.Pools;
import io.carbonnexus.engine.shared.Addresses;
import io.carbonnexus.engine.shared.BusFailure;
import io.carbonnexus.engine.shared.FailureCode;
import io.carbonnexus.engine.shared.Hotspot;
import io.carbonnexus.engine.shared.ListQuery;
import io.carbonnexus.engine.shared.Prediction;
import io.carbonnexus.engine.shared.PredictionRequest;
import io.carbonnexus.engine.shared.ShipmentEvent;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What-if: the current window's events of a route (and/or supplier), changed as asked (another
 * vehicle type, a load or distance change in percent), predicted by the prediction verticle
 * together with the unchanged events, so that the delta compares one model with itself.
 * Nothing is stored.
 */
public final class SimulationVerticle extends VerticleBase {

  static final String WINDOW_EVENTS = """
    select id, occurred_at, supplier, route, vehicle_type, distance_km, load_tonnes, payload_capacity_tonnes
      from events_normalized
     where occurred_at > $1 and occurred_at <= $2
       and ($3::text is null or route = $3)
       and ($4::text is null or supplier = $4)
     order by id
     limit $5
    """;

  /** Whether the engine has ever seen the route and the supplier (null filters count as known). */
  static final String KNOWN = """
    select ($1::text is null or exists (select 1 from entity_minute_totals where entity_type = 'route' and entity = $1))
             as route_known,
           ($2::text is null or exists (select 1 from entity_minute_totals where entity_type = 'supplier' and entity = $2))
             as supplier_known
    """;

  private static final Duration PREDICT_TIMEOUT = Duration.ofMinutes(1);

  /** What to change and on which events; every field optional, at least one change. */
  record Scenario(String route, String supplier, String vehicleType, Double loadChange, Double distanceChange) {

    static Scenario of(JsonObject body) {
      Scenario s = new Scenario(text(body, "route", 200), text(body, "supplier", 200),
        text(body, "vehicle_type", 100), percent(body, "load_change"), percent(body, "distance_change"));
      if (s.vehicleType() == null && s.loadChange() == null && s.distanceChange() == null) {
        throw new IllegalArgumentException("give at least one change: vehicle_type, load_change or distance_change");
      }
      return s;
    }

    /** The event as it would be; a new vehicle type drops the old vehicle's payload capacity. */
    ShipmentEvent apply(ShipmentEvent e, long id) {
      return new ShipmentEvent(id, e.occurredAt(), e.supplier(), e.route(),
        vehicleType == null ? e.vehicleType() : vehicleType,
        scale(e.distanceKm(), distanceChange), scale(e.loadTonnes(), loadChange),
        vehicleType == null ? e.payloadCapacityTonnes() : null);
    }

    private static Double scale(Double value, Double percent) {
      return value == null || percent == null ? value : value * (1 + percent / 100.0);
    }

    private static String text(JsonObject body, String field, int max) {
      String value = ListQuery.text(body, field);
      if (value != null && (value.isEmpty() || value.length() > max)) {
        throw new IllegalArgumentException(field + " must be 1 to " + max + " characters");
      }
      return value;
    }

    private static Double percent(JsonObject body, String field) {
      Object value = body.getValue(field);
      if (value == null) {
        return null;
      }
      if (!(value instanceof Number n) || !Double.isFinite(n.doubleValue())) {
        throw new IllegalArgumentException(field + " must be a number (percent)");
      }
      double v = n.doubleValue();
      if (v < -100 || v > 1000) {
        throw new IllegalArgumentException(field + " must be between -100 and 1000 (percent), was " + v);
      }
      return v;
    }
  }

  private final Clock clock;
  private Pool pool;
  private Duration window;
  private int maxEvents;
  private String basis;

  public SimulationVerticle() {
    this(Clock.systemUTC());
  }

  public SimulationVerticle(Clock clock) {
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    JsonObject conf = config();
    pool = Pools.shared(vertx, conf);
    window = ConfigKeys.DETECTION_WINDOW.get(conf);
    maxEvents = ConfigKeys.SIMULATION_MAX_EVENTS.get(conf);
    basis = ConfigKeys.EMISSIONS_BASIS.get(conf).wire();
    return vertx.eventBus().<JsonObject>consumer(Addresses.SIMULATE, m -> BusFailure.answer(m, this::simulate))
      .completion();
  }

  private Future<JsonObject> simulate(JsonObject body) {
    Scenario scenario = Scenario.of(body);
    OffsetDateTime to = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    return pool.preparedQuery(KNOWN).execute(Tuple.of(scenario.route(), scenario.supplier()))
      .compose(rows -> {
        Row known = rows.iterator().next();
        if (!known.getBoolean("route_known")) {
          return fail(FailureCode.NOT_FOUND, "unknown route '" + scenario.route() + "'", "route");
        }
        if (!known.getBoolean("supplier_known")) {
          return fail(FailureCode.NOT_FOUND, "unknown supplier '" + scenario.supplier() + "'", "supplier");
        }
        return pool.preparedQuery(WINDOW_EVENTS)
          .execute(Tuple.of(to.minus(window), to, scenario.route(), scenario.supplier(), maxEvents + 1));
      })
      .compose(rows -> {
        if (rows.size() > maxEvents) {
          return fail(FailureCode.INVALID_REQUEST, "the window holds more than " + maxEvents
            + " matching events (simulation.max_events): narrow it with route or supplier", null);
        }
        return predict(scenario, events(rows));
      });
  }

  private static List<ShipmentEvent> events(RowSet<Row> rows) {
    List<ShipmentEvent> events = new ArrayList<>(rows.size());
    for (Row r : rows) {
      events.add(new ShipmentEvent(r.getLong("id"), r.getOffsetDateTime("occurred_at").toInstant(), r.getString("supplier"),
        r.getString("route"), r.getString("vehicle_type"), r.getDouble("distance_km"), r.getDouble("load_tonnes"),
        r.getDouble("payload_capacity_tonnes")));
    }
    return events;
  }

  /**
   * One prediction request holds each event twice: as it is (its own id) and as changed (the
   * negated id). An event counts only when both versions were predicted.
   */
  private Future<JsonObject> predict(Scenario scenario, List<ShipmentEvent> events) {
    List<ShipmentEvent> both = new ArrayList<>(events.size() * 2);
    for (ShipmentEvent e : events) {
      both.add(e);
      both.add(scenario.apply(e, -e.id()));
    }
    return new PredictionRequest(both, false).ask(vertx, PREDICT_TIMEOUT)
      .compose(answer -> {
        Map<Long, Prediction> byId = new HashMap<>(answer.predictions().size() * 2);
        answer.predictions().forEach(p -> byId.put(p.eventId(), p));
        Map<Long, String> errors = new HashMap<>();
        answer.errors().forEach(err -> errors.put(err.eventId(), err.reason()));
        double oldValue = 0;
        double newValue = 0;
        int used = 0;
        int skipped = 0;
        Map<String, Integer> models = new TreeMap<>();
        String modelVersion = null;
        for (ShipmentEvent e : events) {
          Prediction before = byId.get(e.id());
          Prediction after = byId.get(-e.id());
          if (before != null && after == null && scenario.vehicleType() != null) {
            // The event itself is fine: the change is what no model can predict.
            return fail(FailureCode.INVALID_REQUEST, "vehicle_type: " + errors.getOrDefault(-e.id(), "cannot be predicted"),
              "vehicle_type");
          }
          if (before == null || after == null) {
            skipped++;
            continue;
          }
          used++;
          oldValue += before.co2Kg();
          newValue += after.co2Kg();
          models.merge(after.model(), 1, Integer::sum);
          modelVersion = after.modelVersion();
        }
        return Future.succeededFuture(result(scenario, oldValue, newValue, used, skipped, models, modelVersion));
      });
  }

  private JsonObject result(Scenario s, double oldValue, double newValue, int used, int skipped,
                            Map<String, Integer> models, String modelVersion) {
    double delta = newValue - oldValue;
    return new JsonObject()
      .put("new_value", Hotspot.round(newValue))
      .put("delta", Hotspot.round(delta))
      .put("old_value", Hotspot.round(oldValue))
      .put("percent_change", oldValue > 0 ? Math.round(delta / oldValue * 1000) / 10.0 : null)
      .put("events", used)
      .put("skipped", skipped)
      // One model, unless ml-engine failed part-way through: then both, joined by "+".
      .put("model", models.isEmpty() ? null : String.join("+", models.keySet()))
      .put("model_version", models.size() == 1 ? modelVersion : null)
      .put("window_seconds", window.toSeconds())
      // The prediction verticle answers on the same configured basis.
      .put("basis", basis)
      .put("filter", new JsonObject().put("route", s.route()).put("supplier", s.supplier()))
      .put("changes", new JsonObject().put("vehicle_type", s.vehicleType()).put("load_change", s.loadChange())
        .put("distance_change", s.distanceChange()));
  }

  private static <T> Future<T> fail(FailureCode code, String error, String field) {
    return Future.failedFuture(new BusFailure(code, error, field == null ? null : new JsonObject().put("field", field))
      .asException());
  }
}
