package io.carbonnexus.engine.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;

import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The load generator of {@code benchmarks/http}, run in a JVM of its own by {@link HttpBenchmark}:
 * closed loop, {@code bench.connections} keep-alive connections with one request in flight on
 * each, a warm-up then a measured window per target, targets taking turns round after round.
 * Round 0 (reported, not counted) runs every target once first, so that both JVMs have compiled
 * every path before the first counted window.
 * Every latency is recorded (send to last byte of the body) and sorted: no histogram buckets.
 *
 * <p>Arguments: {@code name=url ...}. It talks to its parent on standard output with lines
 * starting with {@code @}: {@code @START name round} and {@code @END name round} around each
 * measured window (the parent samples CPU there), then
 * {@code @RESULT name round requests errors seconds p50_ns p99_ns max_ns body_bytes max_at_ms over_500ms}
 * (when the slowest request ended, in epoch milliseconds, and how many took over 500 ms: a stall
 * of the whole server delays every connection, a stuck request only its own).
 */
public final class HttpLoadGenerator {

  private static final int CONNECTIONS = Integer.getInteger("bench.connections", 64);
  private static final int WARMUP_S = Integer.getInteger("bench.warmup", 5);
  private static final int DURATION_S = Integer.getInteger("bench.duration", 20);
  private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
  /** Event loops of the generator: one per core of the machine it shares with the servers. */
  private static final int LOOPS = Integer.getInteger("bench.load.loops", 2);

  private record Target(String name, URI uri) {
  }

  public static void main(String[] args) throws Exception {
    List<Target> targets = new ArrayList<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      targets.add(new Target(arg.substring(0, eq), URI.create(arg.substring(eq + 1))));
    }
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(LOOPS));
    try {
      // A round not counted: both JVMs compile every path before the first measured window.
      for (Target target : targets) {
        run(vertx, target, 0);
      }
      for (int round = 1; round <= ROUNDS; round++) {
        // Each round starts one target further on, so no target always runs right after the same other.
        for (int i = 0; i < targets.size(); i++) {
          run(vertx, targets.get((i + round - 1) % targets.size()), round);
        }
      }
    } finally {
      vertx.close().await();
    }
  }

  private static void run(Vertx vertx, Target target, int round) throws InterruptedException {
    HttpClientAgent client = vertx.createHttpClient(
      new HttpClientOptions().setKeepAlive(true).setPipelining(false)
        .setDefaultHost(target.uri().getHost()).setDefaultPort(target.uri().getPort()),
      new PoolOptions().setHttp1MaxSize(CONNECTIONS).setEventLoopSize(LOOPS));
    long start = System.nanoTime();
    long from = start + TimeUnit.SECONDS.toNanos(WARMUP_S);
    long to = from + TimeUnit.SECONDS.toNanos(round == 0 ? WARMUP_S : DURATION_S);
    CountDownLatch stopped = new CountDownLatch(CONNECTIONS);
    List<Loop> loops = new ArrayList<>();
    for (int i = 0; i < CONNECTIONS; i++) {
      Loop loop = new Loop(client, target.uri().getRawPath(), from, to, stopped);
      loops.add(loop);
      loop.next();
    }
    sleepUntil(from);
    System.out.printf(Locale.ROOT, "@START %s %d%n", target.name(), round);
    sleepUntil(to);
    System.out.printf(Locale.ROOT, "@END %s %d%n", target.name(), round);
    if (!stopped.await(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException(target.name() + ": requests still in flight 60 s after the end");
    }
    client.close().await();

    int n = loops.stream().mapToInt(l -> l.count).sum();
    long[] all = new long[n];
    int at = 0;
    long errors = 0;
    long bytes = 0;
    long maxNanos = -1;
    long maxAt = 0;
    for (Loop l : loops) {
      if (l.maxNanos > maxNanos) {
        maxNanos = l.maxNanos;
        maxAt = l.maxAtMillis;
      }
      System.arraycopy(l.latencies, 0, all, at, l.count);
      at += l.count;
      errors += l.errors;
      bytes = Math.max(bytes, l.bodyBytes);
    }
    Arrays.sort(all);
    long slow = Arrays.stream(all).filter(nanos -> nanos > 500_000_000L).count();
    System.out.printf(Locale.ROOT, "@RESULT %s %d %d %d %.3f %d %d %d %d %d %d%n", target.name(), round, n, errors,
      (to - from) / 1e9, BenchSupport.percentile(all, 50), BenchSupport.percentile(all, 99),
      n == 0 ? -1 : all[n - 1], bytes, maxAt, slow);
  }

  private static void sleepUntil(long nanoTime) throws InterruptedException {
    long left;
    while ((left = nanoTime - System.nanoTime()) > 0) {
      TimeUnit.NANOSECONDS.sleep(left);
    }
  }

  /**
   * One connection's worth of load: the next request leaves when the previous response's body has
   * arrived. Its callbacks run one after another, so its counters need no lock.
   */
  private static final class Loop {
    private final HttpClientAgent client;
    private final String path;
    private final long from;
    private final long to;
    private final CountDownLatch stopped;
    long[] latencies = new long[1 << 14];
    int count;
    long errors;
    long bodyBytes;
    long maxNanos = -1;
    long maxAtMillis;

    Loop(HttpClientAgent client, String path, long from, long to, CountDownLatch stopped) {
      this.client = client;
      this.path = path;
      this.from = from;
      this.to = to;
      this.stopped = stopped;
    }

    void next() {
      long t0 = System.nanoTime();
      if (t0 >= to) {
        stopped.countDown();
        return;
      }
      client.request(HttpMethod.GET, path)
        .compose(req -> req.send())
        .compose(resp -> resp.body().compose(body -> resp.statusCode() == 200
          ? Future.succeededFuture(body.length())
          : Future.failedFuture("status " + resp.statusCode())))
        .onComplete(ar -> {
          long t1 = System.nanoTime();
          if (t0 >= from && t1 <= to) {
            if (ar.succeeded()) {
              record(t1 - t0);
              bodyBytes = ar.result();
            } else {
              errors++;
            }
          }
          next();
        });
    }

    private void record(long nanos) {
      if (count == latencies.length) {
        latencies = Arrays.copyOf(latencies, count * 2);
      }
      latencies[count++] = nanos;
      if (nanos > maxNanos) {
        maxNanos = nanos;
        maxAtMillis = System.currentTimeMillis();
      }
    }
  }

  private HttpLoadGenerator() {
  }
}
