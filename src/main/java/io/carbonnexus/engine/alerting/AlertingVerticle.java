package io.carbonnexus.engine.alerting;

import io.carbonnexus.engine.alerting.AlertPolicy.Decision;
import io.carbonnexus.engine.alerting.AlertPolicy.Kind;
import io.carbonnexus.engine.config.ConfigKey;
import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.db.Pools;
import io.carbonnexus.engine.shared.Addresses;
import io.carbonnexus.engine.shared.Alert;
import io.carbonnexus.engine.shared.BusFailure;
import io.carbonnexus.engine.shared.EntityType;
import io.carbonnexus.engine.shared.FailureCode;
import io.carbonnexus.engine.shared.Hotspot;
import io.carbonnexus.engine.shared.HotspotChange;
import io.carbonnexus.engine.shared.HotspotStatus;
import io.carbonnexus.engine.shared.Words;
import io.carbonnexus.engine.shared.ListQuery;
import io.carbonnexus.engine.shared.Severity;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;

import static io.carbonnexus.engine.db.SqlTime.at;

/**
 * Turns hotspot changes into alerts with {@link AlertPolicy}: stored once in {@code alerts} (a
 * dedup key per hotspot, kind, level and change) and published on {@code alerts}. A timer sends
 * repeats for alerts still firing after {@code alerting.repeat_interval} when no change came.
 */
