package io.carbonnexus.engine.demo;

import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.db.Pools;
import io.carbonnexus.engine.shared.Addresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Writes synthetic shipment events into {@code events_normalized} so that a new user sees the
 * engine work without data of their own: weeks of history on first start, then every few
 * seconds the events that "happened" since, with occasional surges. Every row's shipment_id
 * starts with {@code demo-}. The events written and the {@code demo_feed_state} mark move in one
 * transaction: a restart resumes where the feed stopped, with no gap and no doubled event.
 */
public final class DemoFeedVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(DemoFeedVerticle.class);

  /** Catch-up is written a day at a time: bounded memory, and progress a user can follow. */
  private static final Duration CHUNK = Duration.ofDays(1);

  private final Clock clock;
  private Pool pool;
  private DemoEventGenerator generator;
  private Duration history;
  private Instant generatedUntil;
  private long timerId = -1;
  private boolean writing;

  public DemoFeedVerticle() {
    this(Clock.systemUTC());
  }

  public DemoFeedVerticle(Clock clock) {
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    JsonObject conf = config();
    generator = new DemoEventGenerator(new DemoEventGenerator.Settings(
      ConfigKeys.DEMO_FEED_SEED.get(conf),
      ConfigKeys.DEMO_FEED_EVENTS_PER_DAY.get(conf),
      ConfigKeys.DEMO_FEED_SURGES_PER_DAY.get(conf),
      ConfigKeys.DEMO_FEED_SURGE_DURATION.get(conf),
      ConfigKeys.DEMO_FEED_SURGE_MULTIPLIER.get(conf)));
    history = Duration.ofDays(ConfigKeys.DEMO_FEED_HISTORY_DAYS.get(conf));
    long intervalMs = Math.max(100, ConfigKeys.DEMO_FEED_INTERVAL.get(conf).toMillis());
    pool = Pools.shared(vertx, conf);
    return pool.query(DemoSql.READ_STATE).execute().map(rows -> {
      generatedUntil = rows.size() == 0 ? null : rows.iterator().next().getOffsetDateTime("generated_until").toInstant();
      LOG.warn("DEMO DATA is ON: writing synthetic shipment events (shipment_id 'demo-...') every {} ms; "
        + "set NEXUS_DEMO=false to turn it off", intervalMs);
      timerId = vertx.setPeriodic(0, intervalMs, id -> tick());
      return null;
    });
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timerId);
    return Future.succeededFuture();
  }

  /** Writes what happened since the last write; a tick that finds the previous one still writing skips. */
  private void tick() {
    if (writing) {
      return;
    }
    writing = true;
    Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    Instant oldest = now.minus(history);
    Instant from = generatedUntil == null || generatedUntil.isBefore(oldest) ? oldest : generatedUntil;
    if (generatedUntil != null && generatedUntil.isBefore(oldest)) {
      LOG.info("Demo feed was stopped since {}: writing only the last {} days", generatedUntil, history.toDays());
    }
    boolean catchingUp = Duration.between(from, now).compareTo(CHUNK) > 0;
    if (catchingUp) {
      LOG.info("Writing demo history from {} to {} ...", from, now);
    }
    writeUntil(from, now, catchingUp, 0, 0)
      .onComplete(ar -> {
        writing = false;
        if (ar.failed()) {
          LOG.warn("Demo feed could not write events (will retry at the next tick): {}", ar.cause().getMessage());
        }
      });
  }

  private Future<Long> writeUntil(Instant from, Instant end, boolean catchingUp, int chunk, long writtenSoFar) {
    if (!from.isBefore(end)) {
      if (catchingUp) {
        LOG.info("Demo history written: {} events", writtenSoFar);
      }
      return Future.succeededFuture(writtenSoFar);
    }
    Instant to = from.plus(CHUNK).isBefore(end) ? from.plus(CHUNK) : end;
    List<DemoEvent> events = generator.generate(from, to);
    logSurgesStarting(from, to);
    return write(events, to).compose(v -> {
      generatedUntil = to;
      vertx.eventBus().publish(Addresses.DEMO_EVENTS_WRITTEN, new JsonObject()
        .put("from", from.toString()).put("to", to.toString()).put("events", events.size()));
      long total = writtenSoFar + events.size();
      if (catchingUp && chunk % 7 == 6) {
        LOG.info("Demo history: {} events written, up to {}", total, to);
      }
      return writeUntil(to, end, catchingUp, chunk + 1, total);
    });
  }

  private Future<Void> write(List<DemoEvent> events, Instant until) {
    Tuple state = Tuple.of(OffsetDateTime.ofInstant(until, ZoneOffset.UTC));
    if (events.isEmpty()) {
      return pool.preparedQuery(DemoSql.WRITE_STATE).execute(state).mapEmpty();
    }
    return pool.withTransaction(conn -> conn.preparedQuery(DemoSql.INSERT_EVENTS).execute(columns(events))
      .compose(r -> conn.preparedQuery(DemoSql.WRITE_STATE).execute(state))
      .mapEmpty());
  }

  private void logSurgesStarting(Instant from, Instant to) {
    for (DemoEventGenerator.Surge s : generator.surgesBetween(from, to)) {
      if (!s.start().isBefore(from) && s.start().isBefore(to) && to.isAfter(clock.instant().minus(CHUNK))) {
        LOG.info("Demo surge: {}{} ships x{} from {} to {}", s.supplier(), s.route() == null ? "" : " on " + s.route(),
          s.rateMultiplier(), s.start(), s.end());
      }
    }
  }

  private static Tuple columns(List<DemoEvent> events) {
    int n = events.size();
    OffsetDateTime[] occurredAt = new OffsetDateTime[n];
    String[] supplier = new String[n];
    String[] route = new String[n];
    String[] vehicleType = new String[n];
    Double[] distance = new Double[n];
    Double[] load = new Double[n];
    Double[] capacity = new Double[n];
    String[] origin = new String[n];
    String[] destination = new String[n];
    String[] shipmentId = new String[n];
    for (int i = 0; i < n; i++) {
      DemoEvent e = events.get(i);
      occurredAt[i] = OffsetDateTime.ofInstant(e.occurredAt(), ZoneOffset.UTC);
      supplier[i] = e.supplier();
      route[i] = e.route();
      vehicleType[i] = e.vehicleType();
      distance[i] = e.distanceKm();
      load[i] = e.loadTonnes();
      capacity[i] = e.payloadCapacityTonnes();
      origin[i] = e.origin();
      destination[i] = e.destination();
      shipmentId[i] = e.shipmentId();
    }
    return Tuple.tuple()
      .addArrayOfOffsetDateTime(occurredAt)
      .addArrayOfString(supplier)
      .addArrayOfString(route)
      .addArrayOfString(vehicleType)
      .addArrayOfDouble(distance)
      .addArrayOfDouble(load)
      .addArrayOfDouble(capacity)
      .addArrayOfString(origin)
      .addArrayOfString(destination)
      .addArrayOfString(shipmentId);
  }
}
