package io.carbonnexus.engine.bench;

import io.carbonnexus.engine.demo.DemoEvent;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A producer writing {@code events_normalized} the way data-core does: one committed statement
 * every {@code batchMs}, stamped with the time of writing. Rows are copies of a fixed pool of demo
 * events (the demo's suppliers, lanes, vehicle types and loads, in the demo's proportions), so the
 * producer's memory is constant however long it runs. A share of rows is bad on purpose (negative
 * distance, unknown vehicle type): the engine must skip and count them. During a surge a supplier
 * ships {@code multiplier} times its usual volume, on top of the base rate.
 */
final class SoakProducer {

  /** A supplier shipping {@code multiplier} × its usual rate from {@code startMs} to {@code endMs} (ms into the run). */
  record Surge(long startMs, long endMs, String supplier, double multiplier) {
  }

  static final String SHIPMENT_PREFIX = "soak-";
  static final String BAD_PREFIX = "soak-bad-";
  static final String UNKNOWN_VEHICLE_TYPE = "hovercraft";

  private final String url;
  private final List<DemoEvent> pool;
  private final Map<String, List<DemoEvent>> bySupplier = new HashMap<>();
  private final Map<String, Double> share = new HashMap<>();
  private final int rate;
  private final long batchMs;
  private final double badShare;
  private final List<Surge> surges;
  private final SplittableRandom random;

  final AtomicLong valid = new AtomicLong();
  final AtomicLong bad = new AtomicLong();
  final AtomicLong surgeRows = new AtomicLong();
  final AtomicLong statements = new AtomicLong();
  final AtomicLong lateTicks = new AtomicLong();
  final Histogram insertMs = new Histogram();
  final AtomicReference<Throwable> failure = new AtomicReference<>();

  private volatile boolean stopping;
  private Thread thread;
  private long baseEmitted;
  private final long[] surgeEmitted;
  private int cursor;
  private long seq;

  SoakProducer(String url, List<DemoEvent> pool, int rate, long batchMs, double badShare, List<Surge> surges, long seed) {
    this.url = url;
    this.pool = pool;
    this.rate = rate;
    this.batchMs = batchMs;
    this.badShare = badShare;
    this.surges = surges;
    this.surgeEmitted = new long[surges.size()];
    this.random = new SplittableRandom(seed);
    for (DemoEvent e : pool) {
      bySupplier.computeIfAbsent(e.supplier(), s -> new ArrayList<>()).add(e);
    }
    bySupplier.forEach((s, events) -> share.put(s, events.size() / (double) pool.size()));
  }

  void start() {
    thread = new Thread(this::run, "soak-producer");
    thread.setDaemon(true);
    thread.start();
  }

  /** Stops after the statement in progress; returns once the producer has written its last row. */
  void stop() throws InterruptedException {
    stopping = true;
    thread.join(TimeUnit.SECONDS.toMillis(30));
  }

  long inserted() {
    return valid.get() + bad.get();
  }

  private void run() {
    try (Connection c = BenchSupport.jdbc(url); PreparedStatement insert = BenchSupport.prepareInsert(c)) {
      long t0 = System.nanoTime();
      long tick = 0;
      while (!stopping) {
        tick++;
        long due = t0 + TimeUnit.MILLISECONDS.toNanos(tick * batchMs);
        long wait = due - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        } else if (wait < -TimeUnit.MILLISECONDS.toNanos(batchMs)) {
          lateTicks.incrementAndGet();
        }
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        List<DemoEvent> rows = batch(elapsedMs);
        if (rows.isEmpty()) {
          continue;
        }
        long start = System.nanoTime();
        BenchSupport.insert(c, insert, rows);
        insertMs.record((System.nanoTime() - start) / 1e6);
        statements.incrementAndGet();
        for (DemoEvent e : rows) {
          if (e.shipmentId().startsWith(BAD_PREFIX)) {
            bad.incrementAndGet();
          } else {
            valid.incrementAndGet();
          }
        }
      }
    } catch (Throwable t) {
      failure.set(t);
    }
  }

  /** What is owed at {@code elapsedMs}: the base rate, plus each active surge's extra volume. */
  private List<DemoEvent> batch(long elapsedMs) {
    Instant now = Instant.now();
    List<DemoEvent> rows = new ArrayList<>();
    long base = elapsedMs * rate / 1000 - baseEmitted;
    for (long i = 0; i < base; i++) {
      rows.add(copy(pool.get(cursor), now));
      cursor = (cursor + 1) % pool.size();
    }
    baseEmitted += base;
    for (int s = 0; s < surges.size(); s++) {
      Surge surge = surges.get(s);
      if (elapsedMs < surge.startMs()) {
        continue;
      }
      long into = Math.min(elapsedMs, surge.endMs()) - surge.startMs();
      long owed = (long) ((surge.multiplier() - 1) * share.get(surge.supplier()) * rate * into / 1000) - surgeEmitted[s];
      List<DemoEvent> own = bySupplier.get(surge.supplier());
      for (long i = 0; i < owed; i++) {
        rows.add(copy(own.get(random.nextInt(own.size())), now));
      }
      surgeEmitted[s] += Math.max(0, owed);
      surgeRows.addAndGet(Math.max(0, owed));
    }
    return rows;
  }

  /** The pool event as written now, with a fresh shipment id; a share of them made unpredictable. */
  private DemoEvent copy(DemoEvent e, Instant now) {
    long id = ++seq;
    if (random.nextDouble() < badShare) {
      boolean negative = id % 2 == 0;
      return new DemoEvent(now, e.supplier(), e.route(), negative ? e.vehicleType() : UNKNOWN_VEHICLE_TYPE,
        negative ? -e.distanceKm() : e.distanceKm(), e.loadTonnes(), e.payloadCapacityTonnes(), e.origin(),
        e.destination(), BAD_PREFIX + id);
    }
    return new DemoEvent(now, e.supplier(), e.route(), e.vehicleType(), e.distanceKm(), e.loadTonnes(),
      e.payloadCapacityTonnes(), e.origin(), e.destination(), SHIPMENT_PREFIX + id);
  }
}