public final class AlertingVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(AlertingVerticle.class);
  /** How often firing alerts are checked for a repeat: a fraction of the interval, at most a minute. */
  private static final Duration MAX_REPEAT_CHECK = Duration.ofMinutes(1);

  /** A change older than the hotspot's current state: nothing to decide. */
  private static final Exception STALE = new Exception("stale change", null, false, false) {
  };

  private final Clock clock;
  private Pool pool;
  private AlertPolicy.Settings settings;
  /** detection.window: alerts of other windows say which window fired. */
  private String mainWindow;
  private long repeatTimer = -1;
  private Future<Void> last = Future.succeededFuture();

  public AlertingVerticle() {
    this(Clock.systemUTC());
  }

  public AlertingVerticle(Clock clock) {
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    JsonObject conf = config();
    Severity min = ConfigKeys.ALERTING_MIN_LEVEL.get(conf);
    Duration repeat = ConfigKeys.ALERTING_REPEAT_INTERVAL.get(conf);
    settings = new AlertPolicy.Settings(min, repeat);
    mainWindow = io.carbonnexus.engine.config.ConfigKey.formatDuration(ConfigKeys.DETECTION_WINDOW.get(conf));
    pool = Pools.shared(vertx, conf);
    return vertx.eventBus().<JsonObject>consumer(Addresses.HOTSPOTS, m -> {
        Hotspot h = Hotspot.fromMessage(m.body());
        if (h != null && h.change() != null) {
          // One change after the other on this verticle: the same hotspot's changes keep their order.
          last = last.otherwiseEmpty().compose(v -> handle(h));
        }
      }).completion()
      .compose(v -> vertx.eventBus().<JsonObject>consumer(Addresses.ALERT_ACKNOWLEDGE,
        m -> BusFailure.answer(m, "acknowledgement not stored", this::acknowledge)).completion())
      .compose(v -> vertx.eventBus().<JsonObject>consumer(Addresses.SILENCE,
        m -> BusFailure.answer(m, "silence not stored", this::silence)).completion())
      .compose(v -> vertx.eventBus().<JsonObject>consumer(Addresses.ALERTS_LIST, m -> BusFailure.answer(m, this::list))
        .completion())
      .onSuccess(v -> {
        long check = Math.min(MAX_REPEAT_CHECK.toMillis(), Math.max(1_000, repeat.toMillis() / 4));
        repeatTimer = vertx.setPeriodic(check, check, id -> repeats());
        LOG.info("Alerting from {} up, repeating every {} while firing", min.wire(), ConfigKey.formatDuration(repeat));
      });
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(repeatTimer);
    return last.otherwiseEmpty();
  }

  private Future<Void> handle(Hotspot h) {
    HotspotChange change = h.change();
    Instant now = clock.instant();
    return pool.withTransaction(conn -> conn.preparedQuery(AlertingSql.LOCK_HOTSPOT).execute(Tuple.of(String.valueOf(h.id())))
        .compose(v -> conn.preparedQuery(AlertingSql.CURRENT_HOTSPOT).execute(Tuple.of(h.id())))
        .compose(rows -> {
          // Changes are heard asynchronously, on every node: decide only on the hotspot's latest state.
          boolean stale = rows.size() == 0
            || rows.iterator().next().getOffsetDateTime(1).toInstant().isAfter(h.updatedAt())
            || (HotspotStatus.RESOLVED.wire().equals(rows.iterator().next().getString(0))
              && change != HotspotChange.RESOLVED);
          return stale ? Future.failedFuture(STALE) : state(conn, h.id());
        })
        .compose(state -> conn.preparedQuery(AlertingSql.SILENCED_UNTIL)
          .execute(Tuple.of(h.entityType().wire(), h.entity(), at(now)))
          .map(rows -> {
            OffsetDateTime until = rows.iterator().next().getOffsetDateTime(0);
            return AlertPolicy.decide(change, h.severity(), state, until == null ? null : until.toInstant(), settings, now);
          }))
        .compose(decision -> decision.kind() == Kind.NONE
          ? Future.succeededFuture((Alert) null)
          : store(conn, h, decision, now)))
      .onSuccess(alert -> {
        if (alert != null) {
          vertx.eventBus().publish(Addresses.ALERTS, alert.toJson());
        }
      })
      .<Void>mapEmpty()
      .recover(err -> {
        if (err != STALE) {
          LOG.warn("No alert decided for hotspot {} ({}), the reconciler retries: {}", h.id(), change, err.getMessage());
        }
        return Future.succeededFuture();
      });
  }

  private Future<JsonObject> acknowledge(JsonObject body) {
    if (!(body.getValue("id") instanceof Number n)) {
      throw new IllegalArgumentException("id must be an alert id");
    }
    String by = text(body.getValue("by"), 200);
    OffsetDateTime now = at(clock.instant());
    return pool.preparedQuery(AlertingSql.ACKNOWLEDGE).execute(Tuple.of(n.longValue(), now, by))
      .compose(v -> pool.preparedQuery(AlertingSql.ALERT_BY_ID).execute(Tuple.of(n.longValue())))
      .compose(rows -> rows.size() == 0
        ? Future.failedFuture(new BusFailure(FailureCode.NOT_FOUND, "no alert " + n.longValue(), null).asException())
        : Future.succeededFuture(alert(rows.iterator().next()).toJson()));
  }

  private static Alert alert(Row r) {
    OffsetDateTime ack = r.getOffsetDateTime("acknowledged_at");
    return new Alert(r.getLong("id"), Severity.of(r.getString("level")), r.getString("message"),
      r.getLong("hotspot_id"), r.getOffsetDateTime("created_at").toInstant(), r.getString("kind"),
      r.getString("entity_type"), r.getString("entity"), r.getInteger("percent_above"),
      ack == null ? null : ack.toInstant());
  }

  /** GET /alerts: newest first, filtered. */
  private Future<JsonArray> list(JsonObject request) {
    ListQuery q = ListQuery.of(request);
    String kind = ListQuery.oneOf(request, "kind", Kind.SENT);
    Long hotspotId = ListQuery.number(request, "hotspot_id");
    return pool.preparedQuery(AlertingSql.LIST_ALERTS)
      .execute(Tuple.of(q.severities(), kind, q.entityType(), q.entity(), hotspotId, q.since(), q.limit()))
      .map(rows -> {
        JsonArray out = new JsonArray();
        rows.forEach(r -> out.add(alert(r).toJson()));
        return out;
      });
  }

  private Future<JsonObject> silence(JsonObject body) {
    String type = text(body.getValue("entity_type"), 100);
    String entity = text(body.getValue("entity"), 500);
    Duration duration;
    try {
      duration = ConfigKey.parseDurationText(String.valueOf(body.getValue("duration")));
    } catch (IllegalArgumentException e) {
      duration = null;
    }
    if (type == null || EntityType.find(type).isEmpty() || entity == null) {
      throw new IllegalArgumentException("entity_type (" + Words.either(EntityType.wires()) + ") and entity are required");
    }
    if (duration == null || duration.isZero() || duration.compareTo(Duration.ofDays(90)) > 0) {
      throw new IllegalArgumentException("duration must be a duration such as 30m, 2h or 7d, at most 90d");
    }
    Instant until = clock.instant().plus(duration);
    String reason = text(body.getValue("reason"), 1000);
    String by = text(body.getValue("by"), 200);
    return pool.preparedQuery(AlertingSql.INSERT_SILENCE)
      .execute(Tuple.of(type, entity, at(until), reason, by))
      .map(rows -> new JsonObject().put("id", rows.iterator().next().getLong(0))
        .put("entity_type", type).put("entity", entity).put("until", until.toString()).put("reason", reason)
        .put("created_by", by));
  }

  /** A non-blank string of at most {@code max} characters without NUL, or null. */
  private static String text(Object value, int max) {
    if (!(value instanceof String s) || s.isBlank() || s.length() > max || s.indexOf('\u0000') >= 0) {
      return null;
    }
    return s.trim();
  }

  private static Future<AlertPolicy.State> state(SqlConnection conn, long hotspotId) {
    return conn.preparedQuery(AlertingSql.LAST_ALERT).execute(Tuple.of(hotspotId)).map(rows -> {
      if (rows.size() == 0) {
        return AlertPolicy.State.NONE;
      }
      Row r = rows.iterator().next();
      if (Kind.RESOLVED.wire().equals(r.getString("kind"))) {
        return AlertPolicy.State.NONE;
      }
      return new AlertPolicy.State(Severity.of(r.getString("level")), r.getOffsetDateTime("created_at").toInstant(),
        r.getOffsetDateTime("acknowledged_at") != null);
    });
  }

  private Future<Alert> store(SqlConnection conn, Hotspot h, Decision d, Instant now) {
    String message = AlertPolicy.message(d.kind(), h.entity(), h.percentAbove(), h.window(), h.kind(), mainWindow,
      h.laneSupplier());
    // The change's own time identifies it: a redelivered change (or another node) makes the same key.
    Instant changeAt = d.kind() == Kind.REPEAT ? now : h.updatedAt();
    String key = h.id() + ":" + d.kind().wire() + ":" + d.level().wire() + ":" + changeAt;
    return conn.preparedQuery(AlertingSql.INSERT_ALERT)
      .execute(Tuple.tuple().addString(d.level().wire()).addString(message).addLong(h.id()).addString(d.kind().wire())
        .addString(key).addOffsetDateTime(at(now)).addString(h.entityType().wire())
        .addString(h.entity()).addInteger(h.percentAbove()))
      .map(rows -> rows.size() == 0 ? null : new Alert(rows.iterator().next().getLong(0), d.level(), message, h.id(), now,
        d.kind().wire(), h.entityType().wire(), h.entity(), h.percentAbove(), null));
  }

  /**
   * What no change carries: repeats of firing alerts, resolutions swallowed by a silence or lost,
   * alerts of hotspots that never alerted (a silence ended, a missed change) and missed
   * escalations. Each such hotspot is re-decided in its current state.
   */
  private void repeats() {
    Instant now = clock.instant();
    String[] alerting = java.util.Arrays.stream(Severity.values()).filter(s -> !settings.minLevel().above(s))
      .map(Severity::wire).toArray(String[]::new);
    pool.preparedQuery(AlertingSql.RECONCILE)
      .execute(Tuple.of(at(now.minus(settings.repeatInterval())), alerting, at(now.minus(Duration.ofDays(1)))))
      .onSuccess(rows -> {
        for (Hotspot h : Hotspot.readable(rows, true)) {
          last = last.otherwiseEmpty().compose(v -> handle(h));
        }
      })
      .onFailure(err -> LOG.warn("Alert reconciliation failed (next check retries): {}", err.getMessage()));
  }

}
