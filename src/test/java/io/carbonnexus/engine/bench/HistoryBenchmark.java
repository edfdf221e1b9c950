package io.carbonnexus.engine.bench;

import io.carbonnexus.engine.Engine;
import io.carbonnexus.engine.config.ConfigKeys;
import io.carbonnexus.engine.support.TempDirs;
import io.carbonnexus.engine.support.TestEngine;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * {@code GET /emissions/history} for the default range (28 days by hour), for the total and for the
 * busiest supplier, next to {@code GET /emissions/current} (served from a one-second cache: the
 * cost of HTTP, the contract's router and the bus with no query) in the same run. Run with
 * {@code benchmarks/history}.
 *
 * <p>One client sends one request at a time: this measures what a dashboard waits for, not what
 * the engine sustains under load ({@code benchmarks/http} does that). Targets take turns, round by
 * round, so that a slow moment of the shared machine hits all of them.
 */
public final class HistoryBenchmark {

  private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
  private static final int REQUESTS = Integer.getInteger("bench.requests", 300);
  private static final int WARMUP = Integer.getInteger("bench.warmup", 200);
  private static final Duration DATA_WAIT = Duration.ofMinutes(10);
  /** Distinct ranges the "first" target cycles through: more than the engine's 64 cached charts. */
  private static final int FIRST_CYCLE = 200;

  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("nexus-bench-history");
    TestEngine setup = TestEngine.embedded(dir.resolve("pg")).with(ConfigKeys.DEMO, "true");
    int port = setup.port();
    Engine engine = null;
    try {
      long t0 = System.nanoTime();
      engine = setup.start();
      String url = ConfigKeys.DB_URL.get(engine.config());
      String supplier = waitForData(url);
      System.out.printf(Locale.ROOT, "engine up with demo data in %.0f s; busiest supplier: %s%n",
        (System.nanoTime() - t0) / 1e9, supplier);
      String base = "http://127.0.0.1:" + port;
      String oneSupplier = base + "/emissions/history?entity_type=supplier&entity="
        + URLEncoder.encode(supplier, StandardCharsets.UTF_8).replace("+", "%20");
      Instant lastHour = Instant.ofEpochSecond(Math.floorDiv(Instant.now().getEpochSecond(), 3600) * 3600);
      Map<String, IntFunction<URI>> targets = new LinkedHashMap<>();
      targets.put("GET /emissions/current (baseline)", i -> URI.create(base + "/emissions/current"));
      targets.put("GET /emissions/history, total, 28 d by hour", i -> URI.create(base + "/emissions/history"));
      targets.put("GET /emissions/history, one supplier, 28 d by hour", i -> URI.create(oneSupplier));
      // The same chart ending a different hour each time, in a cycle longer than the engine keeps
      // charts (64): each request is the first of its kind in a minute, models learnt and read.
      targets.put("... the same, ending an hour not asked before (first)", i -> {
        Instant to = lastHour.minus(Duration.ofHours(1 + i % FIRST_CYCLE));
        return URI.create(oneSupplier + "&from=" + to.minus(Duration.ofDays(28)) + "&to=" + to);
      });
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      int sent = 0;
      for (var t : targets.entrySet()) {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(t.getValue().apply(0)).build(),
          HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
          throw new IllegalStateException(t.getKey() + " answered " + r.statusCode() + ": " + r.body());
        }
        System.out.printf(Locale.ROOT, "%-52s %,8d bytes%n", t.getKey(), r.body().length());
        for (int i = 0; i < WARMUP; i++) {
          client.send(HttpRequest.newBuilder(t.getValue().apply(sent++)).build(), HttpResponse.BodyHandlers.discarding());
        }
      }
      Map<String, List<Long>> all = new LinkedHashMap<>();
      for (int round = 1; round <= ROUNDS; round++) {
        for (var t : targets.entrySet()) {
          long[] ns = new long[REQUESTS];
          for (int i = 0; i < REQUESTS; i++) {
            long s = System.nanoTime();
            HttpResponse<Void> r = client.send(HttpRequest.newBuilder(t.getValue().apply(sent++)).build(),
              HttpResponse.BodyHandlers.discarding());
            ns[i] = System.nanoTime() - s;
            if (r.statusCode() != 200) {
              throw new IllegalStateException(t.getKey() + " answered " + r.statusCode());
            }
          }
          Arrays.sort(ns);
          System.out.printf(Locale.ROOT, "round %d %-52s p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms%n", round, t.getKey(),
            BenchSupport.percentile(ns, 50) / 1e6, BenchSupport.percentile(ns, 99) / 1e6, ns[ns.length - 1] / 1e6);
          List<Long> list = all.computeIfAbsent(t.getKey(), k -> new ArrayList<>());
          for (long v : ns) {
            list.add(v);
          }
        }
      }
      System.out.println("all rounds:");
      for (var e : all.entrySet()) {
        long[] ns = e.getValue().stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf(Locale.ROOT, "%-52s p50 %6.2f ms  p99 %6.2f ms  (%d requests)%n", e.getKey(),
          BenchSupport.percentile(ns, 50) / 1e6, BenchSupport.percentile(ns, 99) / 1e6, ns.length);
      }
    } finally {
      if (engine != null) {
        engine.close();
      }
      TempDirs.deleteRecursively(dir);
    }
  }

  /** Until the demo history is written and predicted; the busiest supplier of the last 28 days. */
  private static String waitForData(String url) throws Exception {
    long deadline = System.nanoTime() + DATA_WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      try (Connection c = BenchSupport.jdbc(url); Statement st = c.createStatement();
           ResultSet rs = st.executeQuery("""
             select (select generated_until > now() - interval '1 minute' from demo_feed_state),
                    (select last_event_id from ingestion_state) >= (select coalesce(max(id), 0) from events_normalized),
                    (select count(*) from entity_models) > 0,
                    (select entity from entity_minute_totals where entity_type = 'supplier'
                      and minute > now() - interval '28 days' group by entity order by sum(co2_kg) desc limit 1)""")) {
        rs.next();
        if (rs.getBoolean(1) && rs.getBoolean(2) && rs.getBoolean(3)) {
          Thread.sleep(5_000);
          return rs.getString(4);
        }
      } catch (java.sql.SQLException e) {
        // The schema is not there yet.
      }
      Thread.sleep(1_000);
    }
    throw new IllegalStateException("no demo data within " + DATA_WAIT.toMinutes() + " minutes");
  }
}
