package io.carbonnexus.engine.ingestion;

import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.db.DatabaseUrl;
import io.carbonnexus.engine.db.Pools;
import io.carbonnexus.engine.shared.Addresses;
import io.carbonnexus.engine.shared.EventsIngested;
import io.carbonnexus.engine.shared.Metrics;
import io.carbonnexus.engine.shared.PredictionReply;
import io.carbonnexus.engine.shared.PredictionRequest;
import io.carbonnexus.engine.shared.ShipmentEvent;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Picks up new {@code events_normalized} rows, whoever inserted them, and has them predicted and
 * stored in batches. Real time through LISTEN/NOTIFY (a statement trigger installed by the
 * migrations), with polling as the safety net where notifications do not arrive (a transaction
 * pooler, a lost connection). The watermark is persisted after each stored batch; the read
 * starts a little below it and skips events that already have a prediction or an error, so a
 * restart neither skips nor repeats an event.
 */
public final class IngestionVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(IngestionVerticle.class);
  /** A batch is predicted and stored within this, or the batch is retried at the next wake-up. */
  private static final long PREDICT_TIMEOUT_MS = 120_000;

  private Pool pool;
  private PgSubscriber subscriber;
  private int batchSize;
  private long lookback;
  private long watermark;
  private boolean running;
  private boolean again;
  private boolean stopping;
  private long pollTimer = -1;
  private Future<Void> current = Future.succeededFuture();
  private Counter ingested;
  private Counter skipped;

  @Override
  public Future<?> start() {
    JsonObject conf = config();
    batchSize = ConfigKeys.INGESTION_BATCH_SIZE.get(conf);
    lookback = ConfigKeys.INGESTION_LOOKBACK_IDS.get(conf);
    pool = Pools.shared(vertx, conf);
    var registry = Metrics.registry(conf);
    ingested = Counter.builder("nexus_ingested_events_total").description("Events predicted and stored by ingestion")
      .register(registry);
    skipped = Counter.builder("nexus_ingestion_skipped_total")
      .description("Bad events_normalized rows skipped by ingestion (reason in prediction_errors)").register(registry);
    return pool.query(IngestionSql.READ_WATERMARK).execute()
      .compose(rows -> {
        watermark = rows.iterator().next().getLong(0);
        return listen(conf);
      })
      .onSuccess(v -> {
        long poll = ConfigKeys.INGESTION_POLL_INTERVAL.get(conf).toMillis();
        pollTimer = vertx.setPeriodic(0, poll, id -> wake());
        LOG.info("Ingestion from event {} on: LISTEN {} and polling every {} ms", watermark, IngestionSql.CHANNEL, poll);
      });
  }

  @Override
  public Future<?> stop() {
    // The batch in flight is finished and its watermark stored; the backlog waits for the next start.
    stopping = true;
    vertx.cancelTimer(pollTimer);
    again = false;
    Future<Void> closing = subscriber == null ? Future.succeededFuture() : subscriber.close();
    return Future.join(closing, current.otherwiseEmpty());
  }

  /**
   * LISTEN on a dedicated connection. Its failure does not stop ingestion: polling still finds
   * every event, only later.
   */
  private Future<Void> listen(JsonObject conf) {
    subscriber = PgSubscriber.subscriber(vertx, DatabaseUrl.parse(ConfigKeys.DB_URL.get(conf)).connectOptions())
      .reconnectPolicy(retries -> 1_000L);
    subscriber.channel(IngestionSql.CHANNEL).handler(payload -> wake());
    subscriber.closeHandler(v -> LOG.debug("LISTEN connection closed"));
    return subscriber.connect().recover(err -> {
      LOG.warn("LISTEN/NOTIFY unavailable ({}): new events are found by polling only", err.getMessage());
      return Future.succeededFuture();
    });
  }

  /** Coalesces wake-ups: one drain at a time, and one more if something arrived meanwhile. */
  private void wake() {
    if (stopping) {
      return;
    }
    if (running) {
      again = true;
      return;
    }
    running = true;
    current = drain().onComplete(ar -> {
      if (ar.failed()) {
        LOG.warn("Ingestion stopped at event {} (retrying at the next notification or poll): {}", watermark,
          ar.cause().getMessage());
      }
      running = false;
      if (again) {
        again = false;
        wake();
      }
    });
  }

  private Future<Void> drain() {
    return pool.preparedQuery(IngestionSql.NEXT_EVENTS).execute(Tuple.of(watermark - lookback, batchSize))
      .compose(rows -> {
        if (rows.size() == 0) {
          return Future.succeededFuture();
        }
        List<ShipmentEvent> events = new ArrayList<>(rows.size());
        for (Row r : rows) {
          events.add(event(r));
        }
        return ingest(events).compose(v -> rows.size() == batchSize && !stopping ? drain() : Future.succeededFuture());
      });
  }

  private Future<Void> ingest(List<ShipmentEvent> events) {
    long maxId = events.get(events.size() - 1).id();
    return vertx.eventBus().<JsonObject>request(Addresses.PREDICT, new PredictionRequest(events, true).toJson(),
        new DeliveryOptions().setSendTimeout(PREDICT_TIMEOUT_MS))
      .map(reply -> PredictionReply.fromJson(reply.body()))
      .compose(reply -> pool.preparedQuery(IngestionSql.ADVANCE_WATERMARK).execute(Tuple.of(maxId)).map(reply))
      .map(reply -> {
        watermark = Math.max(watermark, maxId);
        ingested.increment(reply.predictions().size());
        skipped.increment(reply.errors().size());
        vertx.eventBus().publish(Addresses.EVENTS_INGESTED, touched(events, reply).toJson());
        return null;
      });
  }

  private static EventsIngested touched(List<ShipmentEvent> events, PredictionReply reply) {
    Set<Long> predicted = new java.util.HashSet<>();
    reply.predictions().forEach(p -> predicted.add(p.eventId()));
    Set<String> suppliers = new TreeSet<>();
    Set<String> routes = new TreeSet<>();
    Set<String> types = new TreeSet<>();
    long maxId = 0;
    for (ShipmentEvent e : events) {
      maxId = Math.max(maxId, e.id());
      if (predicted.contains(e.id())) {
        suppliers.add(e.supplier());
        routes.add(e.route());
        types.add(e.vehicleType());
      }
    }
    return new EventsIngested(reply.predictions().size(), reply.errors().size(), maxId, suppliers, routes, types);
  }

  private static ShipmentEvent event(Row r) {
    var occurred = r.getOffsetDateTime("occurred_at");
    return new ShipmentEvent(r.getLong("id"), occurred == null ? null : occurred.toInstant(), r.getString("supplier"),
      r.getString("route"), r.getString("vehicle_type"), r.getDouble("distance_km"), r.getDouble("load_tonnes"),
      r.getDouble("payload_capacity_tonnes"));
  }
}
