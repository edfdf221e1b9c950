package io.carbonnexus.engine.demo;

import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.db.EventsTable;
import io.carbonnexus.engine.db.Pools;
import io.carbonnexus.engine.shared.Addresses;
import io.carbonnexus.engine.shared.DemoEventsWritten;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
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
 * starts with {@code demo-}.
 *
 * <p>The mark ({@code demo_feed_state.generated_until}) is read with a row lock, and the events
 * after it are written with the new mark in the same transaction: a restart resumes exactly where
 * the feed stopped, a failed write is redone whole, and two feeds on one database (two nodes)
 * never write the same range twice.
 */
public final class DemoFeedVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(DemoFeedVerticle.class);

  /** Catch-up is written a day per transaction: bounded memory, and progress a user can follow. */
  private static final Duration CHUNK = Duration.ofDays(1);

  /** How long before the first start its showcase surge began: long enough to be unmistakable at once. */
  static final Duration SHOWCASE_LEAD = Duration.ofMinutes(30);

  private final Clock clock;
  private Pool pool;
  private DemoEventGenerator generator;
  private boolean showcase;
  private Instant showcaseFrom;
  private Duration history;
  private long timerId = -1;
  private Future<Void> writing = Future.succeededFuture();
  private boolean busy;
  private boolean stopping;
  private boolean warnedAhead;

  /** What one transaction did: the range it covered and how many events it wrote. */
  private record Chunk(Instant from, Instant to, int events, boolean caughtUp) {
  }

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
    showcase = ConfigKeys.DEMO_FEED_SHOWCASE.get(conf);
    long intervalMs = Math.max(100, ConfigKeys.DEMO_FEED_INTERVAL.get(conf).toMillis());
    pool = Pools.shared(vertx, conf);
    // Ready once the state is read: the first tick then writes the history. A database without a
    // mark is a first start: its history ends in the middle of a surge (the showcase).
    return pool.query(DemoSql.SHOWCASE).execute().onSuccess(rows -> {
      OffsetDateTime stored = rows.size() == 0 ? null : rows.iterator().next().getOffsetDateTime(0);
      showcaseFrom = stored != null ? stored.toInstant() : rows.size() == 0 && showcase
        ? clock.instant().minus(SHOWCASE_LEAD).truncatedTo(ChronoUnit.SECONDS) : null;
      if (showcaseFrom != null) {
        generator = generator.withShowcase(showcaseFrom);
      }
      LOG.warn("DEMO DATA is ON: writing synthetic shipment events (shipment_id 'demo-...') every {} ms; "
        + "set NEXUS_DEMO=false to turn it off", intervalMs);
      timerId = vertx.setPeriodic(0, intervalMs, id -> tick());
    });
  }

  /** Lets a write in flight finish (or fail and roll back) before the pool closes. */
  @Override
  public Future<?> stop() {
    stopping = true;
    vertx.cancelTimer(timerId);
    return writing.otherwiseEmpty();
  }

  /** Writes what happened since the mark; a tick that finds the previous one still writing skips. */
  private void tick() {
    if (busy || stopping) {
      return;
    }
    busy = true;
    writing = catchUp(0, 0).<Void>mapEmpty()
      .onFailure(err -> LOG.warn("Demo feed could not write events (will retry at the next tick): {}", err.getMessage()))
      .eventually(() -> {
        busy = false;
        return Future.succeededFuture();
      });
  }

  private Future<Long> catchUp(int chunkNo, long writtenSoFar) {
    Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    return pool.withTransaction(conn -> writeChunk(conn, now)).compose(chunk -> {
      long total = writtenSoFar + chunk.events();
      boolean backlog = chunkNo > 0 || !chunk.caughtUp();
      if (chunk.events() > 0) {
        vertx.eventBus().publish(Addresses.DEMO_EVENTS_WRITTEN, new DemoEventsWritten(chunk.from(), chunk.to(),
          chunk.events()).toJson());
      }
      if (backlog && (chunk.caughtUp() || chunkNo % 7 == 6)) {
        LOG.info("Demo history: {} events written, up to {}", total, chunk.to());
      }
      return chunk.caughtUp() || stopping ? Future.succeededFuture(total) : catchUp(chunkNo + 1, total);
    });
  }

  private Future<Chunk> writeChunk(SqlConnection conn, Instant now) {
    return conn.query(DemoSql.LOCK_STATE).execute().compose(rows -> {
      Instant mark = rows.size() == 0 ? null : rows.iterator().next().getOffsetDateTime(0).toInstant();
      Instant from = startOfRange(mark, now);
      if (mark != null && !from.isBefore(now)) {
        warnIfAhead(mark, now);
        return Future.succeededFuture(new Chunk(mark, mark, 0, true));
      }
      Instant to = from.plus(CHUNK).isBefore(now) ? from.plus(CHUNK) : now;
      if (mark == null && Duration.between(from, now).compareTo(Duration.ofHours(1)) > 0) {
        LOG.info("Writing demo history from {} to {} ...", from, now);
      }
      logSurgesStarting(from, to, now);
      // A day of history is ten thousand events to make: off the event loop, which serves HTTP meanwhile.
      return vertx.executeBlocking(() -> {
          List<DemoEvent> events = generator.generate(from, to);
          return new Object[] {events.size(), events.isEmpty() ? null : columns(events)};
        }, false)
        .compose(made -> {
          int count = (Integer) made[0];
          Future<?> insert = count == 0 ? Future.succeededFuture()
            : conn.preparedQuery(EventsTable.INSERT).execute((Tuple) made[1]);
          return insert
            .compose(v -> conn.preparedQuery(DemoSql.WRITE_STATE).execute(Tuple.of(OffsetDateTime.ofInstant(to, ZoneOffset.UTC),
              showcaseFrom == null ? null : OffsetDateTime.ofInstant(showcaseFrom, ZoneOffset.UTC))))
            .map(v -> new Chunk(from, to, count, to.equals(now)));
        });
    });
  }

  /**
   * From the mark; on first start from {@code history_days} ago; after a long stop, not further
   * back than the history (or a day), so a feed stopped for months does not write months.
   */
  private Instant startOfRange(Instant mark, Instant now) {
    if (mark == null) {
      return now.minus(history);
    }
    Duration maxGap = history.compareTo(CHUNK) > 0 ? history : CHUNK;
    Instant oldest = now.minus(maxGap);
    if (mark.isBefore(oldest)) {
      LOG.info("Demo feed was stopped since {}: writing only the last {} h", mark, maxGap.toHours());
      return oldest;
    }
    return mark;
  }

  private void warnIfAhead(Instant mark, Instant now) {
    if (mark.isAfter(now) && !warnedAhead) {
      warnedAhead = true;
      LOG.warn("Demo feed has written up to {}, after this machine's clock ({}): it waits until the clock passes it",
        mark, now);
    }
  }

  private void logSurgesStarting(Instant from, Instant to, Instant now) {
    for (DemoEventGenerator.Surge s : generator.surgesBetween(from, to)) {
      if (!s.start().isBefore(from) && s.start().isBefore(to) && to.isAfter(now.minus(CHUNK))) {
        LOG.info("Demo surge: {}{} ships x{} from {} to {}", s.supplier(), s.route() == null ? "" : " on " + s.route(),
          s.rateMultiplier(), s.start(), s.end());
      }
    }
  }

  private static Tuple columns(List<DemoEvent> events) {
    return EventsTable.columns(events.stream().map(e -> new EventsTable.Row(e.occurredAt(), e.supplier(), e.route(),
      e.vehicleType(), e.distanceKm(), e.loadTonnes(), e.payloadCapacityTonnes(), e.origin(), e.destination(),
      e.shipmentId())).toList());
  }
}
