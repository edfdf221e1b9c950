package io.carbonnexus.engine.ingestion;

import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.db.DatabaseUrl;
import io.carbonnexus.engine.db.EventsTable;
import io.carbonnexus.engine.db.Pools;
import io.carbonnexus.engine.db.SessionLock;
import io.carbonnexus.engine.shared.Addresses;
import io.carbonnexus.engine.shared.BusFailure;
import io.carbonnexus.engine.shared.FailureCode;
import io.carbonnexus.engine.shared.EventsIngested;
import io.carbonnexus.engine.shared.Metrics;
import io.carbonnexus.engine.shared.PredictionReply;
import io.carbonnexus.engine.shared.PredictionRequest;
import io.carbonnexus.engine.shared.ShipmentEvent;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
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
  private int batchesInFlight;
  private long lookback;
  private long watermark;
  private boolean running;
  private boolean again;
  private boolean stopping;
  private boolean sweepPending;
  private long sweepTimer = -1;
  private long pollTimer = -1;
  private Future<Void> current = Future.succeededFuture();
  private Counter ingested;
  private Counter skipped;
  /** One engine reads events_normalized at a time; the others stand by (and still take POST /events). */
  private SessionLock reader;

  @Override
  public Future<?> start() {
    JsonObject conf = config();
    batchSize = ConfigKeys.INGESTION_BATCH_SIZE.get(conf);
    batchesInFlight = ConfigKeys.INGESTION_BATCHES_IN_FLIGHT.get(conf);
    lookback = ConfigKeys.INGESTION_LOOKBACK_IDS.get(conf);
    pool = Pools.shared(vertx, conf);
    var registry = Metrics.registry(conf);
    ingested = Counter.builder("nexus_ingested_events_total").description("Events predicted and stored by ingestion")
      .register(registry);
    skipped = Counter.builder("nexus_ingestion_skipped_total")
      .description("Bad events_normalized rows skipped by ingestion (reason in prediction_errors)").register(registry);
    long poll = ConfigKeys.INGESTION_POLL_INTERVAL.get(conf).toMillis();
    reader = new SessionLock(vertx, DatabaseUrl.parse(ConfigKeys.DB_URL.get(conf)).connectOptions(), "nexus.ingestion",
      this::becameReader);
    return vertx.eventBus().<JsonObject>consumer(Addresses.SUBMIT_EVENTS, this::submit).completion()
      .compose(v -> reader.start(Math.min(poll, 2_000)))
      .compose(v -> pool.query(IngestionSql.READ_WATERMARK).execute())
      .compose(rows -> {
        watermark = rows.iterator().next().getLong(0);
        return listen(conf);
      })
      .onSuccess(v -> {
        if (!reader.held()) {
          LOG.info("Ingestion on standby: another engine reads events_normalized; this one takes over if it stops");
        }
        pollTimer = vertx.setPeriodic(0, poll, id -> wake());
        long sweep = ConfigKeys.INGESTION_SWEEP_INTERVAL.get(conf).toMillis();
        sweepTimer = vertx.setPeriodic(sweep, sweep, id -> {
          sweepPending = true;
          wake();
        });
        LOG.info("Ingestion from event {} on: LISTEN {} and polling every {} ms", watermark, IngestionSql.CHANNEL, poll);
      });
  }

  @Override
  public Future<?> stop() {
    // The batch in flight is finished and its watermark stored; the backlog waits for the next start.
    stopping = true;
    vertx.cancelTimer(pollTimer);
    vertx.cancelTimer(sweepTimer);
    again = false;
    Future<Void> closing = subscriber == null ? Future.succeededFuture() : subscriber.close();
    return Future.join(closing, current.otherwiseEmpty()).eventually(() -> reader.close());
  }

  /** This engine now reads events_normalized: from the watermark the previous reader stored. */
  private void becameReader() {
    pool.query(IngestionSql.READ_WATERMARK).execute().onSuccess(rows -> {
      watermark = Math.max(watermark, rows.iterator().next().getLong(0));
      wake();
    });
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
    if (stopping || reader == null || !reader.held()) {
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

  /**
   * A drain starts a look-back below the watermark; a sweep (every {@code ingestion.sweep_interval})
   * starts from the first id, for rows of a transaction that committed even later than the
   * look-back allows (a long bulk load beside other writers).
   */
  private Future<Void> drain() {
    long from = sweepPending ? Long.MIN_VALUE : watermark - lookback;
    sweepPending = false;
    return new Drain(from).start();
  }

  /**
   * One drain of the backlog: pages are read one after the other from a cursor (the first a
   * look-back below the watermark), and up to {@code ingestion.batches_in_flight} of them are
   * predicted and stored at once. The watermark only moves below the oldest page still in
   * flight, so a crash never leaves a gap behind it.
   */
  private final class Drain {
    private final Promise<Void> done = Promise.promise();
    private final TreeSet<Long> firstIdsInFlight = new TreeSet<>();
    private long cursor;
    private boolean reading;
    private boolean exhausted;
    private boolean failed;
    private Throwable failure;
    private long ceiling = Long.MAX_VALUE;

    Drain(long from) {
      cursor = from;
    }

    Future<Void> start() {
      pump();
      return done.future();
    }

    private void pump() {
      if (firstIdsInFlight.isEmpty() && !reading && (failed || exhausted || stopping)) {
        // Only once nothing is in flight: a new drain must not re-read what this one still predicts.
        if (failure != null) {
          done.tryFail(failure);
        } else {
          done.tryComplete();
        }
        return;
      }
      if (failed) {
        return;
      }
      if (reading || exhausted || stopping || firstIdsInFlight.size() >= batchesInFlight) {
        return;
      }
      reading = true;
      pool.preparedQuery(IngestionSql.NEXT_EVENTS).execute(Tuple.of(cursor, batchSize)).onComplete(ar -> {
        reading = false;
        if (ar.failed()) {
          fail(ar.cause());
          return;
        }
        if (ar.result().size() < batchSize) {
          exhausted = true;
        }
        if (ar.result().size() > 0) {
          List<ShipmentEvent> events = new ArrayList<>(ar.result().size());
          for (Row r : ar.result()) {
            events.add(event(r));
          }
          long first = events.get(0).id();
          cursor = events.get(events.size() - 1).id();
          firstIdsInFlight.add(first);
          ingest(events).compose(v -> {
            firstIdsInFlight.remove(first);
            return advanceWatermark();
          }, err -> {
            // A failed batch is redone by the next drain: the watermark must stay below it.
            ceiling = Math.min(ceiling, first - 1);
            firstIdsInFlight.remove(first);
            return Future.failedFuture(err);
          }).onComplete(r -> {
            if (r.failed()) {
              fail(r.cause());
            } else {
              pump();
            }
          });
        }
        pump();
      });
    }

    private Future<Void> advanceWatermark() {
      long safe = Math.min(ceiling, firstIdsInFlight.isEmpty() ? cursor : firstIdsInFlight.first() - 1);
      if (safe <= watermark) {
        return Future.succeededFuture();
      }
      watermark = safe;
      return pool.preparedQuery(IngestionSql.ADVANCE_WATERMARK).execute(Tuple.of(safe)).mapEmpty();
    }

    private void fail(Throwable err) {
      failed = true;
      if (failure == null) {
        failure = err;
      }
      pump();
    }
  }

  private Future<Void> ingest(List<ShipmentEvent> events) {
    return vertx.eventBus().<JsonObject>request(Addresses.PREDICT, new PredictionRequest(events, true).toJson(),
        new DeliveryOptions().setSendTimeout(PREDICT_TIMEOUT_MS))
      .map(reply -> {
        PredictionReply prediction = PredictionReply.fromJson(reply.body());
        ingested.increment(prediction.stored());
        skipped.increment(prediction.errors().size());
        vertx.eventBus().publish(Addresses.EVENTS_INGESTED, touched(events, prediction).toJson());
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

  /**
   * A producer's batch (POST /events): checked by the prediction model first — every event must be
   * predictable — then inserted in one statement, so either all events are in the table or none.
   * With an idempotency key, a retry answers with the first submission's ids.
   */
  private void submit(Message<JsonObject> message) {
    JsonArray array = message.body().getJsonArray("events", new JsonArray());
    String key = message.body().getString("idempotency_key");
    List<ShipmentEvent> events = new ArrayList<>(array.size());
    List<JsonObject> raw = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      JsonObject e = array.getJsonObject(i).copy().put("id", i);
      raw.add(e);
      events.add(ShipmentEvent.fromJson(e));
    }
    JsonArray missing = new JsonArray();
    for (int i = 0; i < events.size(); i++) {
      ShipmentEvent e = events.get(i);
      if (e.occurredAt() == null || e.supplier() == null || e.route() == null) {
        missing.add(new JsonObject().put("index", i).put("reason", "occurred_at (RFC 3339), supplier and route are required"));
      }
    }
    if (!missing.isEmpty()) {
      new BusFailure(FailureCode.INVALID_REQUEST, missing.size() + " of " + events.size()
        + " events lack required fields; nothing was inserted", missing).replyTo(message);
      return;
    }
    findSubmission(key).compose(previous -> {
      if (previous != null) {
        return Future.succeededFuture(submitted(previous, true));
      }
      // The built-in model checks the batch: fast, and independent of ml-engine's health.
      return vertx.eventBus().<JsonObject>request(Addresses.PREDICT, new PredictionRequest(events, false, true).toJson(),
          new DeliveryOptions().setSendTimeout(PREDICT_TIMEOUT_MS))
        .map(reply -> PredictionReply.fromJson(reply.body()))
        .compose(reply -> {
          if (!reply.errors().isEmpty()) {
            JsonArray details = new JsonArray();
            reply.errors().forEach(err -> details.add(new JsonObject().put("index", err.eventId()).put("reason", err.reason())));
            return Future.failedFuture(new BusFailure(FailureCode.INVALID_REQUEST, reply.errors().size() + " of "
              + events.size() + " events cannot be predicted; nothing was inserted", details).asException());
          }
          return insert(events, raw, key);
        });
    }).onSuccess(message::reply).onFailure(err -> {
      if (err instanceof BusFailure.Failed f) {
        f.failure().replyTo(message);
      } else {
        LOG.warn("A batch of {} submitted events could not be inserted: {}", events.size(), err.getMessage());
        new BusFailure(FailureCode.STORAGE_FAILED, "events could not be stored: " + err.getMessage(), null).replyTo(message);
      }
    });
  }

  private Future<long[]> findSubmission(String key) {
    if (key == null) {
      return Future.succeededFuture(null);
    }
    return pool.preparedQuery(IngestionSql.FIND_SUBMISSION).execute(Tuple.of(key)).map(rows -> {
      if (rows.size() == 0) {
        return null;
      }
      Long[] ids = rows.iterator().next().getArrayOfLongs(0);
      return java.util.Arrays.stream(ids).mapToLong(Long::longValue).toArray();
    });
  }

  private Future<JsonObject> insert(List<ShipmentEvent> events, List<JsonObject> raw, String key) {
    List<EventsTable.Row> table = new ArrayList<>(events.size());
    for (int i = 0; i < events.size(); i++) {
      ShipmentEvent e = events.get(i);
      JsonObject r = raw.get(i);
      table.add(new EventsTable.Row(e.occurredAt(), e.supplier(), e.route(), e.vehicleType(), e.distanceKm(),
        e.loadTonnes(), e.payloadCapacityTonnes(), r.getString("origin"), r.getString("destination"),
        r.getString("shipment_id")));
    }
    Tuple columns = EventsTable.columns(table);
    return pool.withTransaction(conn -> conn.preparedQuery(EventsTable.INSERT).execute(columns)
        .compose(rows -> {
          long[] ids = new long[rows.size()];
          int i = 0;
          for (Row r : rows) {
            ids[i++] = r.getLong(0);
          }
          Long[] boxed = java.util.Arrays.stream(ids).boxed().toArray(Long[]::new);
          return (key == null
            ? Future.succeededFuture()
            : conn.preparedQuery(IngestionSql.INSERT_SUBMISSION).execute(Tuple.tuple().addString(key).addArrayOfLong(boxed)))
            .map(v -> ids);
        }))
      .map(ids -> submitted(ids, false))
      .recover(err -> {
        // The same key submitted twice at once: the other request won; answer with its ids.
        if (key != null && err instanceof PgException pg && "23505".equals(pg.getSqlState())) {
          return findSubmission(key).map(ids -> submitted(ids, true));
        }
        return Future.failedFuture(err);
      });
  }

  private static JsonObject submitted(long[] ids, boolean replayed) {
    JsonArray list = new JsonArray();
    for (long id : ids) {
      list.add(id);
    }
    return new JsonObject().put("inserted", ids.length).put("ids", list).put("replayed", replayed);
  }

  private static ShipmentEvent event(Row r) {
    var occurred = r.getOffsetDateTime("occurred_at");
    return new ShipmentEvent(r.getLong("id"), occurred == null ? null : occurred.toInstant(), r.getString("supplier"),
      r.getString("route"), r.getString("vehicle_type"), r.getDouble("distance_km"), r.getDouble("load_tonnes"),
      r.getDouble("payload_capacity_tonnes"));
  }
}
