package io.carbonnexus.engine.ingestion;

import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.db.DatabaseUrl;
import io.carbonnexus.engine.db.EventsTable;
import io.carbonnexus.engine.db.Pools;
import io.carbonnexus.engine.db.SessionLock;
import io.carbonnexus.engine.shared.Addresses;
import io.carbonnexus.engine.shared.BusFailure;
import io.carbonnexus.engine.shared.EventTimeWindow;
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
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
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
  private static final Duration PREDICT_TIMEOUT = Duration.ofMinutes(2);
  /**
   * Expired idempotency keys are deleted this often (and at start): one indexed delete, so a few
   * minutes' worth of expired rows is all that ever waits, and an expired key counts as new anyway.
   */
  private static final long PURGE_EVERY_MS = 10 * 60_000;

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
  private long purgeTimer = -1;
  /** http.idempotency_key_ttl in seconds, as the SQL takes it. */
  private double keyTtlSeconds;
  private Duration maxEventAge;
  private Duration maxEventAhead;
  private Future<Void> current = Future.succeededFuture();
  /** Events predicted since start (for the caught-up notice), and whether that notice went out once. */
  private long ingestedTotal;
  private boolean reportedCaughtUp;
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
    keyTtlSeconds = ConfigKeys.HTTP_IDEMPOTENCY_KEY_TTL.get(conf).toMillis() / 1000.0;
    maxEventAge = ConfigKeys.INGESTION_MAX_EVENT_AGE.get(conf);
    maxEventAhead = ConfigKeys.INGESTION_MAX_EVENT_AHEAD.get(conf);
    pool = Pools.shared(vertx, conf);
    var registry = Metrics.registry(conf);
    ingested = Counter.builder("nexus_ingested_events_total").description("Events predicted and stored by ingestion")
      .register(registry);
    skipped = Counter.builder("nexus_ingestion_skipped_total")
      .description("Bad events_normalized rows skipped by ingestion (reason in prediction_errors)").register(registry);
    long poll = ConfigKeys.INGESTION_POLL_INTERVAL.get(conf).toMillis();
    reader = new SessionLock(vertx, DatabaseUrl.parse(ConfigKeys.DB_URL.get(conf)).connectOptions(), "nexus.ingestion",
      this::becameReader);
    return vertx.eventBus().<JsonObject>consumer(Addresses.SUBMIT_EVENTS,
        m -> BusFailure.answer(m, "events could not be stored", this::submit)).completion()
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
        purgeTimer = vertx.setPeriodic(0, PURGE_EVERY_MS, id -> purgeExpiredKeys());
        LOG.info("Ingestion from event {} on: LISTEN {} and polling every {} ms", watermark, IngestionSql.CHANNEL, poll);
      });
  }

  @Override
  public Future<?> stop() {
    // The batch in flight is finished and its watermark stored; the backlog waits for the next start.
    stopping = true;
    vertx.cancelTimer(pollTimer);
    vertx.cancelTimer(sweepTimer);
    vertx.cancelTimer(purgeTimer);
    again = false;
    Future<Void> closing = subscriber == null ? Future.succeededFuture() : subscriber.close();
    return Future.join(closing, current.otherwiseEmpty()).eventually(() -> reader.close());
  }

  private void purgeExpiredKeys() {
    pool.preparedQuery(IngestionSql.PURGE_SUBMISSIONS).execute(Tuple.of(keyTtlSeconds))
      .onSuccess(rows -> {
        if (rows.rowCount() > 0) {
          LOG.debug("Forgot {} expired idempotency keys", rows.rowCount());
        }
      })
      .onFailure(err -> LOG.warn("Expired idempotency keys could not be purged (next try in {} min): {}",
        PURGE_EVERY_MS / 60_000, err.getMessage()));
  }

  /** The plausible event times as of now: one rule for POST /events and for rows written straight in. */
  private EventTimeWindow window() {
    return new EventTimeWindow(Instant.now(), maxEventAge, maxEventAhead);
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
    long before = ingestedTotal;
    current = drain().onComplete(ar -> {
      if (ar.failed()) {
        LOG.warn("Ingestion stopped at event {} (retrying at the next notification or poll): {}", watermark,
          ar.cause().getMessage());
      } else {
        caughtUp(ingestedTotal - before);
      }
      running = false;
      if (again) {
        again = false;
        wake();
      }
    });
  }

  /**
   * Tells whoever learns from history that everything written so far is predicted: after this
   * engine's first drain, and after any drain that worked off a backlog (at least a batch), never
   * for the trickle of single events.
   */
  private void caughtUp(long events) {
    boolean first = !reportedCaughtUp;
    if (first || events >= batchSize) {
      reportedCaughtUp = true;
      vertx.eventBus().publish(Addresses.INGESTION_CAUGHT_UP, new JsonObject().put("events", events)
        .put("first", first).put("watermark", watermark));
    }
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
    return new PredictionRequest(events, true, false, window()).ask(vertx, PREDICT_TIMEOUT)
      .map(prediction -> {
        ingested.increment(prediction.stored());
        ingestedTotal += events.size();
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
   * A producer's batch (POST /events): checked for required fields and plausible times, then by the
   * prediction model — every event must be predictable — then inserted in one statement, so either
   * all events are in the table or none. With an idempotency key, a retry of the same events
   * answers with the first submission's ids, and other events under a remembered key are refused.
   */
  private Future<JsonObject> submit(JsonObject body) {
    JsonArray array = body.getJsonArray("events", new JsonArray());
    String key = body.getString("idempotency_key");
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
      throw new BusFailure(FailureCode.INVALID_REQUEST, missing.size() + " of " + events.size()
        + " events lack required fields; nothing was inserted", missing).asException();
    }
    // Thousands of events take milliseconds to hash: off the event loop.
    Future<String> fingerprint = key == null
      ? Future.succeededFuture()
      : vertx.executeBlocking(() -> SubmissionFingerprint.of(array), false);
    return fingerprint.compose(request -> findSubmission(key).compose(previous -> {
      if (previous != null) {
        return previous.answer(key, request);
      }
      JsonArray outOfRange = outOfRange(events, window());
      if (!outOfRange.isEmpty()) {
        return Future.failedFuture(new BusFailure(FailureCode.INVALID_REQUEST, outOfRange.size() + " of "
          + events.size() + " events have an implausible occurred_at; nothing was inserted", outOfRange).asException());
      }
      // The built-in model checks the batch: fast, and independent of ml-engine's health.
      return new PredictionRequest(events, false, true).ask(vertx, PREDICT_TIMEOUT)
        .compose(reply -> {
          if (!reply.errors().isEmpty()) {
            JsonArray details = new JsonArray();
            reply.errors().forEach(err -> details.add(new JsonObject().put("index", err.eventId()).put("reason", err.reason())));
            return Future.failedFuture(new BusFailure(FailureCode.INVALID_REQUEST, reply.errors().size() + " of "
              + events.size() + " events cannot be predicted; nothing was inserted", details).asException());
          }
          return insert(events, raw, key, request);
        });
    })).onFailure(err -> {
      if (!(err instanceof BusFailure.Failed)) {
        LOG.warn("A batch of {} submitted events could not be inserted: {}", events.size(), err.getMessage());
      }
    });
  }

  /** Each event whose time the window refuses: its index, the field, why, and the accepted range. */
  private static JsonArray outOfRange(List<ShipmentEvent> events, EventTimeWindow window) {
    JsonArray details = new JsonArray();
    for (int i = 0; i < events.size(); i++) {
      String problem = window.problem(events.get(i).occurredAt());
      if (problem != null) {
        details.add(new JsonObject().put("index", i).put("field", "occurred_at").put("reason", problem)
          .put("earliest", window.earliest().toString()).put("latest", window.latest().toString()));
      }
    }
    return details;
  }

  /** A remembered submission: the ids it created, and the fingerprint of its events (null before V9). */
  private record Submission(long[] ids, String fingerprint, OffsetDateTime createdAt, OffsetDateTime expiresAt) {

    /**
     * The same events again: the first answer. Other events: refused, since replaying would drop
     * them silently. A row stored before fingerprints existed replays by its key alone.
     */
    Future<JsonObject> answer(String key, String request) {
      if (fingerprint == null || fingerprint.equals(request)) {
        return Future.succeededFuture(submitted(ids, true));
      }
      return Future.failedFuture(new BusFailure(FailureCode.IDEMPOTENCY_KEY_REUSED, "Idempotency-Key '" + key
        + "' was used with a different request body at " + createdAt.toInstant() + "; nothing was inserted:"
        + " send these events with a new key", new JsonObject().put("idempotency_key", key)
        .put("first_used_at", createdAt.toInstant().toString()).put("expires_at", expiresAt.toInstant().toString()))
        .asException());
    }
  }

  private Future<Submission> findSubmission(String key) {
    if (key == null) {
      return Future.succeededFuture(null);
    }
    return pool.preparedQuery(IngestionSql.FIND_SUBMISSION).execute(Tuple.of(key, keyTtlSeconds)).map(rows -> {
      if (rows.size() == 0) {
        return null;
      }
      Row row = rows.iterator().next();
      long[] ids = Arrays.stream(row.getArrayOfLongs("event_ids")).mapToLong(Long::longValue).toArray();
      return new Submission(ids, row.getString("request_sha256"), row.getOffsetDateTime("created_at"),
        row.getOffsetDateTime("expires_at"));
    });
  }

  /** Another request holds the key (it committed first): roll back and answer as that request decided. */
  private static final class KeyTaken extends RuntimeException {
    KeyTaken() {
      super("the idempotency key was claimed by a concurrent request", null, false, false);
    }
  }

  private Future<JsonObject> insert(List<ShipmentEvent> events, List<JsonObject> raw, String key, String fingerprint) {
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
          if (key == null) {
            return Future.succeededFuture(ids);
          }
          Long[] boxed = Arrays.stream(ids).boxed().toArray(Long[]::new);
          return conn.preparedQuery(IngestionSql.CLAIM_SUBMISSION)
            .execute(Tuple.tuple().addString(key).addArrayOfLong(boxed).addString(fingerprint).addDouble(keyTtlSeconds))
            .compose(claimed -> claimed.rowCount() == 1 ? Future.succeededFuture(ids) : Future.failedFuture(new KeyTaken()));
        }))
      .map(ids -> submitted(ids, false))
      .recover(err -> {
        // The same key submitted twice at once: the other request won; answer as it was answered.
        if (err instanceof KeyTaken) {
          return findSubmission(key).compose(winner -> winner == null
            ? Future.failedFuture("the idempotency key was claimed by a concurrent request that is gone; try again")
            : winner.answer(key, fingerprint));
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
    return new ShipmentEvent(r.getLong("id"), EventTimeWindow.representable(r.getOffsetDateTime("occurred_at")),
      r.getString("supplier"), r.getString("route"), r.getString("vehicle_type"), r.getDouble("distance_km"),
      r.getDouble("load_tonnes"), r.getDouble("payload_capacity_tonnes"));
  }
}
